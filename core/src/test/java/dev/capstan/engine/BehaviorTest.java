package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Behavior;
import dev.capstan.policy.Behavior.Rate;
import dev.capstan.policy.Behavior.Rules;
import dev.capstan.policy.Behavior.Select;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes' HPA behaviour facts (stabilization, Pods/Percent policies, select, period-start
 * arithmetic), through the public API: an {@link Autoscaler} on a {@link ManualClock}, a pass-through
 * strategy and an in-memory target.
 */
final class BehaviorTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final InMemoryTarget target = InMemoryTarget.withCount(1);
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @TempDir
  Path stateDir;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private Autoscaler autoscaler(ScalingPolicy policy, StateStore store) {
    Autoscaler a = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock)
        .scheduler(new ManualScheduler(clock)).executor(Runnable::run).jitter(0).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("mem", target).stateStore(store).policy(policy).build();
    toClose.add(a);
    return a;
  }

  private Autoscaler autoscaler(ScalingPolicy policy) {
    return autoscaler(policy, StateStore.inMemory());
  }

  /** A policy whose only limits are its behaviour: min 0, max 100, a 1 ms cooldown. */
  private static ScalingPolicy policy(Behavior behavior) {
    return ScalingPolicy.builder().name("web").min(0).max(100).cooldown(Duration.ofMillis(1))
        .evaluationInterval(Duration.ofSeconds(15)).check(Check.of("load", "src", "q", PluginRef.of("pass", Map.of())))
        .target(PluginRef.of("mem", Map.of())).behavior(behavior).build();
  }

  private static Behavior noDownWindow(Rules up) {
    return new Behavior(up, Rules.scaleDown().stabilizationWindow(Duration.ZERO).build());
  }

  private long evaluate(Autoscaler a, double wanted) {
    source.answer("q", wanted);
    a.evaluate(a.policies().get(0));
    return target.count();
  }

  @Test
  void defaultScaleUp_fromOne_addsFourPods() {
    Autoscaler a = autoscaler(policy(Behavior.defaults()));
    // Pods 4 gives 5, Percent 100 gives 2; select max takes 5.
    assertThat(evaluate(a, 10)).isEqualTo(5);
  }

  @Test
  void scaleUp_selectMin_takesTheSmallestChange() {
    Autoscaler a = autoscaler(policy(noDownWindow(Rules.scaleUp().select(Select.MIN)
        .rate(Rate.count(4, Duration.ofSeconds(15))).rate(Rate.percent(100, Duration.ofSeconds(15))).build())));
    assertThat(evaluate(a, 10)).isEqualTo(2);
  }

  @Test
  void scaleUp_selectDisabled_neverScalesUp() {
    Autoscaler a = autoscaler(policy(noDownWindow(Rules.scaleUp().select(Select.DISABLED).build())));
    source.answer("q", 10);
    ScalingDecision d = a.evaluate(a.policies().get(0));
    assertThat(target.count()).isEqualTo(1);
    assertThat(d.reasons()).contains("scale-up disabled by select = \"disabled\": count stays 1");
  }

  @Test
  void periodStart_countsTheEventsStrictlyInsideThePeriod() {
    Autoscaler a = autoscaler(policy(noDownWindow(Rules.scaleUp().rate(Rate.count(4, Duration.ofSeconds(60))).build())));
    assertThat(evaluate(a, 20)).isEqualTo(5);
    clock.advance(Duration.ofSeconds(30));
    // Period start 5 - 4 = 1: already at the limit.
    assertThat(evaluate(a, 20)).isEqualTo(5);
    clock.advance(Duration.ofSeconds(30));
    // The event is exactly one period old: it no longer counts, period start 5.
    assertThat(evaluate(a, 20)).isEqualTo(9);
  }

  @Test
  void percentUp_isComputedInDoublePrecision_likeKubernetes() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 100);
    Autoscaler a = autoscaler(policy(noDownWindow(Rules.scaleUp().rate(Rate.percent(10, Duration.ofSeconds(60))).build()))
        .toBuilder().max(1000).build());
    // ceil(100 * 1.1) where 100 * 1.1 is 110.00000000000001 in double: 111, not 110.
    assertThat(evaluate(a, 500)).isEqualTo(111);
  }

  @Test
  void percentDown_truncatesInDoublePrecision_likeKubernetes() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    Autoscaler a = autoscaler(policy(new Behavior(Behavior.DEFAULT_SCALE_UP, Rules.scaleDown()
        .stabilizationWindow(Duration.ZERO).rate(Rate.percent(90, Duration.ofSeconds(60))).build())));
    // (long) (10 * (1 - 0.9)) = (long) 0.9999999999999998 = 0, where exact decimals would give 1.
    assertThat(evaluate(a, 0)).isEqualTo(0);
  }

  @Test
  void percentDown_limitsAgainstThePeriodStart_andSaysSo() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    Autoscaler a = autoscaler(policy(new Behavior(Behavior.DEFAULT_SCALE_UP, Rules.scaleDown()
        .stabilizationWindow(Duration.ZERO).rate(Rate.percent(10, Duration.ofSeconds(60))).build())));
    assertThat(evaluate(a, 1)).isEqualTo(9);
    clock.advance(Duration.ofSeconds(20));
    source.answer("q", 1);
    ScalingDecision held = a.evaluate(a.policies().get(0));
    assertThat(held.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(held.reasons()).contains("scale-down limited to 9 by rate percent 10 / 1m0s (period start 10)");
    clock.advance(Duration.ofSeconds(40));
    assertThat(evaluate(a, 1)).isEqualTo(8);
  }

  @Test
  void percentDown_above100_goesToMin() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    Autoscaler a = autoscaler(policy(new Behavior(Behavior.DEFAULT_SCALE_UP, Rules.scaleDown()
        .stabilizationWindow(Duration.ZERO).rate(Rate.percent(200, Duration.ofSeconds(60))).build())));
    assertThat(evaluate(a, 0)).isEqualTo(0);
  }

  @Test
  void downStabilization_holdsTheHighestRecommendationOfTheWindow() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    Autoscaler a = autoscaler(policy(Behavior.defaults()));
    // The first evaluation records the current count 10; for 5 minutes it is the highest recommendation.
    for (int minute = 0; minute < 5; minute++) {
      assertThat(evaluate(a, 2)).as("minute %d", minute).isEqualTo(10);
      clock.advance(Duration.ofMinutes(1));
    }
    // At 5m the first recommendations are exactly one window old and no longer count.
    assertThat(evaluate(a, 2)).isEqualTo(2);
  }

  @Test
  void downStabilization_followsTheHighestRecentRecommendation() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    Autoscaler a = autoscaler(policy(new Behavior(Behavior.DEFAULT_SCALE_UP,
        Rules.scaleDown().stabilizationWindow(Duration.ofMinutes(1)).build())));
    evaluate(a, 6);
    clock.advance(Duration.ofSeconds(30));
    assertThat(evaluate(a, 4)).isEqualTo(10);
    clock.advance(Duration.ofSeconds(30));
    // The initial 10 and the 6 are out; 4 and 3 remain: the highest is 4.
    source.answer("q", 3);
    ScalingDecision d = a.evaluate(a.policies().get(0));
    assertThat(target.count()).isEqualTo(4);
    assertThat(d.reasons()).contains("scale-down stabilized to 4: the highest recommendation within the 1m0s "
        + "scale_down window");
  }

  @Test
  void upStabilization_holdsTheLowestRecommendationOfTheWindow() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 2);
    Autoscaler a = autoscaler(policy(new Behavior(Rules.scaleUp().stabilizationWindow(Duration.ofMinutes(1)).build(),
        Behavior.DEFAULT_SCALE_DOWN)));
    assertThat(evaluate(a, 5)).isEqualTo(2);
    clock.advance(Duration.ofSeconds(30));
    assertThat(evaluate(a, 5)).isEqualTo(2);
    clock.advance(Duration.ofSeconds(30));
    assertThat(evaluate(a, 5)).isEqualTo(5);
  }

  @Test
  void currentAboveMax_goesStraightToMax_whateverTheRates() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 150);
    Autoscaler a = autoscaler(policy(Behavior.defaults()));
    assertThat(evaluate(a, 150)).isEqualTo(100);
  }

  @Test
  void scaleUp_isCappedAtMax() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 90);
    Autoscaler a = autoscaler(policy(Behavior.defaults()));
    source.answer("q", 500);
    ScalingDecision d = a.evaluate(a.policies().get(0));
    assertThat(target.count()).isEqualTo(100);
    assertThat(d.reasons()).contains("count 500 capped to max 100");
  }

  @Test
  void failedCheck_recordsNoRecommendation() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 4);
    StateStore store = StateStore.inMemory();
    ScalingPolicy policy = policy(Behavior.defaults());
    Autoscaler a = autoscaler(policy, store);
    source.failNext("q", new MetricSourceException("down"));
    a.evaluate(a.policies().get(0));
    // Only the initial recommendation (the current count), as Kubernetes' recordInitialRecommendation.
    assertThat(store.load(policy.id()).behavior().recommendations())
        .containsExactly(new BehaviorHistory.Recommendation(4, clock.instant()));
  }

  @Test
  void restart_midWindow_keepsTheStabilization() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 10);
    ScalingPolicy policy = policy(Behavior.defaults());
    Autoscaler first = autoscaler(policy, StateStore.file(stateDir));
    assertThat(evaluate(first, 2)).isEqualTo(10);
    first.close();
    clock.advance(Duration.ofMinutes(3));
    Autoscaler second = autoscaler(policy, StateStore.file(stateDir));
    assertThat(evaluate(second, 2)).as("the initial 10 is still in the window").isEqualTo(10);
    clock.advance(Duration.ofMinutes(2));
    assertThat(evaluate(second, 2)).isEqualTo(2);
  }

  @Test
  void restart_midPeriod_keepsTheRate() {
    ScalingPolicy policy = policy(noDownWindow(Rules.scaleUp().rate(Rate.count(4, Duration.ofSeconds(60))).build()));
    Autoscaler first = autoscaler(policy, StateStore.file(stateDir));
    assertThat(evaluate(first, 20)).isEqualTo(5);
    first.close();
    clock.advance(Duration.ofSeconds(30));
    Autoscaler second = autoscaler(policy, StateStore.file(stateDir));
    assertThat(evaluate(second, 20)).isEqualTo(5);
  }

  @Test
  void dryRun_recordsRecommendations_butNoScaleEvent() {
    StateStore store = StateStore.inMemory();
    ScalingPolicy policy = policy(Behavior.defaults());
    Autoscaler a = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock)
        .scheduler(new ManualScheduler(clock)).executor(Runnable::run).jitter(0).lookupPlugins(false).dryRun(true)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("mem", target).stateStore(store).policy(policy).build();
    toClose.add(a);
    source.answer("q", 10);
    ScalingDecision d = a.evaluate(a.policies().get(0));
    assertThat(d.outcome()).isEqualTo(Outcome.DRY_RUN);
    assertThat(d.action().orElseThrow().count()).isEqualTo(5);
    BehaviorHistory h = store.load(policy.id()).behavior();
    assertThat(h.recommendations()).hasSize(2);
    assertThat(h.scaleUps()).isEmpty();
  }
}
