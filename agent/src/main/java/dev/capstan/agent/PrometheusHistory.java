package dev.capstan.agent;

import dev.capstan.source.prometheus.PrometheusRangeReader;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@link History} from a Prometheus server: every check's own query, and the recorded-size
 * query if any, as {@code query_range} over {@code [from, to)} at a fixed step, in chunks under
 * Prometheus' point limit. A time without a value (a gap) is a missing sample.
 */
final class PrometheusHistory {
  private PrometheusHistory() {}

  /**
   * Fetches the history.
   *
   * @param queries check name to its query
   * @throws BacktestException if the server cannot be read, naming the check and query
   */
  static History fetch(URI address, Map<String, String> queries, Optional<String> sizeQuery, Instant from,
      Instant to, Duration step) {
    if (!to.isAfter(from)) {
      throw new BacktestException("the range " + from + " .. " + to + " is empty; --to must be after --from");
    }
    long stepMs = step.toMillis();
    int points = (int) Math.min(Integer.MAX_VALUE - 8, (Duration.between(from, to).toMillis() + stepMs - 1) / stepMs);
    Instant last = from.plusMillis((points - 1) * stepMs);
    History.Builder history = History.builder(from, step);
    PrometheusRangeReader reader;
    try {
      reader = PrometheusRangeReader.create(Map.of("address", address.toString(), "timeout", "60s"));
    } catch (ConfigException e) {
      throw new BacktestException("--prometheus " + address + ": " + e.getMessage(), e);
    }
    try (reader) {
      for (Map.Entry<String, String> q : queries.entrySet()) {
        history.series(q.getKey(), grid(reader, "check '" + q.getKey() + "'", q.getValue(), from, last, stepMs, points));
      }
      if (sizeQuery.isPresent()) {
        history.recordedSize(grid(reader, "the recorded size", sizeQuery.get(), from, last, stepMs, points));
      }
    }
    return history.build();
  }

  private static double[] grid(PrometheusRangeReader reader, String what, String query, Instant from, Instant last,
      long stepMs, int points) {
    MetricSeries series;
    try {
      series = reader.queryRange(query, from, last, Duration.ofMillis(stepMs));
    } catch (MetricSourceException e) {
      throw new BacktestException("reading " + what + " from Prometheus: " + e.getMessage(), e);
    }
    double[] values = new double[points];
    Arrays.fill(values, Double.NaN);
    long start = from.toEpochMilli();
    for (int i = 0; i < series.size(); i++) {
      long offset = series.timestamp(i) - start;
      if (offset >= 0 && offset % stepMs == 0 && offset / stepMs < points) {
        values[(int) (offset / stepMs)] = series.value(i);
      }
    }
    return values;
  }
}
