package dev.capstan.agent;

import dev.capstan.testkit.PrometheusServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.ScalingDecision;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The same history read from a real Prometheus (backfilled with promtool) and from CSV gives the same
 * backtest. Skipped without a {@code prometheus} binary unless integration tests are required.
 */
final class BacktestPrometheusTest {
  private static final Duration STEP = Duration.ofSeconds(15);
  /** Whole hours, a day back: inside the default retention and clear of the (empty) head block. */
  private static final long BASE_MS = (System.currentTimeMillis() / 3_600_000 - 24) * 3_600_000;
  /** Three hours: more than one 10,000-point chunk at a 1s step, read below. */
  private static final int POINTS = 720;

  private static double cpu(int i) {
    return i < POINTS / 2 ? 50 : 150 + (i % 7);
  }

  @Test
  void backtest_prometheusAndCsvOfTheSameHistory_giveIdenticalResults() throws Exception {
    StringBuilder om = new StringBuilder("# TYPE cpu_percent gauge\n");
    StringBuilder csv = new StringBuilder("timestamp,cpu,size\n");
    for (int i = 0; i < POINTS; i++) {
      long ms = BASE_MS + i * STEP.toMillis();
      om.append("cpu_percent ").append(cpu(i)).append(' ').append(ms / 1000).append('\n');
      csv.append(Instant.ofEpochMilli(ms)).append(',').append(cpu(i)).append(",2\n");
    }
    om.append("# TYPE group_size gauge\n");
    for (int i = 0; i < POINTS; i++) {
      om.append("group_size 2 ").append((BASE_MS + i * STEP.toMillis()) / 1000).append('\n');
    }
    om.append("# EOF\n");
    Instant from = Instant.ofEpochMilli(BASE_MS);
    Instant to = from.plus(STEP.multipliedBy(POINTS));
    History fromCsv = HistoryCsv.read(new BufferedReader(new StringReader(csv.toString())), "test.csv",
        Optional.of("size"));
    History fromPrometheus;
    try (PrometheusServer prometheus = PrometheusServer.start(om.toString())) {
      fromPrometheus = PrometheusHistory.fetch(prometheus.address(), Map.of("cpu", "cpu_percent"),
          Optional.of("group_size"), from, to, STEP);
      // A 1s step over the same 3h is 10,800 points: two requests, every second sees the latest sample.
      History fine = PrometheusHistory.fetch(prometheus.address(), Map.of("cpu", "cpu_percent"), Optional.empty(),
          from, to, Duration.ofSeconds(1));
      assertThat(fine.size()).isEqualTo(10_800);
      assertThat(fine.value("cpu", 10_799)).isEqualTo(cpu(POINTS - 1));
      assertThat(fine.value("cpu", 5_414)).isEqualTo(cpu(5_414 / 15));
    }

    assertThat(fromPrometheus.size()).isEqualTo(POINTS);
    BacktestResult.Run a = run(fromCsv);
    BacktestResult.Run b = run(fromPrometheus);
    assertThat(a.actions()).isNotEmpty();
    assertThat(summary(b)).isEqualTo(summary(a));
    assertThat(b.decisions()).hasSameSizeAs(a.decisions());
    for (int i = 0; i < a.decisions().size(); i++) {
      assertThat(shape(b.decisions().get(i))).isEqualTo(shape(a.decisions().get(i)));
    }
  }

  private static BacktestResult.Run run(History history) {
    return Backtest.builder().policy(BacktestTest.policy(BacktestTest.CPU_TARGET_50))
        .history(history).check("cpu", CheckKind.UTILIZATION).startingCount(2).build().run().runs().get(0);
  }

  private static List<Object> summary(BacktestResult.Run r) {
    return List.of(r.scaleUps(), r.scaleDowns(), r.instanceHours(), r.cost(), r.minutesUnderCapacity(), r.peakCount());
  }

  private static List<Object> shape(ScalingDecision d) {
    return List.of(d.time(), d.outcome(), d.currentCount(), d.action().map(a -> a.count()),
        d.checks().stream().map(c -> c.latest()).toList());
  }

}
