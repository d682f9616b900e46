package dev.capstan.source.prometheus;

import dev.capstan.testkit.PrometheusServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.testkit.MetricSourceContract;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Queries a real Prometheus server over backfilled history whose every sample is known, so results
 * are checked value by value. Skipped when no {@code prometheus} binary is installed, unless
 * integration tests are required (see {@link PrometheusServer}).
 */
final class PrometheusSourceIntegrationTest {
  /** One sample every 15 seconds, as a default scrape would give. */
  private static final long SCRAPE_MS = 15_000;
  /** Whole hours, a day back: well inside the default retention and clear of the (empty) head block. */
  private static final long BASE_MS = (System.currentTimeMillis() / 3_600_000 - 24) * 3_600_000;
  private static final long LOAD_SAMPLES = 4 * 240 + 1;
  private static final long SHORT_SAMPLES = 41;

  private static PrometheusServer server;
  /** Why there is no server; aborting each test (not the class) makes surefire count and show the skips. */
  private static String skipped = "";
  private MetricSource source;

  @BeforeAll
  static void startPrometheus() throws Exception {
    StringBuilder om = new StringBuilder("# TYPE capstan_it_load gauge\n");
    samples(om, "capstan_it_load{instance=\"a\"}", LOAD_SAMPLES, i -> Double.toString(loadA(i)));
    samples(om, "capstan_it_load{instance=\"b\"}", SHORT_SAMPLES, i -> "7");
    om.append("# TYPE capstan_it_nan gauge\n");
    samples(om, "capstan_it_nan", SHORT_SAMPLES, i -> "NaN");
    om.append("# TYPE capstan_it_mixed gauge\n");
    samples(om, "capstan_it_mixed", SHORT_SAMPLES, i -> i % 3 == 0 ? "NaN" : Long.toString(i));
    om.append("# EOF\n");
    try {
      server = PrometheusServer.start(om.toString());
    } catch (TestAbortedException e) {
      skipped = e.getMessage();
    }
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void openSource() {
    Assumptions.assumeTrue(server != null, skipped);
    source = newSource();
  }

  @AfterEach
  void closeSource() {
    if (source != null) {
      source.close();
    }
  }

  private static MetricSource newSource() {
    return new PrometheusSourceProvider().create(Map.of("address", server.address().toString(), "timeout", "20s"));
  }

  private static void samples(StringBuilder om, String series, long count, LongFunction<String> value) {
    for (long i = 0; i < count; i++) {
      om.append(series).append(' ').append(value.apply(i)).append(' ').append((BASE_MS + i * SCRAPE_MS) / 1000).append('\n');
    }
  }

  private static double loadA(long i) {
    return i * 0.5;
  }

  private static Instant at(long offsetMs) {
    return Instant.ofEpochMilli(BASE_MS + offsetMs);
  }

  /** The value an instant selector sees at {@code t}: the latest sample at or before it. */
  private static long sampleIndexAt(long t) {
    return (t - BASE_MS) / SCRAPE_MS;
  }

  @Test
  void rangeQuery_tenMinutes_returnsEverySecondValueByValue() {
    MetricSeries series = source.query("capstan_it_load{instance=\"a\"}", at(60_000), at(660_000));

    MetricSeries.Builder expected = MetricSeries.builder(601);
    for (long t = BASE_MS + 60_000; t <= BASE_MS + 660_000; t += 1_000) {
      expected.add(t, loadA(sampleIndexAt(t)));
    }
    assertThat(series.size()).isEqualTo(601);
    assertThat(series).isEqualTo(expected.build());
  }

  @Test
  void rangeQuery_fourHours_coarsensStepToStayUnderPointLimit() {
    MetricSeries series = source.query("capstan_it_load{instance=\"a\"}", at(0), at(4 * 3_600_000));

    // 14,400 one-second points would exceed Prometheus' 11,000-point limit; a 2s step gives 7,201.
    MetricSeries.Builder expected = MetricSeries.builder(7201);
    for (long t = BASE_MS; t <= BASE_MS + 4 * 3_600_000; t += 2_000) {
      expected.add(t, loadA(sampleIndexAt(t)));
    }
    assertThat(series.size()).isEqualTo(7201);
    assertThat(series).isEqualTo(expected.build());
  }

  @Test
  void instantQuery_sameFromAndTo_returnsTheValueAtThatMillisecond() {
    MetricSeries series = source.query("capstan_it_load{instance=\"a\"}", at(302_500), at(302_500));

    assertThat(series).isEqualTo(MetricSeries.of(BASE_MS + 302_500, loadA(20)));
  }

  @Test
  void instantQuery_aggregation_returnsTheSum() {
    MetricSeries series = source.query("sum(capstan_it_load)", at(45_000), at(45_000));

    assertThat(series).isEqualTo(MetricSeries.of(BASE_MS + 45_000, loadA(3) + 7));
  }

  @Test
  void instantQuery_scalarExpression_returnsOnePoint() {
    MetricSeries series = source.query("scalar(capstan_it_load{instance=\"a\"}) * 2", at(30_000), at(30_000));

    assertThat(series).isEqualTo(MetricSeries.of(BASE_MS + 30_000, loadA(2) * 2));
  }

  @Test
  void rangeQuery_nanSamples_areDropped() {
    MetricSeries series = source.query("capstan_it_mixed", at(0), at(600_000));

    MetricSeries.Builder expected = MetricSeries.builder(601);
    for (long t = BASE_MS; t <= BASE_MS + 600_000; t += 1_000) {
      long i = sampleIndexAt(t);
      if (i % 3 != 0) {
        expected.add(t, i);
      }
    }
    assertThat(series).isEqualTo(expected.build());
  }

  @Test
  void query_onlyNanSamples_throwsSayingSo() {
    assertThatThrownBy(() -> source.query("capstan_it_nan", at(60_000), at(60_000)))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'capstan_it_nan'")
        .hasMessageContaining("all 1 samples")
        .hasMessageContaining("NaN");
  }

  @Test
  void query_twoSeries_throwsAskingForAggregation() {
    assertThatThrownBy(() -> source.query("capstan_it_load", at(0), at(300_000)))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("returned 2 series (capstan_it_load{instance=\"a\"}, capstan_it_load{instance=\"b\"})")
        .hasMessageContaining("aggregate it")
        .hasMessageContaining("sum(...)");
  }

  @Test
  void query_unknownMetric_throwsNoData() {
    assertThatThrownBy(() -> source.query("capstan_it_missing", at(0), at(300_000)))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("Prometheus at " + server.address())
        .hasMessageContaining("no data");
  }

  @Test
  void query_syntaxError_throwsPrometheusOwnMessage() {
    assertThatThrownBy(() -> source.query("sum(capstan_it_load", at(0), at(300_000)))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("HTTP 400, bad_data")
        .hasMessageContaining("parse error")
        .hasMessageContaining("fix the query");
  }

  /** The testkit contract, against the same server. */
  @Nested
  final class Contract extends MetricSourceContract {
    @Override
    protected MetricSource createSource() {
      return newSource();
    }

    @Override
    protected String queryWithData() {
      return "capstan_it_load{instance=\"a\"}";
    }

    @Override
    protected Instant from() {
      return at(61_234);
    }

    @Override
    protected Instant to() {
      return at(900_000);
    }
  }
}
