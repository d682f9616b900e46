package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HCL that nomad-autoscaler's policy files use, and Capstan's secrets by reference in target blocks. */
final class PeerSyntaxTest {
  private static final String ORIGIN = "policies/web.hcl";
  private static final String P = ORIGIN + ": policy 'web': ";
  private static final String SECRET = "s3cr3t-Zq81-never-shown";

  private static String hcl(String check, String target) {
    return """
        scaling "web" {
          enabled = true
          max     = 1e1
          policy {
            check "cpu" {
              source = "prometheus"
              %s
            }
            target "aws-asg" {
              aws_asg_name = "web"
              %s
            }
          }
        }
        """.formatted(check, target);
  }

  private static ScalingPolicy parse(String check, String target, UnaryOperator<String> env) {
    List<ScalingPolicy> policies = PolicyParser.parse(hcl(check, target), ORIGIN, env);
    assertThat(policies).hasSize(1);
    return policies.get(0);
  }

  private static List<String> problems(String check, String target, UnaryOperator<String> env) {
    return catchThrowableOfType(PolicyException.class, () -> PolicyParser.parse(hcl(check, target), ORIGIN, env))
        .problems();
  }

  private static final String CPU = "query = \"avg(cpu)\"\nstrategy \"target-value\" { target = 7e1 }";

  @Test
  void exponentNumbers_areReadAsTheNumbersTheyWrite() {
    ScalingPolicy p = parse(CPU, "", name -> null);

    assertThat(p.max()).isEqualTo(10);
    assertThat(p.checks().get(0).strategy().config()).containsEntry("target", "70");
  }

  @Test
  void jsonencode_inAQuery_givesThePeersJson() {
    ScalingPolicy p = parse("""
        query = jsonencode({ type = "infra", metric = "cpu.used", aggregation = "mean", window = 60000 })
        strategy "target-value" { target = 70 }
        """, "", name -> null);

    assertThat(p.checks().get(0).query())
        .isEqualTo("{\"aggregation\":\"mean\",\"metric\":\"cpu.used\",\"type\":\"infra\",\"window\":60000}");
  }

  @Test
  void unknownFunction_namesFileLineAndColumn() {
    String text = hcl("query = lower(\"AVG(cpu)\")\nstrategy \"target-value\" { target = 70 }", "");

    assertThat(catchThrowableOfType(PolicyException.class, () -> Policies.parse(text, ORIGIN)).problems())
        .singleElement().asString()
        .startsWith(ORIGIN + ":7:15: lower(...) is not a function Capstan's files may call");
  }

  @Test
  void queryWindowInstant_isAnInstantQuery() {
    ScalingPolicy p = parse("query = \"avg(cpu)\"\nquery_window = \"instant\"\nstrategy \"target-value\" { target = 70 }",
        "", name -> null);

    Check cpu = p.checks().get(0);
    assertThat(cpu.queryInstant()).isTrue();
    assertThat(cpu.queryWindow()).isZero();
    assertThat(cpu.isSet(Check.Field.QUERY_WINDOW)).isTrue();
    assertThat(cpu).isEqualTo(Check.builder().name("cpu").source("prometheus").query("avg(cpu)").queryInstant()
        .strategy(PluginRef.of("target-value", Map.of("target", "70"))).build());
  }

  @Test
  void queryWindowInstant_thresholdWithoutTriggerOne_isRefusedAsThePeerDoes() {
    assertThat(problems("""
        query        = "avg(cpu)"
        query_window = "instant"
        strategy "threshold" {
          lower_bound = 70
          delta       = 1
        }
        """, "", name -> null)).containsExactly(P + "check 'cpu': strategy 'threshold': within_bounds_trigger was "
        + "'(not set)' but it must be 1 when query_window = \"instant\" (an instant query gives one point)");
  }

  @Test
  void queryWindowZero_isStillRefused() {
    assertThat(problems("query = \"avg(cpu)\"\nquery_window = \"0s\"\nstrategy \"target-value\" { target = 70 }",
        "", name -> null)).containsExactly(P + "check 'cpu': query_window was '0s' but it must be a positive duration");
    assertThat(Check.builder().name("c").source("s").query("q").queryInstant().queryWindow(Duration.ofMinutes(2))
        .strategy(PluginRef.of("pass", Map.of())).build().queryInstant()).isFalse();
  }

  @Test
  void envInTargetBlock_isResolvedMarkedSecretAndNeverShown() {
    ScalingPolicy p = parse(CPU, "aws_secret_access_key = env(\"AWS_SECRET\")", Map.of("AWS_SECRET", SECRET)::get);

    PluginRef target = p.target();
    assertThat(target.config()).containsEntry("aws_secret_access_key", SECRET).containsEntry("aws_asg_name", "web");
    assertThat(target.secretKeys()).containsExactly("aws_secret_access_key");
    assertThat(p.toString()).doesNotContain(SECRET).contains("aws_secret_access_key=(secret)");
    assertThat(target.redact("denied for key " + SECRET + ".")).isEqualTo("denied for key (secret).");
  }

  @Test
  void fileInTargetBlock_isReadWithoutItsNewline(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("token"), SECRET + "\n");

    ScalingPolicy p = parse(CPU, "token = file(\"" + secret + "\")", name -> null);

    assertThat(p.target().config()).containsEntry("token", SECRET);
    assertThat(p.target().secretKeys()).containsExactly("token");
  }

  @Test
  void envUnset_namesFilePolicyTargetKeyAndVariable() {
    assertThat(problems(CPU, "aws_secret_access_key = env(\"AWS_SECRET\")", name -> null))
        .containsExactly(P + "target 'aws-asg': aws_secret_access_key = env(\"AWS_SECRET\") has no value: the "
            + "environment variable AWS_SECRET is not set");
  }

  @Test
  void fileUnreadable_namesTheKeyAndFile(@TempDir Path dir) {
    Path missing = dir.resolve("absent");

    assertThat(problems(CPU, "token = file(\"" + missing + "\")", name -> null))
        .containsExactly(P + "target 'aws-asg': token = file(\"" + missing + "\") has no value: the file cannot be "
            + "read (NoSuchFile)");
  }

  @Test
  void referenceOutsideATargetBlock_isRefused() {
    assertThat(problems("query = env(\"QUERY\")\nstrategy \"target-value\" { target = 70 }", "",
        Map.of("QUERY", SECRET)::get))
        .containsExactly(P + "check 'cpu': query is env(\"QUERY\") but a secret reference may stand only in a target "
            + "block");
  }
}
