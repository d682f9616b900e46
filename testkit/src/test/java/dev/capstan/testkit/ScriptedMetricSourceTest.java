package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class ScriptedMetricSourceTest extends MetricSourceContract {
  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant TO = FROM.plusSeconds(60);

  @Override
  protected MetricSource createSource() {
    return new ScriptedMetricSource()
        .answer("cpu", (from, to) -> MetricSeries.of(new long[] {from.toEpochMilli(), to.toEpochMilli()}, new double[] {1, 2}));
  }

  @Override
  protected String queryWithData() {
    return "cpu";
  }

  @Override
  protected Instant from() {
    return FROM;
  }

  @Override
  protected Instant to() {
    return TO;
  }

  @Test
  void query_unscripted_failsNamingQuery() {
    assertThatThrownBy(() -> source().query("mem", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessage("no scripted answer for query 'mem'; scripted: [cpu]");
  }

  @Test
  void failNext_failsOnceAndRecordsQueries() {
    ScriptedMetricSource s = (ScriptedMetricSource) source();
    s.failNext("cpu", new MetricSourceException("down"));
    assertThatThrownBy(() -> s.query("cpu", FROM, TO)).hasMessage("down");
    assertThat(s.query("cpu", FROM, TO).latest()).isEqualTo(2);
    assertThat(s.queries()).hasSize(2).allSatisfy(q -> assertThat(q.query()).isEqualTo("cpu"));
  }

  @Test
  void answerValue_givesOnePointAtWindowEnd() {
    ScriptedMetricSource s = new ScriptedMetricSource().answer("q", 42.0);
    MetricSeries series = s.query("q", FROM, TO);
    assertThat(series.size()).isEqualTo(1);
    assertThat(series.timestamp(0)).isEqualTo(TO.toEpochMilli());
    assertThat(series.latest()).isEqualTo(42.0);
  }
}
