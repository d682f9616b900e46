package dev.capstan.spi;

import java.util.Map;

/**
 * Creates {@link Strategy} instances; found by {@link #name()} through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are public, have a no-argument constructor and register with
 * {@code @AutoService(StrategyProvider.class)}.
 */
public interface StrategyProvider {

  /**
   * Returns the name policies use for this strategy, e.g. {@code "target-value"}.
   *
   * @return a stable, non-blank name
   */
  String name();

  /**
   * Parses and validates the configuration once and returns a ready strategy.
   *
   * @param config the attributes of the policy's {@code strategy "<name>" { ... }} block
   * @return a thread-safe strategy
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  Strategy create(Map<String, String> config);
}
