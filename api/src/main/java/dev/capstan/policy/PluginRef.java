package dev.capstan.policy;

import java.util.Map;
import java.util.Objects;

/**
 * A named plug-in and its configuration, as written in a {@code strategy "<name>" { ... }} or
 * {@code target "<name>" { ... }} block.
 *
 * @param name the provider's name, e.g. {@code "target-value"}
 * @param config the block's attributes, values rendered as the user wrote them
 */
public record PluginRef(String name, Map<String, String> config) {
  /**
   * Validates and copies.
   *
   * @param name the provider's name, e.g. {@code "target-value"}
   * @param config the block's attributes, values rendered as the user wrote them
   * @throws NullPointerException if either field is null
   */
  public PluginRef {
    Objects.requireNonNull(name, "name");
    config = Map.copyOf(config);
  }

  /**
   * Returns a reference with the given name and attributes.
   *
   * @param name the provider's name
   * @param config the attributes
   * @return a new reference
   */
  public static PluginRef of(String name, Map<String, String> config) {
    return new PluginRef(name, config);
  }
}
