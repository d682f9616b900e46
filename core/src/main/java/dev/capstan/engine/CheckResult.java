package dev.capstan.engine;

import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.spi.MetricSeries;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The result of one check in one evaluation: a summary of its metrics and either the strategy's
 * desired count or the error of the plug-in that failed.
 *
 * @param name the check's name
 * @param group the check's group, if any
 * @param onError what a failure of this check does (the check's {@code on_error}, else the policy's)
 * @param points how many metric points the query returned (0 when it failed)
 * @param latest the newest metric value, when there was one
 * @param desiredCount the strategy's count, when the check succeeded
 * @param failedPlugin the plug-in that failed, e.g. {@code "metric source 'prometheus'"}, when the
 *     check failed
 * @param error what went wrong, when the check failed
 * @param explanation the strategy's own reason for its count, built when first read; empty when the
 *     check failed
 * @param fallback for a check with a {@code fallback} that failed in this evaluation: its consecutive failures
 *     and whether it votes its fallback count (then {@link #desiredCount()} is that vote, {@link #error()} is
 *     empty and {@link #failedPlugin()} names the plug-in that failed); empty otherwise
 */
public record CheckResult(String name, Optional<String> group, OnError onError, int points,
    OptionalDouble latest, OptionalLong desiredCount, Optional<String> failedPlugin, Optional<String> error,
    Explanation explanation, Optional<FallbackStatus> fallback) {

  /**
   * Checks that exactly one of count and error is present, and that a fallback status agrees with them.
   *
   * @param name the check's name
   * @param group the check's group, if any
   * @param onError what a failure of this check does (the check's {@code on_error}, else the policy's)
   * @param points how many metric points the query returned (0 when it failed)
   * @param latest the newest metric value, when there was one
   * @param desiredCount the strategy's count, when the check succeeded
   * @param failedPlugin the plug-in that failed, e.g. {@code "metric source 'prometheus'"}, when the check failed
   * @param error what went wrong, when the check failed
   * @param explanation the strategy's own reason for its count; empty when the check failed
   * @param fallback the check's fallback status, when it has a fallback and failed in this evaluation
   * @throws IllegalArgumentException if both or neither of {@code desiredCount} and {@code error} are set, or
   *     if an active fallback comes with an error, or an inactive one without
   * @throws NullPointerException if a field is null
   */
  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(onError, "onError");
    Objects.requireNonNull(latest, "latest");
    Objects.requireNonNull(desiredCount, "desiredCount");
    Objects.requireNonNull(failedPlugin, "failedPlugin");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(explanation, "explanation");
    Objects.requireNonNull(fallback, "fallback");
    if (desiredCount.isPresent() == error.isPresent()) {
      throw new IllegalArgumentException("check '" + name + "' needs either a desired count or an error, not "
          + (error.isPresent() ? "both" : "neither"));
    }
    if (fallback.isPresent() && fallback.get().active() == error.isPresent()) {
      throw new IllegalArgumentException("check '" + name + "' has " + (error.isPresent()
          ? "an active fallback but also an error" : "an inactive fallback but no error"));
    }
  }

  /**
   * Creates a result without a fallback status.
   *
   * @param name the check's name
   * @param group the check's group, if any
   * @param onError what a failure of this check does
   * @param points how many metric points the query returned
   * @param latest the newest metric value, when there was one
   * @param desiredCount the strategy's count, when the check succeeded
   * @param failedPlugin the plug-in that failed, when the check failed
   * @param error what went wrong, when the check failed
   * @param explanation the strategy's own reason for its count; empty when the check failed
   * @throws IllegalArgumentException if both or neither of {@code desiredCount} and {@code error} are set
   */
  public CheckResult(String name, Optional<String> group, OnError onError, int points, OptionalDouble latest,
      OptionalLong desiredCount, Optional<String> failedPlugin, Optional<String> error, Explanation explanation) {
    this(name, group, onError, points, latest, desiredCount, failedPlugin, error, explanation, Optional.empty());
  }
  /**
   * Creates a result without a strategy explanation.
   *
   * @param name the check's name
   * @param group the check's group, if any
   * @param onError what a failure of this check does
   * @param points how many metric points the query returned
   * @param latest the newest metric value, when there was one
   * @param desiredCount the strategy's count, when the check succeeded
   * @param failedPlugin the plug-in that failed, when the check failed
   * @param error what went wrong, when the check failed
   * @throws IllegalArgumentException if both or neither of {@code desiredCount} and {@code error} are set
   */
  public CheckResult(String name, Optional<String> group, OnError onError, int points, OptionalDouble latest,
      OptionalLong desiredCount, Optional<String> failedPlugin, Optional<String> error) {
    this(name, group, onError, points, latest, desiredCount, failedPlugin, error, Explanation.none());
  }


  /**
   * Returns the result of a check whose strategy voted, with the strategy's explanation.
   *
   * @param check the check
   * @param policyDefault the policy's {@code on_check_error}
   * @param metrics what the query returned
   * @param desiredCount the strategy's count
   * @param explanation the strategy's reason, built on first read
   * @return a new result
   */
  public static CheckResult counted(Check check, OnError policyDefault, MetricSeries metrics, long desiredCount,
      Explanation explanation) {
    return new CheckResult(check.name(), check.group(), check.effectiveOnError(policyDefault), metrics.size(),
        metrics.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(metrics.latest()),
        OptionalLong.of(desiredCount), Optional.empty(), Optional.empty(), explanation);
  }

  /**
   * Returns the result of a check whose strategy produced a count.
   *
   * @param check the check
   * @param policyDefault the policy's {@code on_check_error}
   * @param metrics the series the strategy read
   * @param desiredCount the strategy's count, at least 0
   * @return a successful result
   */
  public static CheckResult counted(Check check, OnError policyDefault, MetricSeries metrics, long desiredCount) {
    return new CheckResult(check.name(), check.group(), check.effectiveOnError(policyDefault), metrics.size(),
        metrics.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(metrics.latest()),
        OptionalLong.of(desiredCount), Optional.empty(), Optional.empty());
  }

  /**
   * Returns the result of a check whose metric source or strategy failed.
   *
   * @param check the check
   * @param policyDefault the policy's {@code on_check_error}
   * @param plugin the plug-in that failed, e.g. {@code "strategy 'target-value'"}
   * @param error what went wrong
   * @return a failed result
   */
  public static CheckResult failed(Check check, OnError policyDefault, String plugin, String error) {
    return new CheckResult(check.name(), check.group(), check.effectiveOnError(policyDefault), 0,
        OptionalDouble.empty(), OptionalLong.empty(), Optional.of(plugin), Optional.of(error));
  }

  /**
   * Returns whether the check failed.
   *
   * @return {@code true} when {@link #error()} is present
   */
  public boolean isFailed() {
    return error.isPresent();
  }
}
