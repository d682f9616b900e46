package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class DemandCheckTest {
  private static String policy(String demand) {
    return """
        scaling "burst" {
          min = 0
          max = 5
          policy {
            check "cpu" {
              source = "prometheus"
              query  = "sum(nomad_client_allocated_cpu)"
              strategy "target-value" { target = 70 }
            }
            check "pending" {
              source = "prometheus"
              query  = "sum(nomad_nomad_blocked_evals_total_cpu)"
              %s
              strategy "threshold" {
                lower_bound = 1
                value       = 1
              }
            }
            target "aws-asg" { aws_asg_name = "burst" }
          }
        }
        """.formatted(demand);
  }

  @Test
  void demandAttribute_marksTheCheck_othersDefaultToFalse() {
    List<ScalingPolicy> parsed = Policies.parse(policy("demand = true"), "burst.hcl");
    assertThat(parsed.get(0).checks()).extracting(Check::name, Check::demand)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu", false), org.assertj.core.groups.Tuple.tuple("pending", true));
  }

  @Test
  void demandAttribute_notABoolean_reportedWithPolicyAndCheck() {
    assertThatThrownBy(() -> Policies.parse(policy("demand = \"sometimes\""), "burst.hcl"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("burst.hcl")
        .hasMessageContaining("'pending'")
        .hasMessageContaining("demand was 'sometimes' but it must be true or false");
  }

  @Test
  void builderCheck_withDemand_equalsParsed() {
    Check parsed = Policies.parse(policy("demand = true"), "burst.hcl").get(0).checks().get(1);
    assertThat(parsed.withDemand(false).demand()).isFalse();
    assertThat(parsed.withDemand(false).withDemand(true)).isEqualTo(parsed);
  }
}
