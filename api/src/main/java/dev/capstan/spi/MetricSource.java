package dev.capstan.spi;

import java.time.Instant;

/**
 * Answers metric queries (an APM in nomad-autoscaler's words). Instances are thread-safe.
 */
public interface MetricSource extends AutoCloseable {

  /**
   * Runs {@code query} over the window {@code [from, to]}.
   *
   * @param query the query in the source's own language, e.g. PromQL
   * @param from start of the window, inclusive
   * @param to end of the window, inclusive; equal to {@code from} for an instant query
   * @return the points of the single series the query produced, oldest first; never null
   * @throws IllegalArgumentException if {@code from} is after {@code to}
   * @throws MetricSourceException when the source cannot answer; the message says why and what to do
   */
  MetricSeries query(String query, Instant from, Instant to);

  /** Releases connections and threads; calling it again does nothing. */
  @Override
  void close();
}
