package dev.capstan.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One check of a policy: a metric query and the strategy that turns its result into a count.
 *
 * @param name the check's name, unique within its policy
 * @param source the metric source's name, e.g. {@code "prometheus"}; empty for strategies that read
 *     no metrics (such as fixed-value)
 * @param query the query in the source's language; empty for strategies that read no metrics
 * @param queryWindow how far back the query reaches from now (default 1m)
 * @param queryWindowOffset how far the whole window is shifted into the past (default 0)
 * @param group the check group; within a group, NONE votes are ignored unless all are NONE; empty
 *     when the check stands alone
 * @param strategy the strategy and its configuration
 * @param onError overrides the policy's {@code on_check_error} for this check, when present
 * @param demand whether this is a demand check (HCL {@code demand = true}, a Capstan extension): it
 *     measures work waiting for capacity (e.g. blocked evaluations) and is consulted only while the
 *     group is at 0, where utilization checks have nothing to measure; while the group has capacity
 *     only the other checks run. A policy without demand checks runs all its checks at every count.
 */
public record Check(String name, String source, String query, Duration queryWindow,
    Duration queryWindowOffset, Optional<String> group, PluginRef strategy, Optional<OnError> onError, boolean demand) {

  /** nomad-autoscaler's default query window. */
  public static final Duration DEFAULT_QUERY_WINDOW = Duration.ofMinutes(1);

  /**
   * Checks for nulls.
   *
   * @param name the check's name, unique within its policy
   * @param source the metric source's name, e.g. {@code "prometheus"}; empty for strategies that read no metrics (such as fixed-value)
   * @param query the query in the source's language; empty for strategies that read no metrics
   * @param queryWindow how far back the query reaches from now (default 1m)
   * @param queryWindowOffset how far the whole window is shifted into the past (default 0)
   * @param group the check group; within a group, NONE votes are ignored unless all are NONE; empty when the check stands alone
   * @param strategy the strategy and its configuration
   * @param onError overrides the policy's {@code on_check_error} for this check, when present
   * @param demand whether this is a demand check (HCL {@code demand = true}, a Capstan extension): it measures work waiting for capacity (e.g. blocked evaluations) and is consulted only while the group is at 0, where utilization checks have nothing to measure; while the group has capacity only the other checks run. A policy without demand checks runs all its checks at every count.
   * @throws NullPointerException if any field is null
   */
  public Check {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(queryWindow, "queryWindow");
    Objects.requireNonNull(queryWindowOffset, "queryWindowOffset");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(onError, "onError");
  }

  /**
   * Creates a check that is not a demand check.
   *
   * @param name the check's name
   * @param source the metric source's name
   * @param query the query
   * @param queryWindow how far back the query reaches
   * @param queryWindowOffset how far the window is shifted into the past
   * @param group the check group, if any
   * @param strategy the strategy and its configuration
   * @param onError overrides the policy's {@code on_check_error}, when present
   */
  public Check(String name, String source, String query, Duration queryWindow, Duration queryWindowOffset,
      Optional<String> group, PluginRef strategy, Optional<OnError> onError) {
    this(name, source, query, queryWindow, queryWindowOffset, group, strategy, onError, false);
  }

  /**
   * Returns this check as a demand check (or not).
   *
   * @param demand whether it is consulted only while the group is at 0
   * @return a copy with the flag set
   */
  public Check withDemand(boolean demand) {
    return new Check(name, source, query, queryWindow, queryWindowOffset, group, strategy, onError, demand);
  }

  /**
   * Returns a check with the default window (1m), no offset, no group and the policy's error handling.
   *
   * @param name the check's name
   * @param source the metric source's name
   * @param query the query
   * @param strategy the strategy and its configuration
   * @return a new check
   */
  public static Check of(String name, String source, String query, PluginRef strategy) {
    return new Check(name, source, query, DEFAULT_QUERY_WINDOW, Duration.ZERO, Optional.empty(), strategy,
        Optional.empty());
  }

  /**
   * Returns what a failure of this check does, given its policy's default.
   *
   * @param policyDefault the policy's {@code on_check_error}
   * @return this check's {@code on_error} if set, else the policy's
   */
  public OnError effectiveOnError(OnError policyDefault) {
    return onError.orElse(policyDefault);
  }
}
