package dev.capstan.spi;

/**
 * Turns metrics into a desired count. Instances are immutable and thread-safe.
 *
 * <p>{@link #desiredCount} is the hot path: it must not allocate, format strings or block, so that an
 * embedder can call it millions of times a second. The human-readable reason is produced lazily by
 * {@link #explain}, only when someone reads it.
 */
public interface Strategy {

  /**
   * Returns the count this strategy wants.
   *
   * @param currentCount the group's count now, at least 0
   * @param metrics the check's metric points over its query window, oldest first; may be empty
   * @return the desired count, at least 0; {@code currentCount} means no change
   */
  long desiredCount(long currentCount, MetricSeries metrics);

  /**
   * Explains the decision {@link #desiredCount} makes for the same inputs.
   *
   * @param currentCount the group's count now
   * @param metrics the same series given to {@link #desiredCount}
   * @return a one-line reason, e.g. {@code "scaling up because factor is 1.500000"}
   */
  default String explain(long currentCount, MetricSeries metrics) {
    long desired = desiredCount(currentCount, metrics);
    return switch (Direction.of(currentCount, desired)) {
      case UP -> "scaling up from " + currentCount + " to " + desired;
      case DOWN -> "scaling down from " + currentCount + " to " + desired;
      case NONE -> "no change from " + currentCount;
    };
  }
}
