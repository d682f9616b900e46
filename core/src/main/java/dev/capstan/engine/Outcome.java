package dev.capstan.engine;

/** What came of one evaluation of a policy. */
public enum Outcome {
  /** The target was scaled (from the {@link Decider}: the action is to be applied). */
  SCALED,
  /** Dry-run: the action was decided but the target was left untouched. */
  DRY_RUN,
  /** The checks, after merging and clamping, keep the current count. */
  NO_CHANGE,
  /** The target reported that it is not ready; nothing was queried or scaled. */
  SKIPPED_NOT_READY,
  /** The policy's schedule is closed at the evaluation's time; nothing was queried or scaled. */
  SKIPPED_SCHEDULE,
  /** The policy is inside its cooldown; nothing was queried or scaled. */
  SKIPPED_COOLDOWN,
  /**
   * An operator's {@link OperatorOverride} decided: the policy is paused, a paused direction was
   * suppressed, or the group is already at the count it is held at. The reasons name the override.
   */
  OVERRIDDEN,
  /** Another evaluation of the same policy was still in flight. */
  SKIPPED_BUSY,
  /** A check failed with {@code on_error = "fail"}, or the target could not be read or scaled. */
  FAILED
}
