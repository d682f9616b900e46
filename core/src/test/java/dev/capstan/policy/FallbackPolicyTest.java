package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class FallbackPolicyTest {
  private static String policy(String fallback) {
    return """
        scaling "workers" {
          min = 0
          max = 50
          policy {
            check "queue" {
              source = "prometheus"
              query  = "sum(queue_depth)"
              strategy "target-value" { target = 10 }
              %s
            }
            target "aws-asg" { aws_asg_name = "workers" }
          }
        }
        """.formatted(fallback);
  }

  private static Fallback parsed(String fallback) {
    return Policies.parse(policy(fallback), "workers.hcl").get(0).checks().get(0).fallback().orElseThrow();
  }

  @Test
  void fallbackBlock_countOrBehavior_parsed() {
    assertThat(parsed("fallback {\n failures = 3\n count = 4\n }")).isEqualTo(Fallback.count(3, 4));
    assertThat(parsed("fallback {\n failures = 2\n behavior = \"current\"\n }"))
        .isEqualTo(Fallback.of(2, Fallback.Behavior.CURRENT, OptionalLong.empty()));
    assertThat(parsed("fallback {\n failures = 2\n behavior = \"current_if_higher\"\n count = 6\n }").vote(3))
        .isEqualTo(6);
  }

  @Test
  void fallbackBlock_noFallback_empty() {
    assertThat(Policies.parse(policy(""), "workers.hcl").get(0).checks().get(0).fallback()).isEmpty();
  }

  @Test
  void fallbackBlock_missingFailures_namesTheField() {
    assertThatThrownBy(() -> Policies.parse(policy("fallback {\n count = 4\n }"), "workers.hcl"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("workers.hcl")
        .hasMessageContaining("'queue'").hasMessageContaining("fallback.failures is missing but it must be given");
  }

  @Test
  void fallbackBlock_badValues_eachNamed() {
    assertThatThrownBy(() -> Policies.parse(policy("fallback {\n failures = 0\n count = 4\n }"), "workers.hcl"))
        .hasMessageContaining("fallback.failures was '0' but it must be at least 1");
    assertThatThrownBy(() -> Policies.parse(policy("fallback {\n failures = 1\n behavior = \"sometimes\"\n }"),
        "workers.hcl")).hasMessageContaining("fallback.behavior was 'sometimes' but it must be one of static, current");
    assertThatThrownBy(() -> Policies.parse(policy("fallback {\n failures = 1\n behavior = \"current_if_lower\"\n }"),
        "workers.hcl")).hasMessageContaining("fallback.count is missing but it must be given with behavior");
    assertThatThrownBy(() -> Policies.parse(policy("fallback {\n failures = 1\n replicas = 3\n }"), "workers.hcl"))
        .hasMessageContaining("fallback.replicas is not a known attribute");
  }
}
