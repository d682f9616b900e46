package dev.capstan.engine;

import dev.capstan.policy.Fallback;
import java.util.Objects;

/**
 * Where a failing check with a {@code fallback} stands in one evaluation: how many times in a row it has
 * failed, how many failures its fallback waits for, and so whether it votes its fallback count
 * ({@link #active()}). Carried by {@link CheckResult#fallback()} for every check with a fallback that failed
 * in this evaluation; a check that succeeded, or has no fallback, carries none.
 *
 * @param consecutiveFailures the check's failures in a row, this one included, at least 1
 * @param failuresNeeded the fallback's {@code failures}, at least 1
 * @param behavior how the fallback computes its vote
 * @param lastError this evaluation's failure, naming the plug-in, e.g.
 *     {@code metric source 'prometheus' failed on query 'queue': 503}
 */
public record FallbackStatus(int consecutiveFailures, int failuresNeeded, Fallback.Behavior behavior,
    String lastError) {

  /**
   * Checks the counts.
   *
   * @param consecutiveFailures the check's failures in a row, at least 1
   * @param failuresNeeded the fallback's {@code failures}, at least 1
   * @param behavior how the fallback computes its vote
   * @param lastError this evaluation's failure
   * @throws IllegalArgumentException naming the count that is below 1
   * @throws NullPointerException if {@code behavior} or {@code lastError} is null
   */
  public FallbackStatus {
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(lastError, "lastError");
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutiveFailures was '" + consecutiveFailures + "' but it must be at least 1");
    }
    if (failuresNeeded < 1) {
      throw new IllegalArgumentException("failuresNeeded was '" + failuresNeeded + "' but it must be at least 1");
    }
  }

  /**
   * Returns whether the check votes its fallback count in this evaluation instead of failing.
   *
   * @return {@code true} once {@link #consecutiveFailures()} reached {@link #failuresNeeded()}
   */
  public boolean active() {
    return consecutiveFailures >= failuresNeeded;
  }
}
