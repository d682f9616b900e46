package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.Schedule;
import dev.capstan.spi.Direction;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class DeciderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final MetricSeries ONE_POINT = MetricSeries.of(NOW.toEpochMilli(), 42.0);

  private static ScalingPolicy policy(long min, long max) {
    return ScalingPolicy.builder().name("web").min(min).max(max)
        .cooldown(Duration.ofMinutes(5)).cooldownOnScaleUp(Duration.ofMinutes(1))
        .check(Check.of("a", "src", "q", PluginRef.of("s", Map.of())))
        .target(PluginRef.of("t", Map.of())).build();
  }

  private static Check check(String name, Optional<String> group, Optional<OnError> onError) {
    Check.Builder c = Check.builder().name(name).source("src").query("q").strategy(PluginRef.of("s", Map.of()));
    group.ifPresent(c::group);
    onError.ifPresent(c::onError);
    return c.build();
  }

  private static CheckResult wants(String name, long count) {
    return CheckResult.counted(check(name, Optional.empty(), Optional.empty()), OnError.IGNORE, ONE_POINT, count);
  }

  private static CheckResult inGroup(String group, String name, long count) {
    return CheckResult.counted(check(name, Optional.of(group), Optional.empty()), OnError.IGNORE, ONE_POINT, count);
  }

  private static CheckResult failed(String name, OnError onError) {
    return CheckResult.failed(check(name, Optional.empty(), Optional.empty()), onError, "metric source 'src'", "boom");
  }

  private static ScalingDecision decide(ScalingPolicy policy, long current, CheckResult... checks) {
    return Decider.decide(policy, PolicyState.INITIAL, List.of(checks), TargetStatus.ready(current), NOW, false);
  }

  @Test
  void merge_upNoneDown_upWins() {
    ScalingDecision d = decide(policy(0, 100), 5, wants("down", 3), wants("none", 5), wants("up", 7));

    assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction).containsExactly(7L, Direction.UP);
    assertThat(d.action().get().meta()).containsEntry(ScalingDecision.META_CHECK, "up");
  }

  @Test
  void merge_noneAndDown_noneWins() {
    ScalingDecision d = decide(policy(0, 100), 5, wants("down", 3), wants("none", 5));

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.action()).isEmpty();
    assertThat(d.desiredCount()).hasValue(5);
  }

  @Test
  void merge_twoDowns_higherCountWins() {
    ScalingDecision d = decide(policy(0, 100), 10, wants("a", 4), wants("b", 8));

    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction)
        .containsExactly(8L, Direction.DOWN);
  }

  @Test
  void merge_twoUps_higherCountWins() {
    ScalingDecision d = decide(policy(0, 100), 2, wants("a", 9), wants("b", 6));

    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(9L);
  }

  @Test
  void group_noneIgnoredWhenAnotherMemberWantsChange_downWins() {
    ScalingDecision d = decide(policy(0, 100), 10, inGroup("g", "a", 10), inGroup("g", "b", 6));

    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(6L);
    assertThat(d.reasons()).anyMatch(r -> r.contains("group 'g': ignored 1 NONE vote"));
  }

  @Test
  void group_allNone_noChange() {
    ScalingDecision d = decide(policy(0, 100), 10, inGroup("g", "a", 10), inGroup("g", "b", 10));

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
  }

  @Test
  void group_ungroupedNoneStillBeatsGroupedDown() {
    ScalingDecision d = decide(policy(0, 100), 10, inGroup("g", "a", 10), inGroup("g", "b", 6), wants("c", 10));

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
  }

  @Test
  void failedCheck_ignored_blocksDown() {
    ScalingDecision d = decide(policy(0, 100), 10, wants("a", 4), failed("b", OnError.IGNORE));

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.reasons()).anyMatch(r -> r.contains("check 'b' failed in metric source 'src': boom (ignored)"))
        .anyMatch(r -> r.contains("scale-down to 4 suppressed because a check failed"));
  }

  @Test
  void failedCheck_ignored_allowsUp() {
    ScalingDecision d = decide(policy(0, 100), 10, wants("a", 14), failed("b", OnError.IGNORE));

    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(14L);
  }

  @Test
  void failedCheck_onErrorFail_failsEvaluation() {
    ScalingDecision d = decide(policy(0, 100), 10, wants("a", 14), failed("b", OnError.FAIL));

    assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(d.action()).isEmpty();
    assertThat(d.error()).get().asString().contains("check 'b'", "metric source 'src'", "boom");
  }

  @Test
  void clamp_aboveMax_cappedAndOriginalRecorded() {
    ScalingDecision d = decide(policy(1, 10), 5, wants("a", 25));

    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(10L);
    assertThat(d.action().get().meta()).containsEntry(ScalingDecision.META_CAPPED_FROM, "25");
    assertThat(d.reasons()).anyMatch(r -> r.contains("count 25 capped to max 10"));
  }

  @Test
  void clamp_belowMin_cappedUp() {
    ScalingDecision d = decide(policy(3, 10), 5, wants("a", 0));

    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction)
        .containsExactly(3L, Direction.DOWN);
    assertThat(d.action().get().meta()).containsEntry(ScalingDecision.META_CAPPED_FROM, "0");
  }

  @Test
  void clamp_currentBelowMinAndNoVote_scalesToMin() {
    ScalingDecision d = decide(policy(2, 10), 0, failed("a", OnError.IGNORE));

    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction)
        .containsExactly(2L, Direction.UP);
  }

  @Test
  void countZero_strategyScalesUpFromNothing() {
    ScalingDecision d = decide(policy(0, 10), 0, wants("a", 3));

    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction)
        .containsExactly(3L, Direction.UP);
  }

  @Test
  void countZero_scaleToZeroAllowedWhenMinIsZero() {
    ScalingDecision d = decide(policy(0, 10), 2, wants("a", 0));

    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(0L);
  }

  @Test
  void notReady_skippedWithTheTargetsReason() {
    TargetStatus status = new TargetStatus(false, 4, Map.of(TargetStatus.META_NOT_READY_REASON, "activity in progress"));

    ScalingDecision d = Decider.decide(policy(0, 10), PolicyState.INITIAL, List.of(wants("a", 8)), status, NOW, false);

    assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED_NOT_READY);
    assertThat(d.reasons()).containsExactly("target not ready: activity in progress");
  }

  @Test
  void cooldown_afterUp_usesCooldownOnScaleUp() {
    ScalingPolicy policy = policy(0, 10);
    ScalingDecision up = decide(policy, 2, wants("a", 5));
    PolicyState after = Decider.stateAfter(policy, PolicyState.INITIAL, up);

    assertThat(after.cooldownUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(1)));
    assertThat(Decider.skip(policy, after, TargetStatus.ready(5), NOW.plusSeconds(59))).get()
        .extracting(ScalingDecision::outcome).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    assertThat(Decider.skip(policy, after, TargetStatus.ready(5), NOW.plusSeconds(60))).isEmpty();
  }

  @Test
  void cooldown_afterDown_usesCooldown() {
    ScalingPolicy policy = policy(0, 10);
    ScalingDecision down = decide(policy, 8, wants("a", 5));
    PolicyState after = Decider.stateAfter(policy, PolicyState.INITIAL, down);

    assertThat(after.cooldownUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(after.lastAction()).get().isEqualTo(new PolicyState.LastAction(5, Direction.DOWN, NOW));
    ScalingDecision skipped = Decider.decide(policy, after, List.of(wants("a", 1)), TargetStatus.ready(5),
        NOW.plus(Duration.ofMinutes(4)), false);
    assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    assertThat(skipped.reasons().get(0)).contains("after scaling down to 5", "60000 ms left");
  }

  @Test
  void cooldown_outOfBandTargetEvent_startsCooldownOnScaleUpFromIt() {
    // Its direction is unknown, so the shorter cooldown_on_scale_up (1m) applies, not cooldown (5m).
    Map<String, String> meta = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(NOW.minusSeconds(50).toEpochMilli()));

    Plan plan = Decider.plan(policy(0, 10), PolicyState.INITIAL, new TargetStatus(true, 3, meta), NOW);

    assertThat(plan.skipped()).get().extracting(x -> x.decision().outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    assertThat(plan.skipped().get().decision().reasons().get(0)).contains("out-of-band target activity");
    assertThat(plan.state().cooldownUntil()).isEqualTo(NOW.plusSeconds(10));
    assertThat(plan.state().knownEvent()).hasValue(NOW.minusSeconds(50));
    Map<String, String> older = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(NOW.minusSeconds(61).toEpochMilli()));
    assertThat(Decider.skip(policy(0, 10), PolicyState.INITIAL, new TargetStatus(true, 3, older), NOW)).isEmpty();
  }

  @Test
  void cooldown_firstEventAfterOurOwnAction_isOursAndExtendsNothing() {
    PolicyState afterUp = new PolicyState(Optional.of(new PolicyState.LastAction(5, Direction.UP, NOW.minusSeconds(70))),
        NOW.minusSeconds(10));
    Map<String, String> meta = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(NOW.minusSeconds(40).toEpochMilli()));

    Plan plan = Decider.plan(policy(0, 10), afterUp, new TargetStatus(true, 5, meta), NOW);

    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.state().knownEvent()).hasValue(NOW.minusSeconds(40));
    assertThat(plan.state().cooldownUntil()).isEqualTo(afterUp.cooldownUntil());
    // A later event is not explained by that action any more: out-of-band.
    Map<String, String> later = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(NOW.minusSeconds(5).toEpochMilli()));
    assertThat(Decider.plan(policy(0, 10), plan.state(), new TargetStatus(true, 5, later), NOW).skipped()).isPresent();
  }

  @Test
  void dryRun_reportsWouldBeCountWithDryRunAction() {
    ScalingDecision d = Decider.decide(policy(0, 10), PolicyState.INITIAL, List.of(wants("a", 7)),
        TargetStatus.ready(3), NOW, true);

    assertThat(d.outcome()).isEqualTo(Outcome.DRY_RUN);
    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::dryRun).containsExactly(7L, true);
  }

  @Test
  void noChecks_noChangeWithReason() {
    ScalingDecision d = decide(policy(0, 10), 3);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.reasons()).contains("no checks ran");
  }

  @Test
  void checkResult_countAndErrorTogether_isRejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CheckResult("x", Optional.empty(), OnError.IGNORE, 0,
            java.util.OptionalDouble.empty(), java.util.OptionalLong.of(1), Optional.of("p"), Optional.of("e")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("check 'x'");
  }

  /** NOW (2026-01-01, a Thursday, 12:00 UTC) is inside 08:00-20:00 UTC on weekdays. */
  private static ScalingPolicy scheduled(String start, String end) {
    return ScalingPolicy.builder().name("web").max(10)
        .check(Check.of("a", "src", "q", PluginRef.of("s", Map.of())))
        .target(PluginRef.of("t", Map.of()))
        .schedule(Schedule.between(start, end, ZoneId.of("UTC"))).build();
  }

  @Test
  void schedule_outside_skipsWithTheScheduleInTheReason() {
    ScalingPolicy policy = scheduled("0 8 * * sat,sun", "0 20 * * sat,sun");

    ScalingDecision d = Decider.decide(policy, PolicyState.INITIAL, List.of(wants("a", 7)), TargetStatus.ready(5), NOW,
        false);

    assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED_SCHEDULE);
    assertThat(d.action()).isEmpty();
    // Decided before the target is read: the count is not known.
    assertThat(d.currentCount()).isEmpty();
    assertThat(d.reasons()).containsExactly(
        "outside the policy's schedule (start '0 8 * * sat,sun', end '0 20 * * sat,sun', UTC)");
  }

  @Test
  void schedule_inside_decidesAsWithout() {
    ScalingPolicy policy = scheduled("0 8 * * mon-fri", "0 20 * * mon-fri");

    assertThat(Decider.skip(policy, PolicyState.INITIAL, TargetStatus.ready(5), NOW)).isEmpty();
    ScalingDecision d = Decider.decide(policy, PolicyState.INITIAL, List.of(wants("a", 7)), TargetStatus.ready(5), NOW,
        false);
    assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.action()).get().extracting(ScalingAction::count).isEqualTo(7L);
  }

  @Test
  void schedule_outsideAndNotReady_namesTheScheduleFirst() {
    ScalingPolicy policy = scheduled("0 8 * * sat,sun", "0 20 * * sat,sun");

    assertThat(Decider.skip(policy, PolicyState.INITIAL, new TargetStatus(false, 5, Map.of()), NOW)).get()
        .extracting(ScalingDecision::outcome).isEqualTo(Outcome.SKIPPED_SCHEDULE);
  }
}
