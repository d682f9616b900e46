package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Behavior;
import dev.capstan.policy.Behavior.Rate;
import dev.capstan.policy.Behavior.Rules;
import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Azure's anti-flap rule ({@code behavior { scale_down { projection = true } }}) through the public API,
 * every count computed by hand. The "band" strategy is an Azure-style rule: {@code step} more above
 * {@code above}, {@code step} fewer below {@code below}, else no change.
 */
final class ProjectionTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final InMemoryTarget target = InMemoryTarget.withCount(10);
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final StateStore store = StateStore.inMemory();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** Above {@code above}: {@code step} more; below {@code below}: {@code step} fewer (not under 0); else none. */
  private static Strategy band(Map<String, String> config) {
    double above = Double.parseDouble(config.get("above"));
    double below = Double.parseDouble(config.get("below"));
    long step = Long.parseLong(config.get("step"));
    return (current, metrics) -> {
      double v = metrics.latest();
      return v > above ? current + step : v < below ? Math.max(0, current - step) : current;
    };
  }

  private Autoscaler autoscaler(ScalingPolicy policy) {
    Autoscaler a = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock)
        .scheduler(new ManualScheduler(clock)).executor(Runnable::run).jitter(0).lookupPlugins(false)
        .strategy("band", ProjectionTest::band)
        .strategy("fragile", config -> (current, metrics) -> {
          if (current != 10) {
            throw new IllegalStateException("only knows 10");
          }
          return 4;
        })
        .metricSource("src", source).target("mem", target).stateStore(store).policy(policy).build();
    toClose.add(a);
    return a;
  }

  private static Check band(String name, double above, double below, long step) {
    return Check.of(name, "src", name, PluginRef.of("band",
        Map.of("above", Double.toString(above), "below", Double.toString(below), "step", Long.toString(step))));
  }

  /** Scale-down rules without a window, so only the projection (and the rates given) hold a scale-in back. */
  private static Rules.Builder down() {
    return Rules.scaleDown().stabilizationWindow(Duration.ZERO).projection(true);
  }

  private static ScalingPolicy policy(Rules downRules, Check... checks) {
    ScalingPolicy.Builder b = ScalingPolicy.builder().name("web").min(0).max(100).cooldown(Duration.ofMillis(1))
        .evaluationInterval(Duration.ofSeconds(15)).target(PluginRef.of("mem", Map.of()))
        .behavior(Behavior.defaults().withScaleDown(downRules));
    for (Check c : checks) {
      b.check(c);
    }
    return b.build();
  }

  private ScalingDecision evaluate(Autoscaler a) {
    return a.evaluate(a.policies().get(0));
  }

  @Test
  void azureDocsExample_scaleInDeferred_untilTheProjectionNoLongerScalesOut() {
    // learn.microsoft.com, "Flapping in Autoscale": out by 1 above 50 %, in by 1 below 30 %; at 2 instances
    // with 28 % the scale-in to 1 would give 28 × 2 / 1 = 56 % there, a scale-out: it is deferred.
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 2);
    source.answer("cpu", 28);
    Autoscaler a = autoscaler(policy(down().build(), band("cpu", 50, 30, 1)));
    ScalingDecision d = evaluate(a);

    assertThat(target.count()).isEqualTo(2);
    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.reasons()).contains(
        "scale-down to 1 cancelled by projection: at 1 check 'cpu' (28 × 2 / 1 = 56) would want 2; count stays 2");

    clock.advance(Duration.ofSeconds(15));
    source.answer("cpu", 24);
    // 24 × 2 / 1 = 48, no longer above 50.
    evaluate(a);
    assertThat(target.count()).isEqualTo(1);
  }

  @Test
  void withoutProjection_theSameScaleInHappens() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 2);
    source.answer("cpu", 28);
    evaluate(autoscaler(policy(down().projection(false).build(), band("cpu", 50, 30, 1))));

    assertThat(target.count()).isEqualTo(1);
  }

  @Test
  void scaleIn_goesToTheSmallestCountNoCheckWouldScaleOutFrom() {
    source.answer("cpu", 30);
    // At 10, 30 < 40: six fewer, 4. At 4: 30 × 10 / 4 = 75 > 60, a scale-out. At 5: 60, inside the band.
    ScalingDecision d = evaluate(autoscaler(policy(down().build(), band("cpu", 60, 40, 6))));

    assertThat(target.count()).isEqualTo(5);
    assertThat(d.reasons()).contains("scale-down limited to 5 by projection: at 4 check 'cpu' (30 × 10 / 4 = 75) "
        + "would want 10; at 5 no check would scale out");
    assertThat(d.action().orElseThrow().meta()).containsEntry(ScalingDecision.META_PROJECTED_FROM, "4");
  }

  @Test
  void scaleIn_thatNoCheckWouldUndo_goesAhead_andSaysSo() {
    source.answer("cpu", 10);
    // At 4: 10 × 10 / 4 = 25, still below 40: no check scales out.
    ScalingDecision d = evaluate(autoscaler(policy(down().build(), band("cpu", 60, 40, 6))));

    assertThat(target.count()).isEqualTo(4);
    assertThat(d.reasons()).contains("projection: at 4 no check would scale out");
    assertThat(d.action().orElseThrow().meta()).doesNotContainKey(ScalingDecision.META_PROJECTED_FROM);
  }

  @Test
  void everyCheckIsProjected_notOnlyTheOneThatWon() {
    source.answer("cpu", 10).answer("mem", 30);
    // Both want 4 (10 < 40 and 30 < 50, six fewer). At 4, cpu's 25 stays low but mem's 75 is above 70;
    // at 5, mem's 60 is inside its band.
    ScalingDecision d = evaluate(autoscaler(policy(down().build(), band("cpu", 60, 40, 6), band("mem", 70, 50, 6))));

    assertThat(target.count()).isEqualTo(5);
    assertThat(d.reasons()).contains("scale-down limited to 5 by projection: at 4 check 'mem' (30 × 10 / 4 = 75) "
        + "would want 10; at 5 no check would scale out");
  }

  @Test
  void toZero_theValueIsProjectedAsToOneInstance() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 2);
    source.answer("cpu", 30);
    // At 2, 30 < 40: two fewer, 0. At 0 and at 1 the projected value is 30 × 2 / 1 = 60 > 50: a scale-out.
    ScalingDecision d = evaluate(autoscaler(policy(down().build(), band("cpu", 50, 40, 2))));

    assertThat(target.count()).isEqualTo(2);
    assertThat(d.reasons()).contains("scale-down to 0 cancelled by projection: at 0 check 'cpu' (30 × 2 / 1 = 60) "
        + "would want 2; at 1 check 'cpu' (30 × 2 / 1 = 60) would want 3; count stays 2");
  }

  @Test
  void projection_judgesTheCountTheRateLimitLeft() {
    source.answer("cpu", 10);
    // The checks want 4, the rate allows 3 fewer: 7. At 7: 10 × 10 / 7 = 14.29, no scale-out.
    ScalingDecision d = evaluate(autoscaler(policy(down().rate(Rate.count(3, Duration.ofMinutes(1))).build(),
        band("cpu", 60, 40, 6))));

    assertThat(target.count()).isEqualTo(7);
    int rate = d.reasons().indexOf("scale-down limited to 7 by rate count 3 / 1m0s (period start 10)");
    int projection = d.reasons().indexOf("projection: at 7 no check would scale out");
    assertThat(rate).isNotNegative();
    assertThat(projection).isGreaterThan(rate);
  }

  @Test
  void projection_isAVeto_theHistoryKeepsTheChecksRecommendation() {
    source.answer("cpu", 30);
    Autoscaler a = autoscaler(policy(down().build(), band("cpu", 60, 40, 6)));
    evaluate(a);

    assertThat(target.count()).isEqualTo(5);
    List<BehaviorHistory.Recommendation> recs = store.load(a.policies().get(0).id()).behavior().recommendations();
    assertThat(recs.get(recs.size() - 1).count()).isEqualTo(4);
  }

  @Test
  void strategyThatFailsWhenAskedAgain_blocksTheScaleIn() {
    source.answer("load", 50);
    ScalingDecision d = evaluate(autoscaler(policy(down().build(),
        Check.of("load", "src", "load", PluginRef.of("fragile", Map.of())))));

    assertThat(target.count()).isEqualTo(10);
    assertThat(d.reasons()).anySatisfy(r -> assertThat(r).startsWith("scale-down to 4 cancelled by projection: at 4 "
        + "check 'load' (50 × 10 / 4 = 125) could not be asked: strategy 'fragile' failed: ")
        .contains("only knows 10").endsWith("; count stays 10"));
  }

  @Test
  void countAboveMax_goesToMax_unprojected() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 8);
    source.answer("cpu", 50);
    // At 5, 50 × 8 / 5 = 80 would be above 60; but a count above max goes to max whatever the rules.
    ScalingDecision d = evaluate(autoscaler(policy(down().build(), band("cpu", 60, 40, 1)).toBuilder().max(5).build()));

    assertThat(target.count()).isEqualTo(5);
    assertThat(d.reasons()).noneSatisfy(r -> assertThat(r).contains("projection"));
  }

  @Test
  void decider_withoutStrategies_refusesAProjectingPolicy() {
    ScalingPolicy p = policy(down().build(), band("cpu", 60, 40, 6));
    List<CheckResult> results = List.of(CheckResult.counted(p.checks().get(0), OnError.IGNORE,
        MetricSeries.of(0, 30), 4));

    assertThatThrownBy(() -> Decider.next(p, PolicyState.INITIAL, results, TargetStatus.ready(10), clock.instant(),
        false)).isInstanceOf(IllegalArgumentException.class).hasMessage("policy 'web' projects its scale-ins "
            + "(behavior.scale_down.projection), so the decision needs one strategy per check (1) but was given 0");
  }

  @Test
  void decider_withStrategies_projectsAsTheEngineDoes() {
    ScalingPolicy p = policy(down().build(), band("cpu", 60, 40, 6));
    List<CheckResult> results = List.of(CheckResult.counted(p.checks().get(0), OnError.IGNORE,
        MetricSeries.of(0, 30), 4));

    Decided d = Decider.next(p, PolicyState.INITIAL, results,
        List.of(band(Map.of("above", "60", "below", "40", "step", "6"))), TargetStatus.ready(10), clock.instant(), false);
    assertThat(d.decision().action().orElseThrow().count()).isEqualTo(5);
  }
}
