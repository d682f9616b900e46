package dev.capstan.cluster;

import dev.capstan.Plugins;
import java.util.Map;

/**
 * Creates {@link NodePool}s; found by {@link #name()} through {@link java.util.ServiceLoader}, like
 * the other SPIs. Implementations are public, have a no-argument constructor and register with
 * {@code @AutoService(NodePoolProvider.class)}.
 */
public interface NodePoolProvider {

  /**
   * Returns the name an agent file uses for this scheduler, e.g. {@code "nomad"}.
   *
   * @return a stable, non-blank name
   */
  String name();

  /**
   * Parses and validates the configuration once and returns a ready pool.
   *
   * @param config the scheduler's address, credentials and similar settings
   * @return a thread-safe pool; the caller closes it
   * @throws dev.capstan.spi.ConfigException naming every bad, missing or unknown key at once
   */
  NodePool create(Map<String, String> config);

  /**
   * Creates the node pool named {@code name}, found with {@link java.util.ServiceLoader}.
   *
   * @param name the provider's name
   * @param config its configuration
   * @return a new pool
   * @throws dev.capstan.spi.ConfigException if no provider has that name (the message lists those
   *     available) or the configuration is invalid
   * @throws IllegalStateException if two providers share the name
   */
  static NodePool load(String name, Map<String, String> config) {
    return Plugins.provider(NodePoolProvider.class, "node pool", NodePoolProvider::name, name).create(config);
  }
}
