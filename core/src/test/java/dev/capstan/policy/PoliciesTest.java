package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PoliciesTest {
  /** The cluster policy of DESIGN.md: an AWS ASG scaled on Prometheus' view of allocated CPU. */
  static final String CLUSTER = """
      scaling "cluster_policy" {
        enabled = true
        min     = 1
        max     = 10
        policy {
          cooldown            = "2m"
          evaluation_interval = "1m"
          on_check_error      = "fail"
          check "cpu_allocated_percentage" {
            source       = "prometheus"
            query        = "sum(nomad_client_allocated_cpu{node_class=\\"hashistack\\"}) / sum(nomad_client_unallocated_cpu + nomad_client_allocated_cpu) * 100"
            query_window = "5m"
            strategy "target-value" { target = 70 }
          }
          target "aws-asg" {
            aws_asg_name        = "hashistack-nomad_client"
            node_class          = "hashistack"
            node_drain_deadline = "5m"
            node_purge          = "true"
          }
        }
      }
      """;

  static final String CLUSTER_QUERY = "sum(nomad_client_allocated_cpu{node_class=\"hashistack\"}) / "
      + "sum(nomad_client_unallocated_cpu + nomad_client_allocated_cpu) * 100";

  /** A horizontal policy using every attribute, two checks and a group. */
  static final String HORIZONTAL = """
      # web tier
      scaling "web" {
        enabled = false
        min     = 2
        max     = 20
        type    = "horizontal"

        policy {
          cooldown             = "3m"
          cooldown_on_scale_up = "30s"
          evaluation_interval  = "15s"

          check "requests" {
            source              = "prometheus"
            query               = "sum(rate(http_requests_total[1m]))"
            query_window        = "2m"
            query_window_offset = "30s"
            group               = "load"
            on_error            = "fail"
            strategy "target-value" {
              target    = 0.5
              threshold = 0.01
            }
          }

          // nights are quiet
          check "floor" {
            strategy "fixed-value" { value = 3 }
          }

          target "gce-mig" {
            project = "acme"
            zone    = "europe-west1-b"
            mig     = "web"
          }
        }
      }
      """;

  @Test
  void parse_clusterPolicyFromDesign_readsEveryField() {
    List<ScalingPolicy> policies = Policies.parse(CLUSTER, "policies/cluster.hcl");

    assertThat(policies).hasSize(1);
    ScalingPolicy p = policies.get(0);
    assertThat(p.name()).isEqualTo("cluster_policy");
    assertThat(p.id()).isEqualTo(ScalingPolicy.idOf("policies/cluster.hcl", "cluster_policy"));
    assertThat(p.origin()).isEqualTo("policies/cluster.hcl");
    assertThat(p.enabled()).isTrue();
    assertThat(p.min()).isEqualTo(1);
    assertThat(p.max()).isEqualTo(10);
    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.onCheckError()).isEqualTo(OnError.FAIL);
    assertThat(p.type()).isEqualTo("horizontal");
    assertThat(p.checks()).containsExactly(Check.builder().name("cpu_allocated_percentage").source("prometheus")
        .query(CLUSTER_QUERY).queryWindow(Duration.ofMinutes(5))
        .strategy(PluginRef.of("target-value", Map.of("target", "70"))).build());
    assertThat(p.target()).isEqualTo(PluginRef.of("aws-asg", Map.of("aws_asg_name", "hashistack-nomad_client",
        "node_class", "hashistack", "node_drain_deadline", "5m", "node_purge", "true")));
  }

  @Test
  void parse_horizontalPolicy_readsEveryAttribute() {
    ScalingPolicy p = Policies.parse(HORIZONTAL, "web.hcl").get(0);

    assertThat(p.enabled()).isFalse();
    assertThat(p.min()).isEqualTo(2);
    assertThat(p.max()).isEqualTo(20);
    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(3));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(p.onCheckError()).isEqualTo(OnError.IGNORE);
    assertThat(p.checks()).containsExactly(
        Check.builder().name("requests").source("prometheus").query("sum(rate(http_requests_total[1m]))")
            .queryWindow(Duration.ofMinutes(2)).queryWindowOffset(Duration.ofSeconds(30)).group("load")
            .strategy(PluginRef.of("target-value", Map.of("target", "0.5", "threshold", "0.01")))
            .onError(OnError.FAIL).build(),
        Check.builder().name("floor").strategy(PluginRef.of("fixed-value", Map.of("value", "3"))).build());
    assertThat(p.target()).isEqualTo(PluginRef.of("gce-mig",
        Map.of("project", "acme", "zone", "europe-west1-b", "mig", "web")));
  }

  @Test
  void parse_minimalPolicy_appliesEveryNomadDefault() {
    ScalingPolicy p = Policies.parse("""
        scaling "min" {
          max = 3
          policy {
            check "c" {
              source = "prometheus"
              query  = "up"
              strategy "target-value" { target = 1 }
            }
            target "aws-asg" { aws_asg_name = "g" }
          }
        }
        """, "min.hcl").get(0);

    assertThat(p.enabled()).isTrue();
    assertThat(p.min()).isZero();
    assertThat(p.type()).isEqualTo("horizontal");
    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.onCheckError()).isEqualTo(OnError.IGNORE);
    Check c = p.checks().get(0);
    assertThat(c.queryWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.queryWindowOffset()).isZero();
    assertThat(c.group()).isEmpty();
    assertThat(c.onError()).isEmpty();
    assertThat(c.effectiveOnError(p.onCheckError())).isEqualTo(OnError.IGNORE);
    assertThat(EnumSet.allOf(ScalingPolicy.Field.class)).noneMatch(p::isSet);
    assertThat(EnumSet.allOf(Check.Field.class)).noneMatch(c::isSet);
  }

  @Test
  void parse_attributesInTheFile_areMarkedSetAndOnlyThose() {
    ScalingPolicy p = Policies.parse(CLUSTER, "policies/cluster.hcl").get(0);

    assertThat(EnumSet.allOf(ScalingPolicy.Field.class)).filteredOn(p::isSet).containsExactly(
        ScalingPolicy.Field.ENABLED, ScalingPolicy.Field.MIN, ScalingPolicy.Field.COOLDOWN,
        ScalingPolicy.Field.EVALUATION_INTERVAL, ScalingPolicy.Field.ON_CHECK_ERROR);
    assertThat(EnumSet.allOf(Check.Field.class)).filteredOn(p.checks().get(0)::isSet)
        .containsExactly(Check.Field.QUERY_WINDOW);
  }

  @Test
  void parse_cooldownSetWithoutScaleUpCooldown_scaleUpCooldownFollowsIt() {
    ScalingPolicy p = Policies.parse(CLUSTER.replace("\"2m\"", "\"7m\""), "c.hcl").get(0);

    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(7));
  }

  @Test
  void parse_pluginAttributes_areRenderedAsWritten() {
    String hcl = CLUSTER.replace("strategy \"target-value\" { target = 70 }", """
        strategy "target-value" {
          target    = 70
          half      = 0.5
          negative  = -3
          big       = 10000000000000
          enabled   = false
          text      = "0.50"
        }
        """);

    Map<String, String> config = Policies.parse(hcl, "c.hcl").get(0).checks().get(0).strategy().config();

    assertThat(config).containsExactlyInAnyOrderEntriesOf(Map.of("target", "70", "half", "0.5", "negative", "-3",
        "big", "10000000000000", "enabled", "false", "text", "0.50"));
  }

  @Test
  void parse_severalPoliciesInOneFile_keepsFileOrder() {
    String two = CLUSTER + CLUSTER.replace("cluster_policy", "second");

    assertThat(Policies.parse(two, "two.hcl")).extracting(ScalingPolicy::name)
        .containsExactly("cluster_policy", "second");
  }

  @Test
  void parse_sameOriginAndName_keepsTheIdAcrossReloads() {
    String first = Policies.parse(CLUSTER, "a.hcl").get(0).id();

    assertThat(Policies.parse(CLUSTER.replace("max     = 10", "max = 12"), "a.hcl").get(0).id()).isEqualTo(first);
    assertThat(Policies.parse(CLUSTER, "b.hcl").get(0).id()).isNotEqualTo(first);
  }

  @Test
  void builder_sameContentAsFile_equalsTheParsedPolicy() {
    ScalingPolicy built = ScalingPolicy.builder()
        .origin("policies/cluster.hcl")
        .name("cluster_policy")
        .min(1)
        .max(10)
        .cooldown(Duration.ofMinutes(2))
        .evaluationInterval(Duration.ofMinutes(1))
        .onCheckError(OnError.FAIL)
        .check(Check.builder().name("cpu_allocated_percentage").source("prometheus").query(CLUSTER_QUERY)
            .queryWindow(Duration.ofMinutes(5)).strategy(PluginRef.of("target-value", Map.of("target", "70"))).build())
        .target(PluginRef.of("aws-asg", Map.of("aws_asg_name", "hashistack-nomad_client", "node_class", "hashistack",
            "node_drain_deadline", "5m", "node_purge", "true")))
        .build();

    assertThat(built).isEqualTo(Policies.parse(CLUSTER, "policies/cluster.hcl").get(0));
  }

  @Test
  void parse_jsonForm_equalsTheHclForm() {
    String json = """
        {
          "scaling": {
            "cluster_policy": {
              "enabled": true,
              "min": 1,
              "max": 10,
              "policy": {
                "cooldown": "2m",
                "evaluation_interval": "1m",
                "on_check_error": "fail",
                "check": {
                  "cpu_allocated_percentage": {
                    "source": "prometheus",
                    "query": "sum(nomad_client_allocated_cpu{node_class=\\"hashistack\\"}) / sum(nomad_client_unallocated_cpu + nomad_client_allocated_cpu) * 100",
                    "query_window": "5m",
                    "strategy": { "target-value": { "target": 70 } }
                  }
                },
                "target": {
                  "aws-asg": {
                    "aws_asg_name": "hashistack-nomad_client",
                    "node_class": "hashistack",
                    "node_drain_deadline": "5m",
                    "node_purge": "true"
                  }
                }
              }
            }
          }
        }
        """;

    assertThat(Policies.parse(json, "policies/cluster.hcl")).isEqualTo(Policies.parse(CLUSTER, "policies/cluster.hcl"));
  }

  @Test
  void parse_jsonWithBlockArrays_readsEachBlock() {
    String json = """
        {"scaling": [{"a": {"max": 2, "policy": [{
            "check": [{"c1": {"source": "s", "query": "q", "strategy": [{"target-value": {"target": 0.50}}]}},
                      {"c2": {"strategy": {"fixed-value": {"value": 1}}}}],
            "target": [{"aws-asg": {"aws_asg_name": "g"}}]}]}}]}
        """;

    ScalingPolicy p = Policies.parse(json, "a.json").get(0);

    assertThat(p.checks()).extracting(Check::name).containsExactly("c1", "c2");
    assertThat(p.checks().get(0).strategy().config()).containsEntry("target", "0.50");
  }

  @Test
  void parse_jsonFile_isReadAsJson(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("p.json");
    Files.writeString(file, "{\"scaling\": {\"a\": {\"max\": 1, \"policy\": {\"check\": {\"c\": {\"strategy\": "
        + "{\"fixed-value\": {\"value\": 1}}}}, \"target\": {\"aws-asg\": {}}}}}}");

    assertThat(Policies.parse(file)).extracting(ScalingPolicy::origin).containsExactly(file.toString());
  }

  @Test
  void parse_file_usesThePathAsOrigin(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("cluster.hcl");
    Files.writeString(file, CLUSTER);

    assertThat(Policies.parse(file)).isEqualTo(Policies.parse(CLUSTER, file.toString()));
  }

  @Test
  void parse_emptyFile_saysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("empty.hcl");
    Files.writeString(file, "  \n");

    assertThatThrownBy(() -> Policies.parse(file)).isInstanceOf(PolicyException.class)
        .hasMessage(file + ": the file is empty but it must hold at least one scaling \"<name>\" { ... } block");
  }

  @Test
  void parse_onlyComments_saysThereIsNoPolicy() {
    assertThatThrownBy(() -> Policies.parse("# nothing yet\n", "c.hcl")).isInstanceOf(PolicyException.class)
        .hasMessage("c.hcl: the file holds no policy but it must hold at least one scaling \"<name>\" { ... } block");
  }

  @Test
  void parse_fileOverOneMebibyte_isRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.hcl");
    Files.write(file, new byte[(int) Policies.MAX_FILE_BYTES + 1]);

    assertThatThrownBy(() -> Policies.parse(file)).isInstanceOf(PolicyException.class)
        .hasMessage(file + ": the file is 1048577 bytes but a policy file may be at most 1 MiB (1048576 bytes)");
  }

  @Test
  void parse_missingFile_namesIt(@TempDir Path dir) {
    Path file = dir.resolve("missing.hcl");

    assertThatThrownBy(() -> Policies.parse(file)).isInstanceOf(PolicyException.class)
        .hasMessage(file + ": the file cannot be read: no such file");
  }

  @Test
  void parse_notUtf8_saysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.hcl");
    Files.write(file, "scaling \"caf\u00e9\" {}".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> Policies.parse(file)).isInstanceOf(PolicyException.class)
        .hasMessage(file + ": the file is not valid UTF-8 text");
  }

  @Test
  void parse_illegalCharacter_givesHcl4jLineAndColumn() {
    String hcl = "scaling \"a\" {\n  min = 1\n  foo bar\n}\n";

    assertThatThrownBy(() -> Policies.parse(hcl, "bad.hcl")).isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("bad.hcl:3:3: malformed HCL: ")
        .hasMessageContaining("line: 3 col: 3");
  }

  @Test
  void parse_unclosedBlock_pointsAtItsBrace() {
    String hcl = "scaling \"a\" {\n  min = 1\n  policy {\n    cooldown = \"1m\"\n}\n";

    assertThatThrownBy(() -> Policies.parse(hcl, "bad.hcl")).isInstanceOf(PolicyException.class)
        .hasMessage("bad.hcl:1:13: malformed HCL: '{' opened here is never closed");
  }

  @Test
  void parse_unclosedString_pointsAtItsQuote() {
    String hcl = "scaling \"a\" {\n  type = \"cluster\n}\n";

    assertThatThrownBy(() -> Policies.parse(hcl, "bad.hcl")).isInstanceOf(PolicyException.class)
        .hasMessage("bad.hcl:2:10: malformed HCL: the string opened here is never closed");
  }

  @Test
  void parse_strayClosingBrace_pointsAtIt() {
    assertThatThrownBy(() -> Policies.parse("scaling \"a\" {}\n}\n", "bad.hcl")).isInstanceOf(PolicyException.class)
        .hasMessage("bad.hcl:2:1: malformed HCL: '}' closes nothing that is open");
  }

  @Test
  void parse_bracesInStringsCommentsAndHeredocs_areNotCounted() {
    String hcl = CLUSTER.replace("enabled = true", """
        # a { in a comment
        /* and } in
           a block comment */
        enabled = true""");

    assertThat(Policies.parse(hcl, "c.hcl")).hasSize(1);
  }

  @Test
  void parse_malformedJson_givesLineAndColumn() {
    assertThatThrownBy(() -> Policies.parse("{\n \"scaling\": {,}\n}", "bad.json")).isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("bad.json:2:14: malformed JSON: ");
  }

  @Test
  void parse_jsonDuplicateKey_isRefused() {
    assertThatThrownBy(() -> Policies.parse("{\"scaling\": {}, \"scaling\": {}}", "dup.json"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("dup.json:1:").hasMessageContaining("Duplicate field 'scaling'");
  }

  @Test
  void parseDirectory_brokenFileAndSameNameInTwoFiles_loadsTheRestWithDistinctIds(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a-cluster.hcl"), CLUSTER);
    Files.writeString(dir.resolve("b-web.hcl"), HORIZONTAL);
    Files.writeString(dir.resolve("c-broken.hcl"), "scaling \"x\" {\n");
    Files.writeString(dir.resolve("d-clash.hcl"), CLUSTER.replace("max     = 10", "max = 5"));
    Files.writeString(dir.resolve("notes.txt"), "not a policy");
    Files.writeString(dir.resolve(".hidden.hcl"), "garbage {");
    Files.createDirectory(dir.resolve("sub.hcl"));

    LoadedPolicies loaded = Policies.parseDirectory(dir);

    assertThat(loaded.policies()).extracting(ScalingPolicy::name)
        .containsExactly("cluster_policy", "web", "cluster_policy");
    assertThat(loaded.policies()).extracting(ScalingPolicy::id).doesNotHaveDuplicates();
    assertThat(loaded.policies().get(2).origin()).isEqualTo(dir.resolve("d-clash.hcl").toString());
    assertThat(loaded.complete()).isFalse();
    assertThat(loaded.failures()).containsOnlyKeys(dir.resolve("c-broken.hcl"));
    assertThat(loaded.failures().get(dir.resolve("c-broken.hcl"))).hasMessage(
        dir.resolve("c-broken.hcl") + ":1:13: malformed HCL: '{' opened here is never closed");
    assertThatThrownBy(loaded::orThrow).isInstanceOf(PolicyException.class)
        .extracting(e -> ((PolicyException) e).problems()).asList().hasSize(1);
  }

  @Test
  void parseDirectory_unreadableFile_isListedAndTheRestLoads(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.hcl"), CLUSTER);
    Path dangling = Files.createSymbolicLink(dir.resolve("b.hcl"), dir.resolve("gone.hcl"));

    LoadedPolicies loaded = Policies.parseDirectory(dir);

    assertThat(loaded.policies()).extracting(ScalingPolicy::name).containsExactly("cluster_policy");
    assertThat(loaded.failures().get(dangling))
        .hasMessage(dangling + ": the file cannot be read: no such file");
  }

  @Test
  void parseDirectory_allGood_isComplete(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.hcl"), CLUSTER);

    LoadedPolicies loaded = Policies.parseDirectory(dir);

    assertThat(loaded.complete()).isTrue();
    assertThat(loaded.orThrow()).hasSize(1);
  }

  @Test
  void parseDirectory_notADirectory_isRefused(@TempDir Path dir) {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> Policies.parseDirectory(missing)).isInstanceOf(PolicyException.class)
        .hasMessage(missing + ": it is not a directory but policies are read from one");
  }
  @Test
  void parse_docsExample_parses() throws IOException {
    // Surefire runs in core/, so docs/ is one level up; the policy file reference's example must keep parsing.
    String page = Files.readString(Path.of("..", "docs", "policies.md"));
    int start = page.indexOf("```hcl\n") + "```hcl\n".length();
    String example = page.substring(start, page.indexOf("```", start));

    assertThat(Policies.parse(example, "docs/policies.md").get(0).target().config()).containsEntry("node_class", "hashistack");
  }

  @Test
  void parse_heredocWithBraces_isRead() {
    String hcl = CLUSTER.replace("query_window = \"5m\"", """
        query_window = "5m"
              group = <<EOT
        {not a block}
        EOT
        """);

    assertThat(Policies.parse(hcl, "c.hcl").get(0).checks().get(0).group()).hasValue("{not a block}");
  }
}
