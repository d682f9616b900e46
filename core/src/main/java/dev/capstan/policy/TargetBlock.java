package dev.capstan.policy;

import dev.capstan.spi.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The keys of a policy's {@code target} block that belong to the engine rather than to the target
 * plug-in. nomad-autoscaler reads {@code dry-run} in any target block as "this policy only reports",
 * for every target, and never hands it to the plug-in; Capstan does the same, so the plug-in's own
 * unknown-key check never sees it.
 */
public final class TargetBlock {
  /** The key of a per-policy dry run: {@code dry-run = "true"} (default false). */
  public static final String DRY_RUN = "dry-run";

  private TargetBlock() {}

  /**
   * Returns the target block without the engine's keys: what the target plug-in binds.
   *
   * @param config the policy's target block
   * @return a copy without {@link #DRY_RUN}, or {@code config} itself when it has no such key
   */
  public static Map<String, String> pluginConfig(Map<String, String> config) {
    if (!config.containsKey(DRY_RUN)) {
      return config;
    }
    Map<String, String> copy = new LinkedHashMap<>(config);
    copy.remove(DRY_RUN);
    return copy;
  }

  /**
   * Returns whether the target block asks for a dry run.
   *
   * @param config the policy's target block
   * @return the value of {@link #DRY_RUN}, false when absent
   * @throws ConfigException if the value is not {@code true} or {@code false}
   */
  public static boolean dryRun(Map<String, String> config) {
    String value = config.get(DRY_RUN);
    if (value == null) {
      return false;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException("target block",
          List.of(DRY_RUN + " was '" + value + "' but it must be true or false"));
    };
  }
}
