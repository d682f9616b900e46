package dev.capstan.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Target} is asked to do: reach {@code count}, moving in {@code direction}.
 *
 * @param count the desired count, at least 0
 * @param direction the direction relative to the count observed when the decision was made
 * @param reason a human-readable reason, for logs and the audit trail
 * @param meta extra facts about the decision (for example the count before clamping)
 * @param dryRun when {@code true}, the target must not change anything
 */
public record ScalingAction(long count, Direction direction, String reason, Map<String, String> meta,
    boolean dryRun) {

  /**
   * Validates and copies the fields.
   *
   * @param count the desired count, at least 0
   * @param direction the direction relative to the count observed when the decision was made
   * @param reason a human-readable reason, for logs and the audit trail
   * @param meta extra facts about the decision (for example the count before clamping)
   * @param dryRun when {@code true}, the target must not change anything
   * @throws IllegalArgumentException if {@code count} is negative
   * @throws NullPointerException if any reference field is null
   */
  public ScalingAction {
    if (count < 0) {
      throw new IllegalArgumentException("count must be at least 0, but was " + count);
    }
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(reason, "reason");
    meta = Map.copyOf(meta);
  }

  /**
   * Returns an action that moves from {@code current} to {@code desired}, with no meta and no dry-run.
   *
   * @param current the count now
   * @param desired the count wanted, at least 0
   * @param reason why
   * @return a new action whose direction follows from the two counts
   */
  public static ScalingAction to(long current, long desired, String reason) {
    return new ScalingAction(desired, Direction.of(current, desired), reason, Map.of(), false);
  }
}
