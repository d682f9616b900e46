package dev.capstan.strategy;

import dev.capstan.spi.Strategy;
import java.util.Map;

/**
 * Static factories for the stock strategies, so embedders need neither {@link java.util.ServiceLoader}
 * nor a configuration map for the common cases.
 *
 * <p>Each factory validates exactly as the matching provider does. For the {@code threshold} strategy
 * and for {@code max_scale_up} / {@code max_scale_down}, call the provider's {@code create(Map)}
 * directly, e.g. {@code new ThresholdStrategyProvider().create(Map.of("lower_bound", "80", "delta", "1"))}.
 */
public final class Strategies {
  private static final Strategy PASS_THROUGH = new PassThroughStrategy(StepLimits.NONE);

  private Strategies() {}

  /**
   * Returns a {@code target-value} strategy with the default threshold of
   * {@value TargetValueStrategyProvider#DEFAULT_THRESHOLD} and no step limits.
   *
   * @param target the metric value to keep the group at; 0 means "scale with the value itself"
   * @return a thread-safe strategy
   * @throws dev.capstan.spi.ConfigException if {@code target} is NaN or infinite
   * @see TargetValueStrategyProvider
   */
  public static Strategy targetValue(double target) {
    return new TargetValueStrategyProvider().create(Map.of("target", Double.toString(target)));
  }

  /**
   * Returns a {@code target-value} strategy with the given threshold and no step limits.
   *
   * @param target the metric value to keep the group at; 0 means "scale with the value itself"
   * @param threshold how far the factor may stray from 1 before anything changes, at least 0
   * @return a thread-safe strategy
   * @throws dev.capstan.spi.ConfigException if either number is NaN or infinite, or the threshold is
   *     negative
   * @see TargetValueStrategyProvider
   */
  public static Strategy targetValue(double target, double threshold) {
    return new TargetValueStrategyProvider().create(
        Map.of("target", Double.toString(target), "threshold", Double.toString(threshold)));
  }

  /**
   * Returns a {@code fixed-value} strategy.
   *
   * @param value the count always wanted, at least 0
   * @return a thread-safe strategy
   * @throws dev.capstan.spi.ConfigException if {@code value} is negative
   * @see FixedValueStrategyProvider
   */
  public static Strategy fixedValue(long value) {
    return new FixedValueStrategyProvider().create(Map.of("value", Long.toString(value)));
  }

  /**
   * Returns the {@code pass-through} strategy without step limits.
   *
   * @return the shared, thread-safe instance
   * @see PassThroughStrategyProvider
   */
  public static Strategy passThrough() {
    return PASS_THROUGH;
  }
}
