package dev.capstan.spi;

import java.util.Map;

/**
 * Creates {@link MetricSource} instances; found by {@link #name()} through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are public, have a no-argument constructor and register with
 * {@code @AutoService(MetricSourceProvider.class)}.
 */
public interface MetricSourceProvider {

  /**
   * Returns the name checks use in {@code source = "..."}, e.g. {@code "prometheus"}.
   *
   * @return a stable, non-blank name
   */
  String name();

  /**
   * Parses and validates the configuration once and returns a ready source.
   *
   * @param config the agent-level configuration of this source (e.g. an {@code apm} block's config)
   * @return a thread-safe source; the caller closes it
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  MetricSource create(Map<String, String> config);
}
