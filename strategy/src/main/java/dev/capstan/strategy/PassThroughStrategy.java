package dev.capstan.strategy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;

/** Uses the latest metric value itself as the count, e.g. a queue's own "workers needed" gauge. */
final class PassThroughStrategy implements Strategy {
  private final StepLimits limits;
  private final long maxUp;
  private final long maxDown;

  PassThroughStrategy(StepLimits limits) {
    this.limits = limits;
    this.maxUp = limits.maxUp();
    this.maxDown = limits.maxDown();
  }

  @Override
  public long desiredCount(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty()) {
      return currentCount;
    }
    // The cast truncates toward zero and saturates at the long range, as Go's int64(float64) does in range.
    return StepLimits.apply(currentCount, (long) metrics.latest(), maxUp, maxDown);
  }

  @Override
  public String explain(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty()) {
      return Reasons.NO_METRICS;
    }
    return Reasons.of(currentCount, desiredCount(currentCount, metrics), "metric is " + (long) metrics.latest());
  }

  @Override
  public String toString() {
    return "pass-through(" + limits + ")";
  }
}
