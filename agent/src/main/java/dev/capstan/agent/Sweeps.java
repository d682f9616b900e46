package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives one policy of a sweep: the policy as written with one attribute set to one value, through
 * the policy model's {@code toBuilder()}, so no other field can be dropped.
 */
final class Sweeps {
  private static final String CHECK_PREFIX = "check.";
  private static final String STRATEGY_PART = ".strategy.";

  private Sweeps() {}

  /**
   * Returns {@code policy} with {@code attribute} set to {@code value}.
   *
   * @throws BacktestException if the attribute is not one a sweep can set, names a check that does not
   *     exist, names a strategy key no check has, or the value does not parse
   */
  static ScalingPolicy apply(ScalingPolicy policy, String attribute, String value) {
    String where = policy.origin() + ": policy '" + policy.name() + "': sweep " + attribute + "=" + value;
    try {
      switch (attribute) {
        case "min":
          return policy.toBuilder().min(Long.parseLong(value)).build();
        case "max":
          return policy.toBuilder().max(Long.parseLong(value)).build();
        case "cooldown":
          return policy.toBuilder().cooldown(Durations.parse(value)).build();
        case "cooldown_on_scale_up":
          return policy.toBuilder().cooldownOnScaleUp(Durations.parse(value)).build();
        case "evaluation_interval":
          return policy.toBuilder().evaluationInterval(Durations.parse(value)).build();
        default:
          return strategyKey(policy, attribute, value, where);
      }
    } catch (IllegalArgumentException e) {
      throw new BacktestException(where + ": " + e.getMessage(), e);
    }
  }

  private static ScalingPolicy strategyKey(ScalingPolicy policy, String attribute, String value, String where) {
    String checkName = null;
    String key = attribute;
    if (attribute.startsWith(CHECK_PREFIX)) {
      int at = attribute.lastIndexOf(STRATEGY_PART);
      if (at <= CHECK_PREFIX.length()) {
        throw new BacktestException(where + ": a check attribute reads check.<name>.strategy.<key>");
      }
      checkName = attribute.substring(CHECK_PREFIX.length(), at);
      key = attribute.substring(at + STRATEGY_PART.length());
    }
    List<Check> checks = new ArrayList<>();
    boolean changed = false;
    for (Check check : policy.checks()) {
      boolean named = checkName == null ? check.strategy().config().containsKey(key) : check.name().equals(checkName);
      if (named) {
        Map<String, String> config = new LinkedHashMap<>(check.strategy().config());
        config.put(key, value);
        checks.add(check.toBuilder().strategy(PluginRef.of(check.strategy().name(), config)).build());
        changed = true;
      } else {
        checks.add(check);
      }
    }
    if (!changed) {
      throw new BacktestException(where + ": " + (checkName != null ? "there is no check '" + checkName + "'"
          : "no check's strategy has a key '" + key + "'") + "; a sweep sets min, max, cooldown,"
          + " cooldown_on_scale_up, evaluation_interval, a strategy key or check.<name>.strategy.<key>");
    }
    return policy.toBuilder().checks(checks).build();
  }
}
