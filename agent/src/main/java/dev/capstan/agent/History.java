package dev.capstan.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Recorded metrics on a fixed time grid: one series per check name, and optionally the group size
 * recorded at the same times (what a utilization metric is turned into demand with).
 *
 * <p>Point {@code i} is at {@code start + i * step}. A missing sample ({@link Double#NaN}: an empty CSV
 * cell, a gap in Prometheus) is not replayed; the check then sees the samples around it, as it would
 * live. Read one from CSV with {@link #readCsv}, from Prometheus with {@code PrometheusHistory}, or
 * build one with {@link #builder}. Immutable.
 */
public final class History {
  private final Instant start;
  private final Duration step;
  private final int size;
  private final Map<String, double[]> series;
  private final double[] recordedSize;

  private History(Instant start, Duration step, int size, Map<String, double[]> series, double[] recordedSize) {
    this.start = start;
    this.step = step;
    this.size = size;
    this.series = series;
    this.recordedSize = recordedSize;
  }

  /**
   * Starts a history whose first point is at {@code start}, one point every {@code step}.
   *
   * @param start the time of the first point
   * @param step the fixed distance between points
   * @return a builder
   * @throws IllegalArgumentException if {@code step} is not positive
   */
  public static Builder builder(Instant start, Duration step) {
    return new Builder(start, step);
  }

  /**
   * Reads a CSV history: a header {@code timestamp,<check name>...[,<size column>]}, then one row per
   * point with an RFC 3339 timestamp, rows at a fixed step. An empty cell is a missing sample.
   *
   * @param file the CSV file
   * @param sizeColumn the name of the column holding the recorded group size, if there is one
   * @return the history
   * @throws BacktestException naming the file, line and column of the first problem
   */
  public static History readCsv(Path file, Optional<String> sizeColumn) {
    return HistoryCsv.read(file, sizeColumn);
  }

  /**
   * Returns the time of the first point.
   *
   * @return the start
   */
  public Instant start() {
    return start;
  }

  /**
   * Returns the fixed distance between points.
   *
   * @return the step
   */
  public Duration step() {
    return step;
  }

  /**
   * Returns how many points each series has.
   *
   * @return the number of points
   */
  public int size() {
    return size;
  }

  /**
   * Returns the end of the history: one step after its last point.
   *
   * @return the end, exclusive
   */
  public Instant end() {
    return start.plus(step.multipliedBy(size));
  }

  /**
   * Returns the time of point {@code i}.
   *
   * @param i the index
   * @return its time
   */
  public Instant time(int i) {
    return start.plus(step.multipliedBy(i));
  }

  /**
   * Returns the names of the recorded series, in the order they were added.
   *
   * @return the names
   */
  public Set<String> names() {
    return series.keySet();
  }

  /**
   * Returns whether a series of that name was recorded.
   *
   * @param name a check name
   * @return true if it has a series
   */
  public boolean has(String name) {
    return series.containsKey(name);
  }

  /**
   * Returns the value of series {@code name} at point {@code i}; {@link Double#NaN} for a missing sample.
   *
   * @param name a check name
   * @param i the point's index
   * @return the recorded value
   * @throws IllegalArgumentException if there is no such series
   */
  public double value(String name, int i) {
    double[] values = series.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no series '" + name + "' in this history; it has " + series.keySet());
    }
    return values[i];
  }

  /**
   * Returns whether the group size was recorded.
   *
   * @return true if there is a size series
   */
  public boolean hasRecordedSize() {
    return recordedSize != null;
  }

  /**
   * Returns the group size recorded at point {@code i}; {@link Double#NaN} for a missing sample.
   *
   * @param i the point's index
   * @return the recorded size
   * @throws IllegalStateException if no size was recorded
   */
  public double recordedSize(int i) {
    if (recordedSize == null) {
      throw new IllegalStateException("this history has no recorded group size");
    }
    return recordedSize[i];
  }

  /** Returns the points in {@code [from, to)}, as a new history. */
  History slice(Instant from, Instant to) {
    int first = (int) Math.max(0, ceilDiv(Duration.between(start, from).toMillis(), step.toMillis()));
    int end = (int) Math.min(size, Math.max(first, ceilDiv(Duration.between(start, to).toMillis(), step.toMillis())));
    Map<String, double[]> cut = new LinkedHashMap<>();
    series.forEach((k, v) -> cut.put(k, Arrays.copyOfRange(v, first, end)));
    return new History(time(first), step, end - first, cut,
        recordedSize == null ? null : Arrays.copyOfRange(recordedSize, first, end));
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  /** Collects the series of a {@link History}; every series must have the same length. */
  public static final class Builder {
    private final Instant start;
    private final Duration step;
    private final Map<String, double[]> series = new LinkedHashMap<>();
    private double[] recordedSize;
    private int size = -1;

    private Builder(Instant start, Duration step) {
      this.start = Objects.requireNonNull(start, "start");
      this.step = Objects.requireNonNull(step, "step");
      if (step.isNegative() || step.isZero()) {
        throw new IllegalArgumentException("step must be positive, but was " + step);
      }
    }

    /**
     * Adds the series of check {@code name}, one value per point ({@link Double#NaN} for a missing one).
     *
     * @param name the check's name
     * @param values the values, copied
     * @return this builder
     * @throws IllegalArgumentException if the name is taken or the length differs from earlier series
     */
    public Builder series(String name, double[] values) {
      Objects.requireNonNull(name, "name");
      if (series.containsKey(name)) {
        throw new IllegalArgumentException("series '" + name + "' was already added");
      }
      series.put(name, checkLength(name, values));
      return this;
    }

    /**
     * Sets the group size recorded at each point.
     *
     * @param sizes the sizes, copied
     * @return this builder
     * @throws IllegalArgumentException if the length differs from the series'
     */
    public Builder recordedSize(double[] sizes) {
      recordedSize = checkLength("recorded size", sizes);
      return this;
    }

    private double[] checkLength(String name, double[] values) {
      if (size >= 0 && values.length != size) {
        throw new IllegalArgumentException(name + " has " + values.length + " points, but the others have " + size);
      }
      size = values.length;
      return values.clone();
    }

    /**
     * Builds the history.
     *
     * @return the history
     */
    public History build() {
      return new History(start, step, Math.max(size, 0), new LinkedHashMap<>(series), recordedSize);
    }
  }
}
