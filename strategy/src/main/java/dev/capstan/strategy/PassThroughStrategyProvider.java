package dev.capstan.strategy;

import com.google.auto.service.AutoService;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.Map;

/**
 * Provides the {@code pass-through} strategy: the latest metric value, truncated toward zero, is the
 * desired count.
 *
 * <p>The move is limited to {@code max_scale_up} up and {@code max_scale_down} down, and never goes
 * below 0; with no points nothing changes.
 *
 * <p>Keys: {@code max_scale_up} and {@code max_scale_down} (optional whole numbers at least 0,
 * unlimited by default).
 */
@AutoService(StrategyProvider.class)
public final class PassThroughStrategyProvider implements StrategyProvider {
  /** The name policies use: {@value}. */
  public static final String NAME = "pass-through";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public PassThroughStrategyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the configuration once and returns the strategy.
   *
   * @param config optionally {@code max_scale_up} and {@code max_scale_down}
   * @return a thread-safe, allocation-free strategy
   * @throws dev.capstan.spi.ConfigException naming every malformed or unknown key at once
   */
  @Override
  public Strategy create(Map<String, String> config) {
    return StrategyConfig.parse(NAME, config, r -> new PassThroughStrategy(StepLimits.read(r)));
  }
}
