package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.CheckResult;
import dev.capstan.engine.Decider;
import dev.capstan.engine.PolicyState;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Behavior;
import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code GET /v1/decisions} says about decisions the behavior rules shaped. */
final class DecisionLogTest {
  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

  /** Six fewer below 40, ten more above 60. */
  private static final Strategy BAND = (current, metrics) ->
      metrics.latest() > 60 ? current + 10 : metrics.latest() < 40 ? Math.max(0, current - 6) : current;

  private static ScalingPolicy policy(Behavior.Rules down) {
    return ScalingPolicy.builder().name("web").min(0).max(100).cooldown(Duration.ofMillis(1))
        .check(Check.of("cpu", "src", "cpu", PluginRef.of("band", Map.of()))).target(PluginRef.of("mem", Map.of()))
        .behavior(Behavior.defaults().withScaleDown(down)).build();
  }

  private static String json(ScalingPolicy policy, double cpu) {
    List<CheckResult> results = List.of(CheckResult.counted(policy.checks().get(0), OnError.IGNORE,
        MetricSeries.of(0, cpu), BAND.desiredCount(10, MetricSeries.of(0, cpu))));
    ScalingDecision d = Decider.next(policy, PolicyState.INITIAL, results, List.of(BAND), TargetStatus.ready(10), NOW,
        false).decision();
    DecisionLog log = new DecisionLog(10);
    log.onDecision(d);
    return log.toJson();
  }

  @Test
  void projectedScaleIn_showsTheProjectionsLine_andTheCountItStartedFrom() {
    // At 10, 30 < 40: 4. At 4, 30 × 10 / 4 = 75 > 60; at 5, 60 is inside the band.
    String json = json(policy(Behavior.Rules.scaleDown().stabilizationWindow(Duration.ZERO).projection(true).build()),
        30);

    assertThat(json).contains("\"outcome\" : \"SCALED\"").contains("\"count\" : 5")
        .contains("\"capstan.projected_from\" : \"4\"")
        .contains("scale-down limited to 5 by projection: at 4 check 'cpu' (30 × 10 / 4 = 75) would want 14; at 5 "
            + "no check would scale out");
  }

  @Test
  void scaleInHeldByTheWindow_isListedWithTheStabilizationLine() {
    // The first evaluation records the current count, 10: the 5m window keeps the group there.
    String json = json(policy(Behavior.DEFAULT_SCALE_DOWN), 30);

    assertThat(json).contains("\"outcome\" : \"NO_CHANGE\"")
        .contains("scale-down stabilized to 10: the highest recommendation within the 5m0s scale_down window");
  }
}
