package dev.capstan.strategy;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.Map;

/**
 * Provides the {@code fixed-value} strategy: always want {@code value}, ignoring the metrics (useful
 * for a known baseline, or as a floor next to another check).
 *
 * <p>Keys: {@code value} (required whole number at least 0).
 */
@AutoService(StrategyProvider.class)
public final class FixedValueStrategyProvider implements StrategyProvider {
  /** The name policies use: {@value}. */
  public static final String NAME = "fixed-value";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FixedValueStrategyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the configuration once and returns the strategy.
   *
   * @param config {@code value}
   * @return a thread-safe, allocation-free strategy
   * @throws dev.capstan.spi.ConfigException naming every missing, malformed or unknown key at once
   */
  @Override
  public Strategy create(Map<String, String> config) {
    return StrategyConfig.parse(NAME, config, FixedValueStrategyProvider::read);
  }

  private static Strategy read(ConfigReader r) {
    long value = r.requiredLong("value");
    if (value < 0) {
      r.problem("value", "must be at least 0");
    }
    return new FixedValueStrategy(value);
  }
}
