package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AgentConfigTest {
  @Test
  void parse_exampleFile_readsEveryBlock() {
    AgentConfig config = AgentConfig.parse(Path.of("../examples/agent.hcl"));

    assertThat(config.apms()).containsOnlyKeys("prometheus", "nomad-apm");
    assertThat(config.apms().get("prometheus").config()).containsEntry("address", "http://127.0.0.1:9090");
    assertThat(config.apms().get("nomad-apm").driver()).isEqualTo("nomad-apm");
    assertThat(config.targets().get("nomad-target").driver()).isEqualTo("nomad-target");
    assertThat(config.targets().get("aws-asg")).isEqualTo(
        new AgentConfig.PluginBlock("aws-asg", "aws-asg", Map.of("aws_region", "eu-west-1"), Optional.of("nomad")));
    assertThat(config.nodePools().get("nomad")).isEqualTo(
        new AgentConfig.PluginBlock("nomad", "nomad", Map.of("address", "http://127.0.0.1:4646")));
    assertThat(config.strategies()).containsOnlyKeys("target-value");
    assertThat(config.policyDir()).contains(Path.of("examples/nomad-policies"));
    assertThat(config.defaultCooldown()).contains(Duration.ofMinutes(5));
    assertThat(config.defaultEvaluationInterval()).contains(Duration.ofMinutes(1));
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.bindPort()).isEqualTo(8080);
  }

  @Test
  void parse_nomadBlock_isReadNotIgnored_aNamespaceListBecomesACommaList() {
    AgentConfig config = AgentConfig.parse("log_level = \"DEBUG\"\nnomad {\n  address = \"http://nomad:4646\"\n"
        + "  namespace = [\"apps\", \"ops\"]\n  skip_verify = true\n}\n", "a.hcl");

    assertThat(config.ignored()).isEmpty();
    assertThat(config.nomad()).contains(Map.of("address", "http://nomad:4646", "namespace", "apps,ops",
        "skip_verify", "true"));
    assertThat(config.nomadPolicies()).isTrue();
    assertThat(config.logLevel()).contains("DEBUG");
    assertThat(config.bindAddress()).isEqualTo(AgentConfig.DEFAULT_BIND_ADDRESS);
    assertThat(config.stateDir()).isEqualTo(Optional.empty());
  }

  @Test
  void parse_httpTokenFile_keptAsAPathAndBlankRefused() {
    assertThat(AgentConfig.parse("http {\n  token_file = \"/etc/capstan/http-token\"\n}\n", "a.hcl").httpTokenFile())
        .contains(Path.of("/etc/capstan/http-token"));
    assertThat(AgentConfig.parse("log_level = \"INFO\"\n", "a.hcl").httpTokenFile()).isEmpty();
    assertThatThrownBy(() -> AgentConfig.parse("http {\n  token_file = \" \"\n}\n", "a.hcl"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http block: token_file was ' ' but it must not be blank");
  }

  @Test
  void parse_directories_keptAsWritten() {
    AgentConfig config = AgentConfig.parse("policy {\n  dir = \"policies\"\n}\nstate_dir = \"state\"\n", "a.hcl");

    assertThat(config.policyDir()).contains(Path.of("policies"));
    assertThat(config.stateDir()).contains(Path.of("state"));
  }

  @Test
  void parse_severalProblems_reportsThemAllNamingTheFile() {
    String hcl = """
        apm "prometheus" {
          config = { address = "http://x" }
        }
        policy {
          default_cooldown = "soon"
        }
        http {
          bind_port = 70000
          bind_adress = "0.0.0.0"
        }
        telemetry_x = 1
        """;

    assertThatThrownBy(() -> AgentConfig.parse(hcl, "agent.hcl"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(5))
        .hasMessageContaining("agent file agent.hcl")
        .hasMessageContaining("apm \"prometheus\": driver is required but was missing")
        .hasMessageContaining("policy block: default_cooldown was 'soon'")
        .hasMessageContaining("http block: bind_port was '70000' but it must be between 0 and 65535")
        .hasMessageContaining("'bind_adress' is not a known key")
        .hasMessageContaining("'telemetry_x' is not a known setting");
  }

  private static final Path PEER = Path.of("src/test/resources/peer");

  @Test
  void load_peersFullFixture_loadsAndNamesWhatHasNoEffect() {
    AgentConfig config = AgentConfig.load(List.of(PEER.resolve("agent_config_full.hcl")));

    assertThat(config.logLevel()).contains("TRACE");
    assertThat(config.bindAddress()).isEqualTo("10.0.0.2");
    assertThat(config.bindPort()).isEqualTo(8888);
    assertThat(config.policyDir()).contains(Path.of("./policy-dir-from-file"));
    assertThat(config.defaultCooldown()).contains(Duration.ofSeconds(12));
    assertThat(config.defaultEvaluationInterval()).contains(Duration.ofMinutes(50));
    assertThat(config.sources()).isEqualTo(new AgentConfig.PolicySources(false, false, true));
    assertThat(config.ignored()).contains("enable_debug", "plugin_dir", "policy_eval", "high_availability")
        .doesNotContain("log_json", "log_include_location", "nomad");
    assertThat(config.observability()).isEqualTo(new AgentConfig.Observability(true, true, false));
    assertThat(config.nomadBlock()).containsEntry("address", "http://nomad_from_file.example.com:4646")
        .containsEntry("namespace", "staging").containsEntry("token", "TOKEN_FROM_FILE")
        .containsEntry("skip_verify", "true").hasSize(11);
    assertThat(config.nomadPolicies()).as("the fixture disables the nomad source").isFalse();
  }

  @Test
  void parse_telemetryBlock_prometheusMetricsIsReadAndTheSinksAreListedAsWithoutEffect() {
    AgentConfig config = AgentConfig.parse("""
        telemetry {
          prometheus_metrics        = true
          prometheus_retention_time = "24h"
          statsd_address            = "127.0.0.1:8125"
        }
        """, "agent.hcl");

    assertThat(config.observability().prometheusMetrics()).isTrue();
    assertThat(config.ignored()).containsExactly("telemetry.prometheus_retention_time", "telemetry.statsd_address");
  }

  @Test
  void parse_noTelemetryBlock_servesNoPrometheusFormatAsThePeer() {
    assertThat(AgentConfig.parse("log_level = \"INFO\"\n", "agent.hcl").observability())
        .isEqualTo(AgentConfig.Observability.DEFAULT);
  }

  @Test
  void parse_badObservabilityValues_nameTheKeyAndValue() {
    assertThatThrownBy(() -> AgentConfig.parse("""
        log_json = "yes"
        telemetry {
          prometheus_metrics = "often"
        }
        """, "agent.hcl")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("log_json was 'yes' but it must be true or false")
        .hasMessageContaining("telemetry block: prometheus_metrics was 'often'");
  }

  @Test
  void load_severalFiles_laterSettingsWinAsThePeerMerges() {
    AgentConfig config = AgentConfig.load(List.of(PEER.resolve("agent_config_full.hcl"),
        PEER.resolve("agent_config_small.hcl")));

    assertThat(config.logLevel()).contains("ERROR");
    assertThat(config.bindPort()).isEqualTo(8888);
  }

  @Test
  void load_directory_mergesItsHclAndJsonFilesInNameOrder(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.hcl"), """
        http { bind_port = 1000 }
        apm "prometheus" {
          driver = "prometheus"
          config = { address = "http://a:9090", timeout = "5s" }
        }
        """);
    Files.writeString(dir.resolve("b.json"), """
        {"http": {"bind_address": "0.0.0.0"}, "apm": {"prometheus": {"driver": "prometheus",
         "config": {"address": "http://b:9090"}}}, "log_level": "warn"}
        """);
    Files.writeString(dir.resolve("notes.txt"), "not an agent file");

    AgentConfig config = AgentConfig.load(List.of(dir));

    assertThat(config.bindPort()).isEqualTo(1000);
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.apms().get("prometheus").config()).isEqualTo(Map.of("address", "http://b:9090"));
    assertThat(config.logLevel()).contains("WARN");
    assertThat(config.origin()).contains("a.hcl").contains("b.json");
  }

  @Test
  void parse_unknownNomadKey_namesItAndTheKnownOnes() {
    assertThatThrownBy(() -> AgentConfig.parse("nomad {\n  adress = \"http://nomad:4646\"\n}\n", "a.hcl"))
        .hasMessageContaining("a.hcl").hasMessageContaining("nomad block: 'adress' is not a known key")
        .hasMessageContaining("address, block_query_wait_time, ca_cert");
  }

  @Test
  void nomadPolicies_offWithoutAnyMentionOfNomad_onWithASourceBlock_offWhenDisabled() {
    assertThat(AgentConfig.parse("http {\n  bind_port = 1\n}\n", "a.hcl").nomadPolicies()).isFalse();
    assertThat(AgentConfig.parse("policy {\n  source \"nomad\" {\n    enabled = true\n  }\n}\n", "a.hcl")
        .nomadPolicies()).isTrue();
    assertThat(AgentConfig.parse("nomad {}\npolicy {\n  source \"nomad\" {\n    enabled = false\n  }\n}\n",
        "a.hcl").nomadPolicies()).isFalse();
  }

  @Test
  void parse_unknownPolicySource_namesIt() {
    assertThatThrownBy(() -> AgentConfig.parse("policy {\n  source \"consul\" { enabled = true }\n}\n", "a.hcl"))
        .hasMessageContaining("source \"consul\": the name was 'consul' but it must be file or nomad");
  }

  @Test
  void parse_badLogLevel_namesIt() {
    assertThatThrownBy(() -> AgentConfig.parse("log_level = \"LOUD\"\n", "a.hcl"))
        .hasMessageContaining("log_level was 'LOUD' but it must be one of");
  }
}
