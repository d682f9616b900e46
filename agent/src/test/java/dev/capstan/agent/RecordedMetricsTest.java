package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.testkit.MetricSourceContract;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class RecordedMetricsTest extends MetricSourceContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Override
  protected MetricSource createSource() {
    RecordedMetrics metrics = new RecordedMetrics();
    for (int i = 0; i < 2000; i++) {
      metrics.record(T0.plusSeconds(15L * i), i);
    }
    return metrics;
  }

  @Override
  protected String queryWithData() {
    return "anything";
  }

  @Override
  protected Instant from() {
    return T0.plusSeconds(60);
  }

  @Override
  protected Instant to() {
    return T0.plusSeconds(120);
  }

  @Test
  void query_window_returnsExactlyTheSamplesInsideItInclusive() {
    MetricSeries series = source().query("q", T0.plusSeconds(60), T0.plusSeconds(120));

    assertThat(series.size()).isEqualTo(5);
    assertThat(series.value(0)).isEqualTo(4);
    assertThat(series.latest()).isEqualTo(8);
  }

  @Test
  void query_instant_returnsTheLatestSampleWithinPrometheusLookback() {
    MetricSeries between = source().query("q", T0.plusSeconds(70), T0.plusSeconds(70));
    RecordedMetrics sparse = new RecordedMetrics();
    sparse.record(T0, 1);

    assertThat(between.size()).isEqualTo(1);
    assertThat(between.timestamp(0)).isEqualTo(T0.plusSeconds(60).toEpochMilli());
    assertThat(between.latest()).isEqualTo(4);
    assertThat(sparse.query("q", T0.plusSeconds(300), T0.plusSeconds(300)).size()).isEqualTo(1);
    assertThat(sparse.query("q", T0.plusSeconds(301), T0.plusSeconds(301)).size()).isZero();
  }

  @Test
  void record_olderThanLast_isRejected() {
    RecordedMetrics metrics = new RecordedMetrics();
    metrics.record(T0.plusSeconds(30), 1);

    assertThatThrownBy(() -> metrics.record(T0, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("older");
  }
}
