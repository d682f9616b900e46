package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.Schedule;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The order of one evaluation: schedule first, batched status reads, explanations, no leftovers. */
final class EnginePipelineTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final RecordingTarget target = new RecordingTarget(2);
  private final List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();

  private Autoscaler.Builder builder() {
    return Autoscaler.builder().clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0)
        .lookupPlugins(false).strategy("pass", config -> (current, metrics) -> (long) metrics.latest())
        .strategy("explained", config -> new Strategy() {
          @Override
          public long desiredCount(long current, MetricSeries metrics) {
            return 5;
          }

          @Override
          public String explain(long current, MetricSeries metrics) {
            return "queue depth 42 needs 5 workers";
          }
        })
        .metricSource("src", source).target("t", target).listener(decisions::add);
  }

  private static ScalingPolicy.Builder policy(String name) {
    return ScalingPolicy.builder().name(name).min(0).max(10).evaluationInterval(Duration.ofSeconds(10))
        .check(Check.of("cpu", "src", "load", PluginRef.of("pass", Map.of())))
        .target(PluginRef.of("t", Map.of("group", name)));
  }

  @Test
  void outsideTheSchedule_noPluginIsCalled() {
    // 2026-01-01 is a Thursday, 00:00 UTC: outside a 08:00-20:00 window.
    ScalingPolicy night = policy("night")
        .schedule(Schedule.between("0 8 * * *", "0 20 * * *", ZoneId.of("UTC"))).build();
    try (Autoscaler autoscaler = builder().statusBatchWindow(Duration.ZERO).policy(night).build()) {
      autoscaler.start();
      scheduler.advance(Duration.ofSeconds(10));
      ScalingDecision direct = autoscaler.evaluate(night);

      assertThat(decisions).extracting(ScalingDecision::outcome).containsOnly(Outcome.SKIPPED_SCHEDULE);
      assertThat(direct.outcome()).isEqualTo(Outcome.SKIPPED_SCHEDULE);
      assertThat(target.statusCalls.get() + target.statusOfCalls.get()).isZero();
      assertThat(source.queries()).isEmpty();
    }
  }

  @Test
  void policiesDueInOneWindow_shareOneStatusRead() {
    source.answer("load", 2);
    Autoscaler.Builder b = builder().statusBatchWindow(Duration.ofMillis(250)).jitter(0.02);
    for (int i = 0; i < 50; i++) {
      b.policy(policy("p" + i).build());
    }
    try (Autoscaler autoscaler = b.build()) {
      autoscaler.start();
      // Jitter spreads the first ticks over up to 200 ms; the window collects them all.
      scheduler.advance(Duration.ofMillis(200 + 250));

      assertThat(decisions).hasSize(50).extracting(ScalingDecision::outcome).containsOnly(Outcome.NO_CHANGE);
      assertThat(target.batchSizes).containsExactly(50);
      assertThat(target.statusCalls.get()).isEqualTo(50);

      // Each policy keeps its phase, so the next round is one batch again.
      scheduler.advance(Duration.ofSeconds(10));
      assertThat(decisions).hasSize(100);
      assertThat(target.batchSizes).containsExactly(50, 50);
    }
  }

  @Test
  void batchWindow_neverMoreThanATenthOfAnInterval_andAShortIntervalBringsTheFlushForward() {
    source.answer("load", 2);
    ScalingPolicy slow = policy("slow").evaluationInterval(Duration.ofMinutes(1)).build();
    ScalingPolicy fast = policy("fast").evaluationInterval(Duration.ofSeconds(2)).build();
    try (Autoscaler autoscaler = builder().statusBatchWindow(Duration.ofSeconds(1)).policy(slow).build()) {
      autoscaler.start();
      scheduler.runDue();
      autoscaler.putPolicy(fast);
      scheduler.runDue();

      // The slow policy alone would wait the whole second; the fast one may wait 200 ms, so both go then.
      scheduler.advance(Duration.ofMillis(200));
      assertThat(target.batchSizes).containsExactly(2);
      assertThat(decisions).hasSize(2);

      // Two seconds on, the fast policy alone: it waits 200 ms, not the 1 s window.
      scheduler.advance(Duration.ofMillis(1800));
      assertThat(target.batchSizes).containsExactly(2);
      scheduler.advance(Duration.ofMillis(200));
      assertThat(target.batchSizes).containsExactly(2, 1);
    }
  }

  @Test
  void close_releasesPoliciesStillWaitingForTheirBatch() {
    Autoscaler autoscaler = builder().statusBatchWindow(Duration.ofSeconds(1)).policy(policy("p").build()).build();
    autoscaler.start();
    scheduler.advance(Duration.ofMillis(100));

    autoscaler.close();

    assertThat(autoscaler.inFlightCount()).isZero();
    assertThat(target.statusOfCalls.get()).isZero();
    assertThat(decisions).isEmpty();
  }

  @Test
  void decision_carriesTheStrategysOwnExplanation() {
    ScalingPolicy p = ScalingPolicy.builder().name("q").min(0).max(10)
        .check(Check.of("queue", "src", "depth", PluginRef.of("explained", Map.of())))
        .target(PluginRef.of("t", Map.of())).build();
    source.answer("depth", 42);
    try (Autoscaler autoscaler = builder().build()) {
      ScalingDecision d = autoscaler.evaluate(p);

      assertThat(d.checks()).singleElement().extracting(c -> c.explanation().text())
          .isEqualTo("queue depth 42 needs 5 workers");
      assertThat(d.reasons()).contains("check 'queue' wants 5 (up from 2): queue depth 42 needs 5 workers");
    }
  }

  @Test
  void decisionThatChangesNothing_neverFormatsTheExplanation_butCanStillShowIt() {
    java.util.concurrent.atomic.AtomicInteger explained = new java.util.concurrent.atomic.AtomicInteger();
    ScalingPolicy p = ScalingPolicy.builder().name("steady").min(0).max(10)
        .check(Check.of("cpu", "src", "load", PluginRef.of("counting", Map.of())))
        .target(PluginRef.of("t", Map.of())).build();
    source.answer("load", 2);
    try (Autoscaler autoscaler = builder().strategy("counting", config -> new Strategy() {
      @Override
      public long desiredCount(long current, MetricSeries metrics) {
        return current;
      }

      @Override
      public String explain(long current, MetricSeries metrics) {
        explained.incrementAndGet();
        return "load is on target";
      }
    }).build()) {
      ScalingDecision d = autoscaler.evaluate(p);

      assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
      assertThat(explained).hasValue(0);
      assertThat(d.checks().get(0).explanation().text()).isEqualTo("load is on target");
      assertThat(explained).hasValue(1);
    }
  }

  @Test
  void evaluateOfAnUnregisteredPolicy_leavesNothingBehind() {
    source.answer("load", 2);
    try (Autoscaler autoscaler = builder().build()) {
      autoscaler.evaluate(policy("once").build());

      assertThat(autoscaler.runnerCount()).isZero();
      assertThat(autoscaler.policies()).isEmpty();
    }
  }

  @Test
  void anErrorInAPlugIn_propagatesAndReleasesThePolicy() {
    ScalingPolicy p = ScalingPolicy.builder().name("err").min(0).max(10)
        .check(Check.of("c", "src", "load", PluginRef.of("boom", Map.of())))
        .target(PluginRef.of("t", Map.of())).build();
    source.answer("load", 2);
    try (Autoscaler autoscaler = builder().strategy("boom", config -> (current, metrics) -> {
      throw new AssertionError("strategy bug");
    }).policy(p).build()) {
      assertThatThrownBy(() -> autoscaler.evaluate(p)).isInstanceOf(AssertionError.class).hasMessage("strategy bug");
      // Not stuck in flight: the next evaluation runs (and fails the same way) instead of SKIPPED_BUSY.
      assertThatThrownBy(() -> autoscaler.evaluate(p)).isInstanceOf(AssertionError.class);
    }
  }
}
