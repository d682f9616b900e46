package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.Fallback;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The Decider's per-check fallback: counting, voting, and never outvoting a healthy check. */
final class FallbackDeciderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final MetricSeries POINT = MetricSeries.of(NOW.toEpochMilli(), 1.0);
  private static final Check CPU = Check.of("cpu", "src", "cpu", PluginRef.of("s", Map.of()));

  private static Check queue(Fallback fallback) {
    return Check.of("queue", "src", "queue", PluginRef.of("s", Map.of())).toBuilder().fallback(fallback).build();
  }

  private static ScalingPolicy policy(Check... checks) {
    ScalingPolicy.Builder b = ScalingPolicy.builder().name("workers").min(0).max(50)
        .cooldown(Duration.ofMinutes(5)).target(PluginRef.of("t", Map.of()));
    for (Check c : checks) {
      b.check(c);
    }
    return b.build();
  }

  private static CheckResult failing(Check check) {
    return CheckResult.failed(check, OnError.IGNORE, "metric source 'src'", "failed on query 'queue': 503");
  }

  private static Decided next(ScalingPolicy policy, PolicyState state, long current, CheckResult... results) {
    return Decider.next(policy, state, List.of(results), TargetStatus.ready(current), NOW, false);
  }

  private static PolicyState failedTimes(int n) {
    return PolicyState.INITIAL.withFallbacks(CheckFallbacks.NONE.with("queue", n));
  }

  @Test
  void fallback_beforeThreshold_checkFailsAndFailuresAreCounted() {
    Check queue = queue(Fallback.count(3, 4));

    Decided first = next(policy(queue), PolicyState.INITIAL, 10, failing(queue));
    Decided second = next(policy(queue), first.nextState(), 10, failing(queue));

    assertThat(second.decision().outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(second.decision().reasons()).anyMatch(r -> r.contains("(ignored)"));
    assertThat(second.nextState().fallbacks().of("queue")).isEqualTo(2);
  }

  @Test
  void fallback_atThreshold_votesItsCountAndTheDecisionSaysSo() {
    Check queue = queue(Fallback.count(3, 4));

    Decided d = next(policy(queue), failedTimes(2), 10, failing(queue));

    assertThat(d.decision().outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.decision().action().orElseThrow().count()).isEqualTo(4);
    assertThat(d.decision().action().get().meta()).containsEntry(ScalingDecision.META_FALLBACK, "queue");
    assertThat(d.decision().reasons()).anyMatch(r -> r.startsWith("check 'queue' wants 4 (down from 10): fallback "
        + "static after 3 consecutive failures (3 needed); last: metric source 'src' failed on query 'queue': 503"));
    assertThat(d.nextState().fallbacks().of("queue")).isEqualTo(3);
  }

  @Test
  void fallback_beforeThreshold_resultCarriesTheCountAsInactive() {
    Check queue = queue(Fallback.count(3, 4));

    Decided d = next(policy(CPU, queue), failedTimes(1), 10, CheckResult.counted(CPU, OnError.IGNORE, POINT, 10),
        failing(queue));

    CheckResult result = d.decision().checks().get(1);
    assertThat(result.isFailed()).isTrue();
    assertThat(result.fallback()).contains(new FallbackStatus(2, 3, Fallback.Behavior.STATIC,
        "metric source 'src' failed on query 'queue': 503"));
    assertThat(result.fallback().get().active()).isFalse();
    assertThat(d.decision().checks().get(0).fallback()).isEmpty();
  }

  @Test
  void fallback_atThreshold_resultCarriesTheActiveStatusAndTheVote() {
    Check queue = queue(Fallback.count(3, 4));

    Decided d = next(policy(queue), failedTimes(2), 10, failing(queue));

    CheckResult result = d.decision().checks().get(0);
    assertThat(result.isFailed()).isFalse();
    assertThat(result.desiredCount()).hasValue(4);
    assertThat(result.fallback().orElseThrow().active()).isTrue();
    assertThat(result.fallback().get().consecutiveFailures()).isEqualTo(3);
  }

  @Test
  void fallback_checkSucceedsAgain_failuresReset() {
    Check queue = queue(Fallback.count(3, 4));

    Decided d = next(policy(queue), failedTimes(5), 10, CheckResult.counted(queue, OnError.IGNORE, POINT, 10));

    assertThat(d.nextState().fallbacks()).isEqualTo(CheckFallbacks.NONE);
  }

  @Test
  void fallback_keda6659_failingQueueCannotShrinkWhatHealthyCpuNeeds() {
    // kedacore/keda #6659: the fallback replaced every trigger, so a failing queue scaler scaled a
    // deployment down that its healthy CPU trigger said was needed.
    Check queue = queue(Fallback.count(1, 2));
    ScalingPolicy policy = policy(CPU, queue);

    Decided cpuWantsMore = next(policy, PolicyState.INITIAL, 10,
        CheckResult.counted(CPU, OnError.IGNORE, POINT, 12), failing(queue));
    Decided cpuWantsSame = next(policy, PolicyState.INITIAL, 10,
        CheckResult.counted(CPU, OnError.IGNORE, POINT, 10), failing(queue));

    assertThat(cpuWantsMore.decision().action().orElseThrow().count()).isEqualTo(12);
    assertThat(cpuWantsSame.decision().outcome()).isEqualTo(Outcome.NO_CHANGE);
  }

  @Test
  void fallback_higherThanHealthyVote_raisesTheCount() {
    Check queue = queue(Fallback.count(1, 15));

    Decided d = next(policy(CPU, queue), PolicyState.INITIAL, 10,
        CheckResult.counted(CPU, OnError.IGNORE, POINT, 8), failing(queue));

    assertThat(d.decision().action().orElseThrow().count()).isEqualTo(15);
  }

  @Test
  void fallback_inAGroupWithAHealthyNone_stillCannotShrink() {
    Check groupedCpu = CPU.toBuilder().group("g").build();
    Check queue = queue(Fallback.count(1, 2)).toBuilder().group("g").build();

    Decided d = next(policy(groupedCpu, queue), PolicyState.INITIAL, 10,
        CheckResult.counted(groupedCpu, OnError.IGNORE, POINT, 10), failing(queue));

    assertThat(d.decision().outcome()).isEqualTo(Outcome.NO_CHANGE);
  }

  @Test
  void fallback_behaviors_computeFromTheCurrentCount() {
    assertThat(Fallback.of(1, Fallback.Behavior.CURRENT, OptionalLong.empty()).vote(7)).isEqualTo(7);
    assertThat(Fallback.of(1, Fallback.Behavior.CURRENT_IF_HIGHER, OptionalLong.of(5)).vote(7)).isEqualTo(7);
    assertThat(Fallback.of(1, Fallback.Behavior.CURRENT_IF_HIGHER, OptionalLong.of(9)).vote(7)).isEqualTo(9);
    assertThat(Fallback.of(1, Fallback.Behavior.CURRENT_IF_LOWER, OptionalLong.of(5)).vote(7)).isEqualTo(5);
    assertThat(Fallback.of(1, Fallback.Behavior.CURRENT_IF_LOWER, OptionalLong.of(9)).vote(7)).isEqualTo(7);
  }

  @Test
  void fallback_current_keepsTheCountAndUnblocksNothing() {
    Check queue = queue(Fallback.of(1, Fallback.Behavior.CURRENT, OptionalLong.empty()));

    Decided d = next(policy(CPU, queue), PolicyState.INITIAL, 10,
        CheckResult.counted(CPU, OnError.IGNORE, POINT, 6), failing(queue));

    assertThat(d.decision().outcome()).isEqualTo(Outcome.NO_CHANGE);
  }

  @Test
  void fallback_onErrorFail_failsUntilTheThresholdThenVotes() {
    Check queue = queue(Fallback.count(2, 4)).toBuilder().onError(OnError.FAIL).build();
    CheckResult failure = CheckResult.failed(queue, OnError.FAIL, "metric source 'src'", "503");

    Decided first = next(policy(queue), PolicyState.INITIAL, 10, failure);
    Decided second = next(policy(queue), first.nextState(), 10, failure);

    assertThat(first.decision().outcome()).isEqualTo(Outcome.FAILED);
    assertThat(first.nextState().fallbacks().of("queue")).isEqualTo(1);
    assertThat(second.decision().outcome()).isEqualTo(Outcome.SCALED);
  }

  @Test
  void fallback_otherCheckFailsWithoutFallback_guardStillBlocksScaleIn() {
    Check queue = queue(Fallback.count(1, 2));

    Decided d = next(policy(CPU, queue), PolicyState.INITIAL, 10, failing(CPU), failing(queue));

    assertThat(d.decision().outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.decision().reasons()).anyMatch(r -> r.contains("suppressed because a check failed"));
  }
}
