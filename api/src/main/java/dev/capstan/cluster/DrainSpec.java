package dev.capstan.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How to drain a node.
 *
 * @param deadline how long work may take to move off; after it the scheduler stops what is left
 * @param ignoreSystemJobs whether system jobs are left running while the node drains
 */
public record DrainSpec(Duration deadline, boolean ignoreSystemJobs) {
  /**
   * Validates.
   *
   * @param deadline how long work may take to move off; after it the scheduler stops what is left
   * @param ignoreSystemJobs whether system jobs are left running while the node drains
   * @throws IllegalArgumentException if the deadline is not positive
   */
  public DrainSpec {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, but was " + deadline);
    }
  }
}
