package dev.capstan.strategy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;

/** Always wants the same count, whatever the metrics say. */
final class FixedValueStrategy implements Strategy {
  private final long value;

  FixedValueStrategy(long value) {
    this.value = value;
  }

  @Override
  public long desiredCount(long currentCount, MetricSeries metrics) {
    return value;
  }

  @Override
  public String explain(long currentCount, MetricSeries metrics) {
    return Reasons.of(currentCount, value, "fixed value is " + value);
  }

  @Override
  public String toString() {
    return "fixed-value(value=" + value + ")";
  }
}
