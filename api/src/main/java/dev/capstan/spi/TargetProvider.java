package dev.capstan.spi;

import java.util.Map;

/**
 * Creates {@link Target} instances; found by {@link #name()} through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are public, have a no-argument constructor and register with
 * {@code @AutoService(TargetProvider.class)}.
 */
public interface TargetProvider {

  /**
   * Returns the name policies use in {@code target "<name>"}, e.g. {@code "aws-asg"}.
   *
   * @return a stable, non-blank name
   */
  String name();

  /**
   * Parses and validates the agent-level configuration once and returns a ready target.
   *
   * @param agentConfig credentials, region, endpoint and similar settings shared by all policies
   * @return a thread-safe target; the caller closes it
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  Target create(Map<String, String> agentConfig);
}
