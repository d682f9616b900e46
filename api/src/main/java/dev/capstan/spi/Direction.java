package dev.capstan.spi;

/** The direction of a scaling action relative to the current count. */
public enum Direction {
  /** Add capacity. */
  UP,
  /** Keep the current count. */
  NONE,
  /** Remove capacity. */
  DOWN;

  /**
   * Returns the direction that moving from {@code current} to {@code desired} takes.
   *
   * @param current the count now
   * @param desired the count wanted
   * @return {@link #UP}, {@link #DOWN} or {@link #NONE} when they are equal
   */
  public static Direction of(long current, long desired) {
    return desired > current ? UP : desired < current ? DOWN : NONE;
  }
}
