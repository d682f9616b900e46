package dev.capstan.strategy;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.Map;

/**
 * Provides the {@code target-value} strategy: keep the latest metric value at or around a target.
 *
 * <p>With {@code factor = value / target} ({@code factor = value} when the target is 0): from a count
 * of 0 the strategy scales up to {@code ceil(factor)} when the factor is above 0 and otherwise keeps
 * 0; from any other count it keeps the count while {@code 1 - threshold <= factor <= 1 + threshold},
 * else wants {@code ceil(count * factor)}, moved at most {@code max_scale_up} up or
 * {@code max_scale_down} down, never below 0. Only the latest point is used; no points, no change.
 *
 * <p>Keys: {@code target} (required number), {@code threshold} (number at least 0, default
 * {@value #DEFAULT_THRESHOLD}), {@code max_scale_up} and {@code max_scale_down} (optional whole numbers
 * at least 0, unlimited by default).
 */
@AutoService(StrategyProvider.class)
public final class TargetValueStrategyProvider implements StrategyProvider {
  /** The name policies use: {@value}. */
  public static final String NAME = "target-value";
  /** The {@code threshold} used when the key is absent: {@value}. */
  public static final double DEFAULT_THRESHOLD = 0.01;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public TargetValueStrategyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the configuration once and returns the strategy.
   *
   * @param config {@code target}, and optionally {@code threshold}, {@code max_scale_up},
   *     {@code max_scale_down}
   * @return a thread-safe, allocation-free strategy
   * @throws dev.capstan.spi.ConfigException naming every missing, malformed or unknown key at once
   */
  @Override
  public Strategy create(Map<String, String> config) {
    return StrategyConfig.parse(NAME, config, TargetValueStrategyProvider::read);
  }

  private static Strategy read(ConfigReader r) {
    double target = r.requiredDouble("target");
    double threshold = r.doubleValue("threshold", DEFAULT_THRESHOLD);
    if (threshold < 0) {
      r.problem("threshold", "must be at least 0");
    }
    return new TargetValueStrategy(target, threshold, StepLimits.read(r));
  }
}
