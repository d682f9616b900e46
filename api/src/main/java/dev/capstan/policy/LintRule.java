package dev.capstan.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * The rules of the policy linter ({@code capstan validate --lint}, {@code PolicyLint} in capstan-core), by
 * the id that warnings carry and that a policy's {@code lint { ignore = [...] }} block names to silence one
 * (see {@link ScalingPolicy#lintIgnored()}). What each rule warns about is in {@code PolicyLint}.
 */
public enum LintRule {
  /** {@code cooldown-below-interval}: a cooldown shorter than the evaluation interval. */
  COOLDOWN_BELOW_INTERVAL,
  /** {@code query-window-below-interval}: a check's query window shorter than the evaluation interval. */
  QUERY_WINDOW_BELOW_INTERVAL,
  /** {@code min-zero-without-demand}: {@code min = 0} with only utilization checks and no demand check. */
  MIN_ZERO_WITHOUT_DEMAND,
  /** {@code target-value-threshold-below-step}: a target-value tolerance below one instance's share at max. */
  TARGET_VALUE_THRESHOLD_BELOW_STEP,
  /** {@code threshold-overlap}: two threshold bands on one metric that overlap with different actions. */
  THRESHOLD_OVERLAP,
  /** {@code threshold-no-gap}: two threshold bands on one metric that meet with no gap. */
  THRESHOLD_NO_GAP,
  /** {@code schedule-never-opens}: a schedule whose {@code end} fires at every minute its {@code start} does. */
  SCHEDULE_NEVER_OPENS,
  /** {@code shared-target}: two policies with the same target block. */
  SHARED_TARGET;

  /**
   * Returns the rule's id, e.g. {@code min-zero-without-demand}.
   *
   * @return the lower-case, dash-separated name
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Returns the rule with the given id.
   *
   * @param id an id such as {@code shared-target}
   * @return the rule, or empty when no rule has that id
   */
  public static Optional<LintRule> ofId(String id) {
    for (LintRule rule : values()) {
      if (rule.id().equals(id)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }
}
