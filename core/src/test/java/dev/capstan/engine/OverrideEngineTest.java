package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Check;
import dev.capstan.policy.Fallback;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ScriptedMetricSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overrides and fallback counters through the Autoscaler: persistence across restarts, expiry on a clock. */
final class OverrideEngineTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final RecordingTarget target = new RecordingTarget(5);

  @TempDir
  Path stateDir;

  private Autoscaler engine() {
    return Autoscaler.builder().clock(clock).executor(Runnable::run).jitter(0).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("t", target).stateStore(StateStore.file(stateDir)).build();
  }

  private static final ScalingPolicy WEB = ScalingPolicy.builder().name("web").min(0).max(10)
      .evaluationInterval(Duration.ofSeconds(10)).cooldown(Duration.ofMillis(1)).cooldownOnScaleUp(Duration.ofMillis(1))
      .check(Check.of("cpu", "src", "load", PluginRef.of("pass", Map.of())).toBuilder()
          .fallback(Fallback.count(2, 7)).build())
      .target(PluginRef.of("t", Map.of())).build();

  @Test
  void override_restart_stillInForceAndExpiresOnTheClock() {
    OperatorOverride pause = OperatorOverride.pauseScaleIn().endingAt(clock.instant().plus(Duration.ofHours(2)))
        .withReason("incident").withAuthor("alice");
    try (Autoscaler first = engine()) {
      assertThat(first.override(WEB.id(), pause)).isEmpty();
    }
    source.answer("load", 2);

    try (Autoscaler second = engine()) {
      assertThat(second.override(WEB.id())).contains(pause.withSetAt(clock.instant()));
      assertThat(second.evaluate(WEB).outcome()).isEqualTo(Outcome.OVERRIDDEN);
      clock.advance(Duration.ofHours(2));
      ScalingDecision after = second.evaluate(WEB);

      assertThat(after.outcome()).isEqualTo(Outcome.SCALED);
      assertThat(after.reasons().get(0)).endsWith("expired at " + pause.until().orElseThrow() + "; removed");
      assertThat(second.override(WEB.id())).isEmpty();
    }
  }

  @Test
  void clearOverride_removesItAndReturnsIt() {
    try (Autoscaler autoscaler = engine()) {
      autoscaler.override(WEB.id(), OperatorOverride.hold(3));

      assertThat(autoscaler.clearOverride(WEB.id())).get().extracting(OperatorOverride::kind)
          .isEqualTo(OperatorOverride.Kind.HOLD);
      assertThat(autoscaler.clearOverride(WEB.id())).isEmpty();
      assertThat(autoscaler.override(WEB.id())).isEmpty();
    }
  }

  @Test
  void override_alreadyExpired_refusedNamingUntil() {
    try (Autoscaler autoscaler = engine()) {
      assertThatThrownBy(() -> autoscaler.override(WEB.id(), OperatorOverride.pause().endingAt(clock.instant())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("until was '");
    }
  }

  @Test
  void fallbackFailures_restart_countContinues() {
    source.failNext("load", new IllegalStateException("503"));
    try (Autoscaler first = engine()) {
      assertThat(first.evaluate(WEB).outcome()).isEqualTo(Outcome.NO_CHANGE);
    }
    assertThat(StateStore.file(stateDir).load(WEB.id()).fallbacks().of("cpu")).isEqualTo(1);
    source.failNext("load", new IllegalStateException("503"));

    try (Autoscaler second = engine()) {
      ScalingDecision d = second.evaluate(WEB);

      assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
      assertThat(d.action().orElseThrow().count()).isEqualTo(7);
    }
  }

  @Test
  void policyStateJson_everyNewField_roundTrips() {
    PolicyState state = PolicyState.INITIAL.withFallbacks(CheckFallbacks.NONE.with("cpu", 3).with("queue", 1))
        .withOverride(java.util.Optional.of(OperatorOverride.hold(10).endingAt(clock.instant()).withReason("r")
            .withAuthor("a").withSetAt(clock.instant().minusSeconds(5))));
    StateStore.file(stateDir).save("p", state);

    assertThat(StateStore.file(stateDir).load("p")).isEqualTo(state);
  }
}
