package dev.capstan.spi;

import java.util.Map;

/**
 * What a {@link Target} reports about one group.
 *
 * @param ready whether the group can take a scaling action now (not mid-activity, not being deleted)
 * @param count the current desired size of the group, at least 0
 * @param meta extra facts (for example the end time of the last activity, in epoch milliseconds,
 *     under {@link #META_LAST_EVENT})
 */
public record TargetStatus(boolean ready, long count, Map<String, String> meta) {

  /** Meta key: epoch milliseconds of the last scaling activity the cloud recorded, if known. */
  public static final String META_LAST_EVENT = "capstan.last_event";

  /** Meta key: why the target is not ready, if it is not. */
  public static final String META_NOT_READY_REASON = "capstan.not_ready_reason";

  /**
   * Validates and copies the fields.
   *
   * @param ready whether the group can take a scaling action now (not mid-activity, not being deleted)
   * @param count the current desired size of the group, at least 0
   * @param meta extra facts (for example the end time of the last activity, in epoch milliseconds, under {@link #META_LAST_EVENT})
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public TargetStatus {
    if (count < 0) {
      throw new IllegalArgumentException("count must be at least 0, but was " + count);
    }
    meta = Map.copyOf(meta);
  }

  /**
   * Returns a ready status with no meta.
   *
   * @param count the current count
   * @return a new status
   */
  public static TargetStatus ready(long count) {
    return new TargetStatus(true, count, Map.of());
  }
}
