package dev.capstan.spi;

import java.util.Arrays;

/**
 * An immutable series of metric points, oldest first, backed by primitive arrays.
 *
 * <p>Timestamps are epoch milliseconds and never decrease; values are finite. Reading a series
 * never allocates, which is what lets a {@link Strategy} run without garbage.
 */
public final class MetricSeries {
  private static final MetricSeries EMPTY = new MetricSeries(new long[0], new double[0], 0);

  private final long[] timestamps;
  private final double[] values;
  private final int size;

  private MetricSeries(long[] timestamps, double[] values, int size) {
    this.timestamps = timestamps;
    this.values = values;
    this.size = size;
  }

  /**
   * Returns the series with no points.
   *
   * @return the shared empty series
   */
  public static MetricSeries empty() {
    return EMPTY;
  }

  /**
   * Returns a series of the given points, copying both arrays.
   *
   * @param timestamps epoch milliseconds, oldest first, never decreasing
   * @param values the value at each timestamp, all finite
   * @return a new series
   * @throws IllegalArgumentException if the arrays differ in length, a timestamp is lower than the
   *     one before it, or a value is NaN or infinite; the message gives the index and the value
   * @throws NullPointerException if either array is null
   */
  public static MetricSeries of(long[] timestamps, double[] values) {
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException("timestamps and values must have the same length, but had "
          + timestamps.length + " timestamps and " + values.length + " values");
    }
    for (int i = 0; i < values.length; i++) {
      checkPoint(i, i == 0 ? Long.MIN_VALUE : timestamps[i - 1], timestamps[i], values[i]);
    }
    if (values.length == 0) {
      return EMPTY;
    }
    return new MetricSeries(timestamps.clone(), values.clone(), values.length);
  }

  /**
   * Returns a series holding a single point.
   *
   * @param timestamp epoch milliseconds
   * @param value a finite value
   * @return a new one-point series
   * @throws IllegalArgumentException if the value is NaN or infinite
   */
  public static MetricSeries of(long timestamp, double value) {
    return of(new long[] {timestamp}, new double[] {value});
  }

  /**
   * Returns a builder that appends points in time order and validates each as it arrives.
   *
   * @param expectedSize how many points to make room for; more may be added
   * @return a new builder
   * @throws IllegalArgumentException if {@code expectedSize} is negative
   */
  public static Builder builder(int expectedSize) {
    if (expectedSize < 0) {
      throw new IllegalArgumentException("expectedSize must be at least 0, but was " + expectedSize);
    }
    return new Builder(expectedSize);
  }

  private static void checkPoint(int index, long previous, long timestamp, double value) {
    if (timestamp < previous) {
      throw new IllegalArgumentException("timestamps must not decrease, but timestamp[" + index + "] = "
          + timestamp + " is before timestamp[" + (index - 1) + "] = " + previous);
    }
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("values must be finite, but value[" + index + "] was " + value);
    }
  }

  /**
   * Returns the number of points.
   *
   * @return the point count, 0 for an empty series
   */
  public int size() {
    return size;
  }

  /**
   * Returns whether the series has no points.
   *
   * @return {@code true} when {@link #size()} is 0
   */
  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * Returns the timestamp of point {@code i}.
   *
   * @param i index, 0 is the oldest
   * @return epoch milliseconds
   * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
   */
  public long timestamp(int i) {
    return timestamps[checkIndex(i)];
  }

  /**
   * Returns the value of point {@code i}.
   *
   * @param i index, 0 is the oldest
   * @return a finite value
   * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
   */
  public double value(int i) {
    return values[checkIndex(i)];
  }

  /**
   * Returns the newest value.
   *
   * @return the value of the last point
   * @throws IllegalStateException if the series is empty
   */
  public double latest() {
    if (size == 0) {
      throw new IllegalStateException("an empty series has no latest value");
    }
    return values[size - 1];
  }

  private int checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " is outside a series of " + size + " points");
    }
    return i;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricSeries other
        && size == other.size
        && Arrays.equals(timestamps, 0, size, other.timestamps, 0, size)
        && Arrays.equals(values, 0, size, other.values, 0, size);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = 0; i < size; i++) {
      h = 31 * h + Long.hashCode(timestamps[i]);
      h = 31 * h + Double.hashCode(values[i]);
    }
    return h;
  }

  @Override
  public String toString() {
    if (size == 0) {
      return "MetricSeries[]";
    }
    return "MetricSeries[size=" + size + ", first=" + timestamps[0] + ":" + values[0] + ", last="
        + timestamps[size - 1] + ":" + values[size - 1] + "]";
  }

  /** Appends points in time order, validating each; not thread-safe. */
  public static final class Builder {
    private long[] timestamps;
    private double[] values;
    private int size;
    private boolean built;

    private Builder(int expectedSize) {
      timestamps = new long[Math.max(expectedSize, 4)];
      values = new double[timestamps.length];
    }

    /**
     * Appends a point.
     *
     * @param timestamp epoch milliseconds, not before the previous point's
     * @param value a finite value
     * @return this builder
     * @throws IllegalArgumentException if the timestamp goes back in time or the value is not finite
     * @throws IllegalStateException if {@link #build()} was already called
     */
    public Builder add(long timestamp, double value) {
      if (built) {
        throw new IllegalStateException("build() was already called on this builder");
      }
      checkPoint(size, size == 0 ? Long.MIN_VALUE : timestamps[size - 1], timestamp, value);
      if (size == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      timestamps[size] = timestamp;
      values[size] = value;
      size++;
      return this;
    }

    /**
     * Returns the number of points added so far.
     *
     * @return the point count
     */
    public int size() {
      return size;
    }

    /**
     * Returns the series; the builder cannot be used after.
     *
     * @return the series of every point added, oldest first
     */
    public MetricSeries build() {
      built = true;
      return size == 0 ? EMPTY : new MetricSeries(timestamps, values, size);
    }
  }
}
