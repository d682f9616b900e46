package dev.capstan.agent;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import java.time.Instant;
import java.util.Arrays;

/**
 * An in-memory {@link MetricSource} that the simulator feeds one sample at a time, as a scrape would.
 *
 * <p>It holds a single series and answers every query with the samples inside the window, so each
 * check of a simulated policy sees the simulated cluster's metric whatever its query text says.
 * Samples must arrive in time order. Thread-safe.
 */
final class RecordedMetrics implements MetricSource {
  /** How far back an instant query looks for a sample: Prometheus' default lookback delta. */
  static final long INSTANT_LOOKBACK_MILLIS = 5 * 60_000;
  private long[] timestamps = new long[1024];
  private double[] values = new double[1024];
  private int size;

  /**
   * Appends a sample.
   *
   * @throws IllegalArgumentException if {@code t} is before the last sample or {@code value} is not finite
   */
  synchronized void record(Instant t, double value) {
    long ms = t.toEpochMilli();
    if (size > 0 && ms < timestamps[size - 1]) {
      throw new IllegalArgumentException("sample at " + t + " is older than the last one, at "
          + Instant.ofEpochMilli(timestamps[size - 1]));
    }
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("sample at " + t + " was " + value + " but it must be finite");
    }
    if (size == timestamps.length) {
      timestamps = Arrays.copyOf(timestamps, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    timestamps[size] = ms;
    values[size] = value;
    size++;
  }

  @Override
  public synchronized MetricSeries query(String query, Instant from, Instant to) {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("window start " + from + " is after its end " + to);
    }
    int end = lowerBound(to.toEpochMilli() + 1);
    if (from.equals(to)) {
      // An instant query (query_window = "instant"): the latest sample at or before the instant, as
      // Prometheus answers /api/v1/query, looking back at most its default 5 minutes.
      boolean found = end > 0 && timestamps[end - 1] >= to.toEpochMilli() - INSTANT_LOOKBACK_MILLIS;
      return found ? MetricSeries.of(new long[] {timestamps[end - 1]}, new double[] {values[end - 1]})
          : MetricSeries.empty();
    }
    int first = lowerBound(from.toEpochMilli());
    MetricSeries.Builder series = MetricSeries.builder(end - first);
    for (int i = first; i < end; i++) {
      series.add(timestamps[i], values[i]);
    }
    return series.build();
  }

  /** The index of the first sample at or after {@code ms}. */
  private int lowerBound(long ms) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (timestamps[mid] < ms) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public void close() {
    // Nothing to release: the samples are plain arrays.
  }
}
