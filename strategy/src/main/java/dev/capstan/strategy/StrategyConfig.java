package dev.capstan.strategy;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.Strategy;
import java.util.Map;
import java.util.function.Function;

/** The one parse sequence every stock provider follows, so none forgets unknown keys or validation. */
final class StrategyConfig {
  private StrategyConfig() {}

  /**
   * Reads {@code config} with {@code read}, then rejects unknown keys and throws for every problem
   * found, in the order found.
   */
  static Strategy parse(String name, Map<String, String> config, Function<ConfigReader, Strategy> read) {
    ConfigReader r = ConfigReader.of(config, name + " strategy");
    Strategy strategy = read.apply(r);
    r.rejectUnknownKeys();
    r.validate();
    return strategy;
  }
}
