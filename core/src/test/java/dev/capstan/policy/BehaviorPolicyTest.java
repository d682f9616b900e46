package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.capstan.policy.Behavior.Rate;
import dev.capstan.policy.Behavior.Rules;
import dev.capstan.policy.Behavior.Select;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class BehaviorPolicyTest {
  private static final String ORIGIN = "policies/web.hcl";
  private static final String P = "policies/web.hcl: policy 'web': ";

  private static String hcl(String behavior) {
    return """
        scaling "web" {
          max = 10
          policy {
            %s
            check "cpu" {
              source = "prometheus"
              query  = "up"
              strategy "target-value" { target = 70 }
            }
            target "aws-asg" { aws_asg_name = "web" }
          }
        }
        """.formatted(behavior);
  }

  private static ScalingPolicy parse(String text) {
    return Policies.parse(text, ORIGIN).get(0);
  }

  private static List<String> problems(String text) {
    return catchThrowableOfType(PolicyException.class, () -> Policies.parse(text, ORIGIN)).problems();
  }

  @Test
  void behaviorBlock_asInTheIssue_parsesEveryField() {
    ScalingPolicy p = parse(hcl("""
        behavior {
          scale_up {
            stabilization_window = "0s"
            select               = "min"
            rate "count" {
              value  = 4
              period = "15s"
            }
            rate "percent" {
              value  = 100
              period = "15s"
            }
          }
          scale_down {
            stabilization_window = "5m"
            rate "percent" {
              value  = 10
              period = "1m"
            }
          }
        }
        """));
    assertThat(p.behavior()).contains(new Behavior(
        new Rules(Duration.ZERO, Select.MIN, List.of(Rate.count(4, Duration.ofSeconds(15)),
            Rate.percent(100, Duration.ofSeconds(15)))),
        new Rules(Duration.ofMinutes(5), Select.MAX, List.of(Rate.percent(10, Duration.ofMinutes(1))))));
  }

  @Test
  void behaviorBlock_empty_takesKubernetesDefaults() {
    assertThat(parse(hcl("behavior {}")).behavior()).contains(Behavior.defaults());
  }

  @Test
  void direction_withoutRate_keepsTheDefaultRates() {
    ScalingPolicy p = parse(hcl("behavior { scale_down { stabilization_window = \"1m\" } }"));
    assertThat(p.behavior().orElseThrow().scaleDown())
        .isEqualTo(new Rules(Duration.ofMinutes(1), Select.MAX, Behavior.DEFAULT_SCALE_DOWN.rates()));
    assertThat(p.behavior().orElseThrow().scaleUp()).isEqualTo(Behavior.DEFAULT_SCALE_UP);
  }

  @Test
  void rate_repeated_keepsEveryCopy() {
    ScalingPolicy p = parse(hcl("""
        behavior { scale_up {
          rate "count" { value = 1
                         period = "10s" }
          rate "count" { value = 5
                         period = "1m" }
        } }
        """));
    assertThat(p.behavior().orElseThrow().scaleUp().rates())
        .containsExactly(Rate.count(1, Duration.ofSeconds(10)), Rate.count(5, Duration.ofMinutes(1)));
  }

  @Test
  void policy_withoutBehavior_hasNone() {
    assertThat(parse(hcl("")).behavior()).isEmpty();
  }

  @Test
  void jsonForm_isTheSameAsHcl() {
    String json = """
        {"scaling": {"web": {"max": 10, "policy": {
          "behavior": {"scale_down": {"stabilization_window": "1m", "select": "disabled",
                       "rate": [{"count": {"value": 2, "period": "30s"}}]}},
          "check": {"cpu": {"source": "prometheus", "query": "up", "strategy": {"target-value": {"target": 70}}}},
          "target": {"aws-asg": {"aws_asg_name": "web"}}}}}}
        """;
    assertThat(Policies.parse(json, "policies/web.json").get(0).behavior().orElseThrow().scaleDown())
        .isEqualTo(new Rules(Duration.ofMinutes(1), Select.DISABLED, List.of(Rate.count(2, Duration.ofSeconds(30)))));
  }

  @Test
  void badValues_everyOneReported_namingFilePolicyAndField() {
    assertThat(problems(hcl("""
        behavior {
          scale_up {
            stabilization_window = "2h"
            select               = "avg"
            rate "pods" {
              value  = 4
              period = "15s"
            }
          }
          scale_down {
            stabilization_window = "-1s"
            rate "percent" {
              value  = 0
              period = "31m"
            }
            rate "count" {
              period = "0s"
            }
            projektion = true
          }
        }
        """))).containsExactlyInAnyOrder(
        P + "behavior.scale_up.select was 'avg' but it must be one of max, min, disabled",
        P + "behavior.scale_up.rate was 'pods' but it must be count or percent",
        P + "behavior.scale_down.projektion is not a known attribute; did you mean projection?",
        P + "behavior.scale_down.stabilization_window was '-1s' but it must be from 0s to 1h",
        P + "behavior.scale_down.rate 'count'.value is required but was missing",
        P + "behavior.scale_up.stabilization_window was '2h0m0s' but it must be from 0s to 1h",
        P + "behavior.scale_down.rate 'percent'.value was '0' but it must be a whole number from 1 to 2147483647",
        P + "behavior.scale_down.rate 'percent'.period was '31m0s' but it must be from 1s to 30m");
  }

  @Test
  void builder_badValues_sameMessages() {
    ScalingPolicy.Builder b = ScalingPolicy.builder().origin(ORIGIN).name("web").max(10)
        .check(Check.of("cpu", "prometheus", "up", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of()))
        .behavior(Behavior.defaults().withScaleDown(Rules.scaleDown().stabilizationWindow(Duration.ofHours(2))
            .rate(Rate.count(0, Duration.ZERO)).build()));
    assertThat(catchThrowableOfType(PolicyException.class, b::build).problems()).containsExactly(
        P + "behavior.scale_down.stabilization_window was '2h0m0s' but it must be from 0s to 1h",
        P + "behavior.scale_down.rate 'count'.value was '0' but it must be a whole number from 1 to 2147483647",
        P + "behavior.scale_down.rate 'count'.period was '0s' but it must be from 1s to 30m");
  }

  @Test
  void percentScaleDownAbove100_isValid_asInKubernetes() {
    ScalingPolicy p = parse(hcl("behavior { scale_down { rate \"percent\" {\nvalue = 200\nperiod = \"1m\"\n} } }"));
    assertThat(p.behavior().orElseThrow().scaleDown().rates()).containsExactly(Rate.percent(200, Duration.ofMinutes(1)));
  }

  @Test
  void toBuilder_keepsTheBehavior() {
    ScalingPolicy p = parse(hcl("behavior {}"));
    assertThat(p.toBuilder().cooldown(Duration.ofMinutes(1)).build().behavior()).isEqualTo(p.behavior());
  }

  @Test
  void projection_inHcl_isReadIntoTheScaleDownRules_withTheirDefaultsKept() {
    Behavior b = parse(hcl("behavior {\nscale_down {\nprojection = true\n}\n}")).behavior().orElseThrow();
    assertThat(b.scaleDown()).isEqualTo(new Rules(Duration.ofMinutes(5), Select.MAX,
        Behavior.DEFAULT_SCALE_DOWN.rates(), true));
    assertThat(b.scaleUp().projection()).isFalse();
  }

  @Test
  void projection_leftOut_isOff() {
    assertThat(parse(hcl("behavior {}")).behavior().orElseThrow().scaleDown().projection()).isFalse();
  }

  @Test
  void projection_inJson_isTheSameAsHcl() {
    String json = """
        {"scaling": {"web": {"max": 10, "policy": {
          "behavior": {"scale_down": {"projection": true}},
          "check": {"cpu": {"source": "prometheus", "query": "up", "strategy": {"target-value": {"target": 70}}}},
          "target": {"aws-asg": {"aws_asg_name": "web"}}}}}}
        """;
    assertThat(Policies.parse(json, "policies/web.json").get(0).behavior().orElseThrow().scaleDown().projection())
        .isTrue();
  }

  @Test
  void projection_inBuilder_isKeptByToBuilder() {
    ScalingPolicy p = ScalingPolicy.builder().origin(ORIGIN).name("web").max(10)
        .check(Check.of("cpu", "prometheus", "up", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of()))
        .behavior(Behavior.defaults().withScaleDown(Rules.scaleDown().projection(true).build())).build();
    assertThat(p.toBuilder().max(20).build().behavior().orElseThrow().scaleDown().projection()).isTrue();
  }

  @Test
  void projection_onScaleUp_isRefused_namingTheField() {
    String message = P + "behavior.scale_up.projection was 'true' but it is a scale_down rule: only a scale-in "
        + "is projected";
    assertThat(problems(hcl("behavior {\nscale_up {\nprojection = true\n}\n}"))).containsExactly(message);
    ScalingPolicy.Builder b = ScalingPolicy.builder().origin(ORIGIN).name("web").max(10)
        .check(Check.of("cpu", "prometheus", "up", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of()))
        .behavior(Behavior.defaults().withScaleUp(Rules.scaleUp().projection(true).build()));
    assertThat(catchThrowableOfType(PolicyException.class, b::build).problems()).containsExactly(message);
  }

  @Test
  void projection_notABoolean_isRefused_namingTheField() {
    assertThat(problems(hcl("behavior {\nscale_down {\nprojection = \"maybe\"\n}\n}"))).containsExactly(
        P + "behavior.scale_down.projection was 'maybe' but it must be true or false");
  }
}
