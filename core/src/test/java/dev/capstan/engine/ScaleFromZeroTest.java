package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.spi.Strategy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's open problem: a pool that scaled to zero must be able to come back. */
final class ScaleFromZeroTest {
  private static final String CPU = "cpu_allocated_percentage";
  private static final String PENDING = "blocked_evals_cpu";

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final InMemoryTarget target = InMemoryTarget.withCount(0);
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private Autoscaler autoscaler;

  /** target-value's rule, enough here: ceil(count * v / 70), or ceil(v / 70) from zero. */
  private static Strategy targetValue70() {
    return (count, m) -> {
      if (m.isEmpty()) {
        return count;
      }
      double factor = m.latest() / 70;
      return count == 0 ? (long) Math.ceil(factor) : (long) Math.ceil(count * factor);
    };
  }

  /** One instance as soon as any work waits. */
  private static Strategy anyDemandWantsOne() {
    return (count, m) -> !m.isEmpty() && m.latest() > 0 ? Math.max(count, 1) : count;
  }

  private ScalingDecision evaluate(boolean withDemandCheck) {
    ScalingPolicy.Builder b = ScalingPolicy.builder().name("burst").min(0).max(5)
        .cooldown(Duration.ofMinutes(1)).target(PluginRef.of("mem", Map.of()))
        .check(Check.of("cpu", "src", CPU, PluginRef.of("target-value", Map.of())));
    if (withDemandCheck) {
      b.check(Check.of("pending", "src", PENDING, PluginRef.of("demand", Map.of())).withDemand(true));
    }
    autoscaler = Autoscaler.builder().clock(clock).executor(Runnable::run).lookupPlugins(false)
        .strategy("target-value", c -> targetValue70()).strategy("demand", c -> anyDemandWantsOne())
        .metricSource("src", source).target("mem", target).build();
    return autoscaler.evaluate(b.build());
  }

  @AfterEach
  void close() {
    if (autoscaler != null) {
      autoscaler.close();
    }
  }

  @Test
  void emptyPool_withoutDemandCheck_staysAtZero() {
    // With no nodes, the utilization query has no data: this is why a pool could not come back.
    source.answer(CPU, (from, to) -> {
      throw new MetricSourceException("no data for " + CPU);
    });
    ScalingDecision decision = evaluate(false);
    assertThat(decision.outcome()).isNotEqualTo(Outcome.SCALED);
    assertThat(target.count()).isZero();
  }

  @Test
  void emptyPool_demandCheckSeesWork_scalesUpWithoutAskingUtilization() {
    source.answer(PENDING, 1200.0);
    ScalingDecision decision = evaluate(true);
    assertThat(decision.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(1);
    assertThat(source.queries()).extracting(ScriptedMetricSource.Query::query).containsExactly(PENDING);
  }

  @Test
  void emptyPool_noWaitingWork_staysAtZero() {
    source.answer(PENDING, 0.0);
    assertThat(evaluate(true).outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(target.count()).isZero();
  }

  @Test
  void poolWithCapacity_demandCheckNotConsulted_utilizationDecides() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 2);
    source.answer(CPU, 105.0).answer(PENDING, 0.0);
    ScalingDecision decision = evaluate(true);
    assertThat(decision.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(3);
    assertThat(source.queries()).extracting(ScriptedMetricSource.Query::query).containsExactly(CPU);
  }
}
