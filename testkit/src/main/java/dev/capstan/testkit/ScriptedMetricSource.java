package dev.capstan.testkit;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link MetricSource} whose answers a test scripts per query. Thread-safe.
 *
 * <p>A query can answer with a fixed series, a function of the window, a failure or a hang; an
 * unscripted query fails with a {@link MetricSourceException} naming it. Every query is recorded.
 */
public final class ScriptedMetricSource implements MetricSource {

  /** Computes a series for a window. */
  @FunctionalInterface
  public interface Script {
    /**
     * Returns the series for the window.
     *
     * @param from start of the window
     * @param to end of the window
     * @return the series
     */
    MetricSeries answer(Instant from, Instant to);
  }

  /**
   * One recorded query.
   *
   * @param query the query text
   * @param from start of the window
   * @param to end of the window
   */
  public record Query(String query, Instant from, Instant to) {}

  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> hangs = new ConcurrentHashMap<>();
  private final List<Query> queries = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Answers {@code query} with {@code series} from now on.
   *
   * @param query the query text
   * @param series the answer
   * @return this source
   */
  public ScriptedMetricSource answer(String query, MetricSeries series) {
    Objects.requireNonNull(series, "series");
    return answer(query, (from, to) -> series);
  }

  /**
   * Answers {@code query} with one point of {@code value} at the end of the window, from now on.
   *
   * @param query the query text
   * @param value the value
   * @return this source
   */
  public ScriptedMetricSource answer(String query, double value) {
    return answer(query, (from, to) -> MetricSeries.of(to.toEpochMilli(), value));
  }

  /**
   * Answers {@code query} through {@code script} from now on.
   *
   * @param query the query text
   * @param script computes the answer for each window
   * @return this source
   */
  public ScriptedMetricSource answer(String query, Script script) {
    scripts.put(query, Objects.requireNonNull(script, "script"));
    return this;
  }

  /**
   * Makes the next run of {@code query} throw {@code failure} (once).
   *
   * @param query the query text
   * @param failure what it throws
   * @return this source
   */
  public ScriptedMetricSource failNext(String query, RuntimeException failure) {
    failures.put(query, Objects.requireNonNull(failure, "failure"));
    return this;
  }

  /**
   * Makes the next run of {@code query} block until the returned latch is counted down (once).
   *
   * @param query the query text
   * @return the latch that releases it
   */
  public CountDownLatch hangNext(String query) {
    CountDownLatch latch = new CountDownLatch(1);
    hangs.put(query, latch);
    return latch;
  }

  /**
   * Returns every query run, in order.
   *
   * @return an immutable copy
   */
  public List<Query> queries() {
    return List.copyOf(queries);
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public MetricSeries query(String query, Instant from, Instant to) {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("from (" + from + ") must not be after to (" + to + ")");
    }
    queries.add(new Query(query, from, to));
    CountDownLatch hang = hangs.remove(query);
    if (hang != null) {
      try {
        hang.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MetricSourceException("interrupted while hanging on query '" + query + "'", e);
      }
    }
    RuntimeException failure = failures.remove(query);
    if (failure != null) {
      throw failure;
    }
    Script script = scripts.get(query);
    if (script == null) {
      throw new MetricSourceException("no scripted answer for query '" + query + "'; scripted: " + scripts.keySet());
    }
    return script.answer(from, to);
  }

  @Override
  public void close() {
    closed = true;
  }
}
