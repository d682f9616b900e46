package dev.capstan.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A named plug-in and its configuration, as written in a {@code strategy "<name>" { ... }} or
 * {@code target "<name>" { ... }} block.
 *
 * <p>Some values may be secrets, given by reference in the file ({@code env("NAME")},
 * {@code file("PATH")}) and resolved when it was read: {@link #config()} holds their values for the
 * plug-in, {@link #secretKeys()} names them, and {@link #toString()} and {@link #redact} never show
 * them.
 *
 * @param name the provider's name, e.g. {@code "target-value"}
 * @param config the block's attributes, values rendered as the user wrote them (secrets resolved)
 * @param secretKeys the keys of {@code config} whose values are secrets
 */
public record PluginRef(String name, Map<String, String> config, Set<String> secretKeys) {
  /** How a secret value is shown instead of itself. */
  public static final String REDACTED = "(secret)";

  /**
   * Validates and copies.
   *
   * @param name the provider's name, e.g. {@code "target-value"}
   * @param config the block's attributes
   * @param secretKeys the keys of {@code config} whose values are secrets
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if a secret key is not a key of {@code config}
   */
  public PluginRef {
    Objects.requireNonNull(name, "name");
    config = Map.copyOf(config);
    secretKeys = Set.copyOf(secretKeys);
    for (String key : secretKeys) {
      if (!config.containsKey(key)) {
        throw new IllegalArgumentException("secret key " + key + " is not a key of the configuration");
      }
    }
  }

  /**
   * A reference without secrets.
   *
   * @param name the provider's name, e.g. {@code "target-value"}
   * @param config the block's attributes
   * @throws NullPointerException if either field is null
   */
  public PluginRef(String name, Map<String, String> config) {
    this(name, config, Set.of());
  }

  /**
   * Returns a reference with the given name and attributes, none of them secret.
   *
   * @param name the provider's name
   * @param config the attributes
   * @return a new reference
   */
  public static PluginRef of(String name, Map<String, String> config) {
    return new PluginRef(name, config);
  }

  /**
   * Returns {@code text} with every secret value of this block replaced by {@value #REDACTED}, for a
   * message from the plug-in that might quote its configuration.
   *
   * @param text a message
   * @return the message without secret values; {@code text} itself when the block has none
   */
  public String redact(String text) {
    String out = text;
    for (String key : secretKeys) {
      String value = config.get(key);
      if (!value.isEmpty()) {
        out = out.replace(value, REDACTED);
      }
    }
    return out;
  }

  /**
   * Describes the reference with its secret values replaced by {@value #REDACTED}.
   *
   * @return e.g. {@code PluginRef[name=aws-asg, config={aws_asg_name=web, token=(secret)}]}
   */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>(config);
    secretKeys.forEach(k -> shown.put(k, REDACTED));
    return "PluginRef[name=" + name + ", config=" + shown + (secretKeys.isEmpty() ? "" : ", secretKeys="
        + new java.util.TreeSet<>(secretKeys)) + "]";
  }
}
