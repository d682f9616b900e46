package dev.capstan.policy;

import dev.capstan.config.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The validation rules of a policy's values, shared by {@link ScalingPolicy.Builder} and the file
 * parser so that both accept and reject exactly the same policies with the same messages.
 *
 * <p>Field names in messages are the policy file's attribute names ({@code evaluation_interval}), also
 * for policies built in code, so one vocabulary appears in logs and docs.
 */
final class PolicyRules {
  /** Strategies that compute a count without reading metrics, so their checks need no source or query. */
  static final Set<String> METRICLESS_STRATEGIES = Set.of("fixed-value");
  /** The policy types Capstan knows. */
  static final List<String> TYPES = List.of("horizontal", "cluster");

  private PolicyRules() {}

  /** Returns the prefix every message about policy {@code name} from {@code origin} starts with. */
  static String where(String origin, @Nullable String name) {
    return origin + ": policy '" + name + "': ";
  }

  /** Returns the prefix every message about one check of a policy starts with. */
  static String where(String origin, @Nullable String name, String check) {
    return where(origin, name) + "check '" + check + "': ";
  }

  /**
   * Adds a message for every rule the policy's own values break. Parsing problems (syntax, unknown
   * attributes) are not found here: they cannot arise from typed Java values. Each check was
   * validated when it was built, so only the rules across checks are checked here.
   */
  static void validate(String origin, @Nullable String name, long min, @Nullable Long max,
      Duration cooldown, @Nullable Duration cooldownOnScaleUp, Duration evaluationInterval,
      List<Check> checks, @Nullable PluginRef target, String type, List<String> problems) {
    if (name == null || name.isBlank()) {
      problems.add(origin + ": a policy needs a name: scaling \"<name>\" { ... }");
    }
    String at = where(origin, name);
    if (min < 0) {
      problems.add(at + "min was '" + min + "' but it must be at least 0");
    }
    if (max == null) {
      problems.add(at + "max is required but was missing");
    } else if (max < min) {
      problems.add(at + "max was '" + max + "' but it must be at least min (" + min + ")");
    }
    positive(at, "cooldown", cooldown, problems);
    if (cooldownOnScaleUp != null) {
      positive(at, "cooldown_on_scale_up", cooldownOnScaleUp, problems);
    }
    positive(at, "evaluation_interval", evaluationInterval, problems);
    if (!TYPES.contains(type)) {
      problems.add(at + "type was '" + type + "' but it must be one of " + String.join(", ", TYPES));
    }
    if (checks.isEmpty()) {
      problems.add(at + "it has no check but it needs at least one: check \"<name>\" { ... }");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (Check check : checks) {
      if (seen.merge(check.name(), 1, Integer::sum) == 2) {
        problems.add(at + "check '" + check.name() + "' is defined more than once but check names must be unique");
      }
    }
    if (target == null) {
      problems.add(at + "it has no target but it needs one: target \"<name>\" { ... }");
    } else if (target.name().isBlank()) {
      problems.add(at + "the target has a blank name but it needs one such as \"aws-asg\"");
    }
  }

  /**
   * Adds a message for every rule a check's values break. Messages start with {@code policyAt} (the
   * file-and-policy prefix from the parser, or nothing for a check built on its own) and then name the
   * check. A {@code null} query window stands for an instant query.
   */
  static void validateCheck(String policyAt, @Nullable String name, String source, String query,
      @Nullable Duration queryWindow, Duration queryWindowOffset, @Nullable String group, @Nullable PluginRef strategy,
      List<String> problems) {
    if (name == null || name.isBlank()) {
      problems.add(policyAt + "a check needs a name: check \"<name>\" { ... }");
    }
    String at = policyAt + "check '" + (name == null ? "" : name) + "': ";
    String strategyName = strategy == null ? "" : strategy.name();
    if (strategyName.isBlank()) {
      problems.add(at + "it has no strategy but it needs one: strategy \"<name>\" { ... }");
    }
    if (!METRICLESS_STRATEGIES.contains(strategyName)) {
      if (source.isBlank()) {
        problems.add(at + "source is required but was missing (the metric source, e.g. \"prometheus\")");
      }
      if (query.isBlank()) {
        problems.add(at + "query is required but was missing");
      }
    }
    if (queryWindow != null) {
      positive(at, "query_window", queryWindow, problems);
    } else if (strategyName.equals("threshold") && strategy != null
        && !"1".equals(strategy.config().get("within_bounds_trigger"))) {
      // One point can be within bounds at most once; the peer refuses the same policy.
      problems.add(at + "strategy 'threshold': within_bounds_trigger was '"
          + strategy.config().getOrDefault("within_bounds_trigger", "(not set)")
          + "' but it must be 1 when query_window = \"instant\" (an instant query gives one point)");
    }
    if (queryWindowOffset.isNegative()) {
      problems.add(at + "query_window_offset was '" + Durations.format(queryWindowOffset)
          + "' but it must not be negative");
    }
    if (group != null && group.isBlank()) {
      problems.add(at + "group was '" + group + "' but it must not be blank");
    }
  }

  private static void positive(String at, String field, Duration value, List<String> problems) {
    if (value.isNegative() || value.isZero()) {
      problems.add(at + field + " was '" + Durations.format(value) + "' but it must be a positive duration");
    }
  }
}
