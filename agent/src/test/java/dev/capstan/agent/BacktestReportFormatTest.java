package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

final class BacktestReportFormatTest {
  @Test
  void oneDecimal_roundsToTheNearestTenth_withOneDigitAfterThePoint() {
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), 0).toString()).isEqualTo("0.0");
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), 12.34).toString()).isEqualTo("12.3");
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), 12.36).toString()).isEqualTo("12.4");
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), 0.96).toString()).isEqualTo("1.0");
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), -3.25).toString()).isEqualTo("-3.3");
    assertThat(BacktestReport.oneDecimal(new StringBuilder(), -0.01).toString()).isEqualTo("0.0");
    Random random = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      double v = (random.nextDouble() - 0.2) * 2000;
      String text = BacktestReport.oneDecimal(new StringBuilder(), v).toString();
      assertThat(text).matches("-?\\d+\\.\\d");
      assertThat(Double.parseDouble(text)).as(text).isCloseTo(v, within(0.05 + 1e-9));
    }
  }

  @Test
  void axis_spansTheValuesPadded_notZeroToTheMaximum() {
    assertThat(BacktestReport.axis(new double[] {1.57, 2.55, 1.88})).containsExactly(
        new double[] {1.57 - 0.098, 2.55 + 0.098}, within(1e-9));
    // One value (or equal ones): a band around it, never below zero.
    assertThat(BacktestReport.axis(new double[] {45, 45})).containsExactly(new double[] {40.5, 49.5}, within(1e-9));
    assertThat(BacktestReport.axis(new double[] {0, 0})).containsExactly(new double[] {0, 0.5}, within(1e-9));
    assertThat(BacktestReport.axis(new double[] {0.1, 3})).containsExactly(new double[] {0, 3.29}, within(1e-9));
  }
}
