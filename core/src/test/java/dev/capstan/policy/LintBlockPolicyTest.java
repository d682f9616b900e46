package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A policy's {@code lint { ignore = [...] }} block. */
final class LintBlockPolicyTest {
  private static String policy(String lint) {
    return """
        scaling "burst" {
          min = 0
          max = 12
          policy {
            %s
            check "cpu" {
              source = "prometheus"
              query  = "avg(cpu)"
              strategy "target-value" {
                target    = 70
                threshold = 0.1
              }
            }
            target "aws-asg" { aws_asg_name = "burst" }
          }
        }
        """.formatted(lint);
  }

  @Test
  void lintBlock_ruleIds_parsedAndSilenceTheLinter() {
    ScalingPolicy policy = Policies.parse(policy("lint {\n ignore = [\"min-zero-without-demand\", \"shared-target\"]\n }"),
        "burst.hcl").get(0);

    assertThat(policy.lintIgnored()).isEqualTo(Set.of(LintRule.MIN_ZERO_WITHOUT_DEMAND, LintRule.SHARED_TARGET));
    assertThat(PolicyLint.lint(policy)).isEmpty();
    assertThat(PolicyLint.lint(Policies.parse(policy(""), "burst.hcl").get(0))).extracting(LintWarning::rule)
        .contains("min-zero-without-demand");
  }

  @Test
  void lintBlock_json_sameAsHcl() {
    String json = """
        {"scaling": {"burst": {"min": 0, "max": 12, "policy": {
          "lint": {"ignore": ["min-zero-without-demand"]},
          "check": {"cpu": {"source": "prometheus", "query": "avg(cpu)", "strategy": {"target-value": {"target": 70}}}},
          "target": {"aws-asg": {"aws_asg_name": "burst"}}}}}}
        """;

    assertThat(Policies.parse(json, "burst.json").get(0).lintIgnored()).containsExactly(LintRule.MIN_ZERO_WITHOUT_DEMAND);
  }

  @Test
  void lintBlock_unknownRule_namesFileFieldAndTheRules() {
    assertThatThrownBy(() -> Policies.parse(policy("lint {\n ignore = [\"min-zero-without-demnd\"]\n }"), "burst.hcl"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("burst.hcl: policy 'burst': lint.ignore was 'min-zero-without-demnd' but it must name "
            + "a lint rule (cooldown-below-interval, ")
        .hasMessageContaining("did you mean min-zero-without-demand?");
  }

  @Test
  void lintBlock_notAListOrUnknownKey_isRefused() {
    assertThatThrownBy(() -> Policies.parse(policy("lint {\n ignore = \"shared-target\"\n }"), "burst.hcl"))
        .hasMessageContaining("burst.hcl: policy 'burst': lint.ignore was 'shared-target' but it must be a list of "
            + "lint rule ids");
    assertThatThrownBy(() -> Policies.parse(policy("lint {\n ignored = [\"shared-target\"]\n }"), "burst.hcl"))
        .hasMessageContaining("lint.ignored is not a known attribute; did you mean ignore?");
  }
}
