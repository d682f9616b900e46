package dev.capstan.agent;

import dev.capstan.Plugins;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Scheduler;
import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSource;
import dev.capstan.testkit.ManualClock;

/**
 * The real engine, wired for a simulated world: the one place {@code simulate} and {@code backtest}
 * build their {@link Autoscaler}, so both run exactly the same rules and strategies.
 *
 * <p>The engine is never started: the caller drives every evaluation with {@link Autoscaler#evaluate}
 * on virtual time. Only the given group and source are used, never a real cloud or Prometheus,
 * whatever the policy names; strategies are the real ones found through {@link Plugins}.
 */
final class SimulatedEngine {
  /**
   * Nothing is ever scheduled: the caller drives every evaluation itself, and in virtual time no
   * plug-in call can overrun, so the engine's watchdog has nothing to do.
   */
  private static final Scheduler NEVER = (task, delay) -> () -> { };

  private SimulatedEngine() {}

  /**
   * Builds an engine that evaluates {@code policy} against {@code group}, reading every check's query
   * from {@code metrics}, on {@code clock}.
   *
   * @throws dev.capstan.spi.ConfigException if a check names a strategy that does not exist
   */
  static Autoscaler build(ScalingPolicy policy, ManualClock clock, SimulatedGroup group, MetricSource metrics) {
    Autoscaler.Builder builder = Autoscaler.builder()
        .clock(clock)
        .scheduler(NEVER)
        .executor(Runnable::run)
        .jitter(0)
        // Only the simulated world: never a real cloud or Prometheus, whatever the policy names.
        .lookupPlugins(false)
        .target(policy.target().name(), group);
    // Registered (never started: the caller drives it), so it is bound once, not per evaluation.
    builder.policy(policy);
    for (Check check : policy.checks()) {
      if (!check.source().isBlank()) {
        builder.metricSource(check.source(), metrics);
      }
      builder.strategy(check.strategy().name(), Plugins.strategyProvider(check.strategy().name())::create);
    }
    return builder.build();
  }
}
