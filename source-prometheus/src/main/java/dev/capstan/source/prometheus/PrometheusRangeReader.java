package dev.capstan.source.prometheus;

import dev.capstan.config.Durations;
import dev.capstan.spi.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Reads long histories from Prometheus at a fixed step, for backtests: one range query per chunk of
 * at most {@value #POINTS_PER_REQUEST} points, safely under Prometheus' 11,000-point limit, so 30
 * days at 15 s (172,800 points) take 18 requests. Configured with the keys of the {@code prometheus}
 * metric source. Thread-safe.
 */
public final class PrometheusRangeReader implements AutoCloseable {
  /** The most points one request asks for. */
  public static final int POINTS_PER_REQUEST = 10_000;

  private final PrometheusSource source;

  private PrometheusRangeReader(PrometheusSource source) {
    this.source = source;
  }

  /**
   * Creates a reader; nothing is sent until the first query.
   *
   * @param config the keys of the {@code prometheus} source, e.g. {@code address}, {@code timeout}
   * @return a reader; the caller closes it
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key
   */
  public static PrometheusRangeReader create(Map<String, String> config) {
    return new PrometheusRangeReader(new PrometheusSource(PrometheusConfig.parse(config)));
  }

  /**
   * Evaluates {@code query} at {@code start}, {@code start + step}, ... up to {@code end} inclusive,
   * returning the points that have a value (gaps are left out, as Prometheus does).
   *
   * @param query the PromQL query; it must give one series
   * @param start the first evaluation time
   * @param end the last possible evaluation time
   * @param step the distance between evaluations, whole milliseconds of at least one second
   * @return the points, oldest first; empty when the whole range has no data
   * @throws dev.capstan.spi.MetricSourceException if a request fails, naming the query and the chunk
   * @throws IllegalArgumentException if the step is under a second or the range is reversed
   */
  public MetricSeries queryRange(String query, Instant start, Instant end, Duration step) {
    Objects.requireNonNull(query, "query");
    long stepMs = step.toMillis();
    if (stepMs < PrometheusSource.MIN_STEP_MILLIS) {
      throw new IllegalArgumentException("step was " + Durations.format(step) + " but it must be at least 1s");
    }
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("end " + end + " is before start " + start);
    }
    long startMs = start.toEpochMilli();
    long endMs = end.toEpochMilli();
    MetricSeries.Builder out = MetricSeries.builder((int) Math.min(Integer.MAX_VALUE - 8, (endMs - startMs) / stepMs + 1));
    for (long chunk = startMs; chunk <= endMs; chunk += POINTS_PER_REQUEST * stepMs) {
      long last = Math.min(endMs, chunk + (POINTS_PER_REQUEST - 1) * stepMs);
      last = chunk + (last - chunk) / stepMs * stepMs;
      String window = Instant.ofEpochMilli(chunk) + " .. " + Instant.ofEpochMilli(last)
          + " (step " + Durations.format(step) + ")";
      MetricSeries part = source.range(query, chunk, last, stepMs, window, true);
      for (int i = 0; i < part.size(); i++) {
        out.add(part.timestamp(i), part.value(i));
      }
    }
    return out.build();
  }

  @Override
  public void close() {
    source.close();
  }
}
