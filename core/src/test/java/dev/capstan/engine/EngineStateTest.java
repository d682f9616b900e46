package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.Direction;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ScriptedMetricSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy state the engine keeps: intents saved before scaling, target events, saves on change. */
final class EngineStateTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final RecordingTarget target = new RecordingTarget(1);

  @TempDir
  Path stateDir;

  private Autoscaler engine(StateStore store) {
    return Autoscaler.builder().clock(clock).executor(Runnable::run).jitter(0).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("t", target).stateStore(store).build();
  }

  private static ScalingPolicy policy(Duration cooldown, Duration onScaleUp) {
    return ScalingPolicy.builder().name("web").min(0).max(10).evaluationInterval(Duration.ofSeconds(10))
        .cooldown(cooldown).cooldownOnScaleUp(onScaleUp)
        .check(Check.of("cpu", "src", "load", PluginRef.of("pass", Map.of())))
        .target(PluginRef.of("t", Map.of())).build();
  }

  @Test
  void scale_intentIsSavedBeforeTheTargetIsCalled() {
    StateStore store = StateStore.file(stateDir);
    ScalingPolicy web = policy(Duration.ofSeconds(3), Duration.ofSeconds(7));
    AtomicReference<PolicyState> seenDuringCall = new AtomicReference<>();
    target.onScale = a -> seenDuringCall.set(StateStore.file(stateDir).load(web.id()));
    source.answer("load", 4);

    try (Autoscaler autoscaler = engine(store)) {
      assertThat(autoscaler.evaluate(web).outcome()).isEqualTo(Outcome.SCALED);
    }

    assertThat(seenDuringCall.get().unconfirmed()).isTrue();
    assertThat(seenDuringCall.get().lastAction()).get().extracting(PolicyState.LastAction::count,
        PolicyState.LastAction::direction).containsExactly(4L, Direction.UP);
    assertThat(seenDuringCall.get().cooldownUntil()).isEqualTo(clock.instant().plusSeconds(7));
    assertThat(store.load(web.id()).unconfirmed()).isFalse();
  }

  @Test
  void killedDuringScale_restartKeepsTheScaleUpCooldown() {
    ScalingPolicy web = policy(Duration.ofSeconds(3), Duration.ofSeconds(7));
    // The process dies while the cloud is answering: the scale call never returns to the engine.
    target.onScale = a -> {
      throw new ProcessKilled();
    };
    source.answer("load", 4);
    try (Autoscaler first = engine(StateStore.file(stateDir))) {
      try {
        first.evaluate(web);
      } catch (ProcessKilled expected) {
        // what kill -9 looks like from inside: nothing after the call runs
      }
    }
    target.onScale = a -> { };
    target.count.set(4);
    clock.advance(Duration.ofMillis(3300));
    source.answer("load", 1);

    try (Autoscaler restarted = engine(StateStore.file(stateDir))) {
      ScalingDecision d = restarted.evaluate(web);

      assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
      assertThat(d.reasons()).singleElement().asString().contains("not confirmed by the target");
      clock.advance(Duration.ofSeconds(4));
      assertThat(restarted.evaluate(web).outcome()).isEqualTo(Outcome.SCALED);
    }
  }

  @Test
  void targetEventAfterOurOwnScaleUp_doesNotExtendTheCooldown() {
    StateStore store = StateStore.inMemory();
    ScalingPolicy web = policy(Duration.ofMinutes(10), Duration.ofMinutes(1));
    source.answer("load", 4);
    try (Autoscaler autoscaler = engine(store)) {
      assertThat(autoscaler.evaluate(web).outcome()).isEqualTo(Outcome.SCALED);
      // The cloud reports our own activity's end, 30 s after the call, as its last event.
      target.meta = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(clock.instant().plusSeconds(30).toEpochMilli()));
      clock.advance(Duration.ofSeconds(40));
      assertThat(autoscaler.evaluate(web).outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);

      clock.advance(Duration.ofSeconds(21));
      source.answer("load", 6);
      ScalingDecision again = autoscaler.evaluate(web);

      assertThat(again.outcome()).isEqualTo(Outcome.SCALED);
    }
  }

  @Test
  void outOfBandTargetEvent_startsTheScaleUpCooldownFromItAndIsSaved() {
    StateStore store = StateStore.inMemory();
    ScalingPolicy web = policy(Duration.ofMinutes(10), Duration.ofMinutes(1));
    Instant event = clock.instant().minusSeconds(20);
    target.meta = Map.of(TargetStatus.META_LAST_EVENT, Long.toString(event.toEpochMilli()));
    source.answer("load", 4);
    try (Autoscaler autoscaler = engine(store)) {
      ScalingDecision d = autoscaler.evaluate(web);

      assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
      assertThat(d.reasons()).singleElement().asString().contains("out-of-band", event.toString());
      assertThat(store.load(web.id()).knownEvent()).hasValue(event);
      assertThat(store.load(web.id()).cooldownUntil()).isEqualTo(event.plus(Duration.ofMinutes(1)));
      clock.advance(Duration.ofSeconds(41));
      assertThat(autoscaler.evaluate(web).outcome()).isEqualTo(Outcome.SCALED);
    }
  }

  @Test
  void scaleRefused_stateIsRestoredSoNoCooldownStarts() {
    StateStore store = StateStore.inMemory();
    ScalingPolicy web = policy(Duration.ofMinutes(10), Duration.ofMinutes(1));
    target.onScale = a -> {
      throw new dev.capstan.spi.TargetException("group web is being deleted");
    };
    source.answer("load", 4);
    try (Autoscaler autoscaler = engine(store)) {
      ScalingDecision d = autoscaler.evaluate(web);

      assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(d.error()).get().asString().contains("group web is being deleted");
      assertThat(store.load(web.id())).isEqualTo(PolicyState.INITIAL);
    }
  }

  /** Stands for the JVM dying: an Error the engine must let through. */
  private static final class ProcessKilled extends Error {
    private static final long serialVersionUID = 1L;
  }
}
