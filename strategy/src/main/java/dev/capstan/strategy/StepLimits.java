package dev.capstan.strategy;

import dev.capstan.config.ConfigReader;

/**
 * The optional {@code max_scale_up} / {@code max_scale_down} caps on how far one decision may move
 * the count; absent caps are {@link Long#MAX_VALUE} so the hot path needs no branch on presence.
 */
record StepLimits(long maxUp, long maxDown) {
  static final String MAX_SCALE_UP = "max_scale_up";
  static final String MAX_SCALE_DOWN = "max_scale_down";
  static final StepLimits NONE = new StepLimits(Long.MAX_VALUE, Long.MAX_VALUE);

  /** Reads both keys, recording a problem for a value that is not a whole number at least 0. */
  static StepLimits read(ConfigReader r) {
    return new StepLimits(step(r, MAX_SCALE_UP), step(r, MAX_SCALE_DOWN));
  }

  private static long step(ConfigReader r, String key) {
    long step = r.longValue(key, Long.MAX_VALUE);
    if (step < 0) {
      // A negative cap would turn a scale-up into a scale-down; nomad-autoscaler accepts it silently.
      r.problem(key, "must be at least 0");
    }
    return step;
  }

  /**
   * Moves {@code desired} no further than the caps allow from {@code count}, and never below 0; static
   * so a strategy can keep the caps in its own fields and spare the hot path a dependent load. Both
   * counts are at least 0 after the clamp, so the differences cannot overflow.
   */
  static long apply(long count, long desired, long maxUp, long maxDown) {
    long d = Math.max(0L, desired);
    if (d > count && d - count > maxUp) {
      return count + maxUp;
    }
    if (d < count && count - d > maxDown) {
      return count - maxDown;
    }
    return d;
  }

  @Override
  public String toString() {
    return MAX_SCALE_UP + "=" + (maxUp == Long.MAX_VALUE ? "unlimited" : Long.toString(maxUp)) + ", "
        + MAX_SCALE_DOWN + "=" + (maxDown == Long.MAX_VALUE ? "unlimited" : Long.toString(maxDown));
  }
}
