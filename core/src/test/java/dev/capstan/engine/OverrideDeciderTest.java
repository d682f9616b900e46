package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.Direction;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Decider's override rules: pause (both, in, out), hold, expiry. */
final class OverrideDeciderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Check CPU = Check.of("cpu", "src", "q", PluginRef.of("s", Map.of()));
  private static final ScalingPolicy POLICY = ScalingPolicy.builder().name("web").min(1).max(20)
      .cooldown(Duration.ofMinutes(5)).cooldownOnScaleUp(Duration.ofMinutes(1)).check(CPU)
      .target(PluginRef.of("t", Map.of())).build();

  private static PolicyState under(OperatorOverride o) {
    return PolicyState.INITIAL.withOverride(Optional.of(o));
  }

  private static Decided next(PolicyState state, long current, long wanted) {
    CheckResult vote = CheckResult.counted(CPU, OnError.IGNORE, MetricSeries.of(NOW.toEpochMilli(), 1.0), wanted);
    return Decider.next(POLICY, state, List.of(vote), TargetStatus.ready(current), NOW, false);
  }

  @Test
  void pauseScaleIn_checksWantFewer_overriddenNamingTheOverride() {
    OperatorOverride o = OperatorOverride.pauseScaleIn().withReason("incident 42").withAuthor("alice");

    Decided d = next(under(o), 5, 2);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.OVERRIDDEN);
    assertThat(d.decision().action()).isEmpty();
    assertThat(d.decision().reasons()).last().asString()
        .isEqualTo("scale-in from 5 to 2 suppressed by override pause_scale_in by alice: incident 42");
    assertThat(d.nextState()).isEqualTo(under(o));
  }

  @Test
  void pauseScaleIn_checksWantMore_scalesOutWithTheOverrideInMeta() {
    Decided d = next(under(OperatorOverride.pauseScaleIn()), 5, 8);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.decision().action().orElseThrow().meta()).containsEntry(ScalingDecision.META_OVERRIDE, "pause_scale_in");
    assertThat(d.nextState().override()).contains(OperatorOverride.pauseScaleIn());
  }

  @Test
  void pauseScaleOut_checksWantMore_overridden() {
    Decided d = next(under(OperatorOverride.pauseScaleOut()), 5, 8);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.OVERRIDDEN);
    assertThat(d.decision().reasons()).last().asString().startsWith("scale-out from 5 to 8 suppressed by override");
  }

  @Test
  void pauseScaleOut_checksWantFewer_scalesIn() {
    assertThat(next(under(OperatorOverride.pauseScaleOut()), 5, 3).decision().outcome()).isEqualTo(Outcome.SCALED);
  }

  @Test
  void pause_anyVote_overriddenWithoutRunningChecks() {
    Plan plan = Decider.plan(POLICY, under(OperatorOverride.pause().withAuthor("bob")), TargetStatus.ready(5), NOW);

    assertThat(plan.skipped()).get().extracting(s -> s.decision().outcome()).isEqualTo(Outcome.OVERRIDDEN);
    assertThat(plan.skipped().get().decision().reasons()).containsExactly("paused by override pause by bob");
    assertThat(plan.runs(0)).isFalse();
  }

  @Test
  void hold_belowHeldCount_scalesToItWithoutChecksAndDespiteCooldown() {
    PolicyState inCooldown = new PolicyState(Optional.of(new PolicyState.LastAction(5, Direction.UP, NOW)),
        NOW.plusSeconds(60)).withOverride(Optional.of(OperatorOverride.hold(10)));
    Plan plan = Decider.plan(POLICY, inCooldown, TargetStatus.ready(5), NOW);
    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.runs(0)).isFalse();

    Decided d = Decider.decide(plan, List.of(), false);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.decision().action().orElseThrow().count()).isEqualTo(10);
    assertThat(d.decision().reasons()).first().asString().isEqualTo("held at 10 by override hold at 10");
    assertThat(d.nextState().override()).contains(OperatorOverride.hold(10));
    assertThat(d.nextState().cooldownUntil()).isEqualTo(NOW.plus(POLICY.cooldownOnScaleUp()));
  }

  @Test
  void hold_atHeldCount_overriddenNoAction() {
    Plan plan = Decider.plan(POLICY, under(OperatorOverride.hold(10)), TargetStatus.ready(10), NOW);

    Decided d = Decider.decide(plan, List.of(), false);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.OVERRIDDEN);
    assertThat(d.decision().action()).isEmpty();
  }

  @Test
  void hold_aboveMax_clampedToMax() {
    Plan plan = Decider.plan(POLICY, under(OperatorOverride.hold(50)), TargetStatus.ready(5), NOW);

    Decided d = Decider.decide(plan, List.of(), true);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.DRY_RUN);
    assertThat(d.decision().action().orElseThrow().count()).isEqualTo(20);
  }

  @Test
  void override_untilHasCome_removedAndTheChecksDecide() {
    OperatorOverride o = OperatorOverride.pauseScaleIn().endingAt(NOW);

    Decided d = next(under(o), 5, 2);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.SCALED);
    assertThat(d.decision().reasons()).first().asString()
        .isEqualTo("override pause_scale_in until " + NOW + " expired at " + NOW + "; removed");
    assertThat(d.nextState().override()).isEmpty();
  }

  @Test
  void override_untilAhead_stillInForce() {
    Decided d = next(under(OperatorOverride.pauseScaleIn().endingAt(NOW.plusMillis(1))), 5, 2);

    assertThat(d.decision().outcome()).isEqualTo(Outcome.OVERRIDDEN);
  }

  @Test
  void override_expiredWhileTargetNotReady_removedAnyway() {
    PolicyState state = under(OperatorOverride.pause().endingAt(NOW.minusSeconds(1)));

    Plan plan = Decider.plan(POLICY, state, new TargetStatus(false, 5, Map.of(TargetStatus.META_NOT_READY_REASON, "updating")), NOW);

    assertThat(plan.skipped().orElseThrow().decision().outcome()).isEqualTo(Outcome.SKIPPED_NOT_READY);
    assertThat(plan.skipped().get().nextState().override()).isEmpty();
  }
}
