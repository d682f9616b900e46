package dev.capstan.strategy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Keeps the latest metric value near a target by scaling the count by {@code value / target}. */
final class TargetValueStrategy implements Strategy {
  private final double target;
  private final double threshold;
  private final StepLimits limits;
  private final long maxUp;
  private final long maxDown;
  // The band edges, computed once exactly as nomad-autoscaler computes them on every run.
  private final double lowerBand;
  private final double upperBand;

  TargetValueStrategy(double target, double threshold, StepLimits limits) {
    this.target = target;
    this.threshold = threshold;
    this.limits = limits;
    this.maxUp = limits.maxUp();
    this.maxDown = limits.maxDown();
    this.lowerBand = 1 - threshold;
    this.upperBand = 1 + threshold;
  }

  @Override
  public long desiredCount(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty()) {
      return currentCount;
    }
    return decide(currentCount, factor(metrics.latest()));
  }

  @Override
  public String explain(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty()) {
      return Reasons.NO_METRICS;
    }
    double factor = factor(metrics.latest());
    return Reasons.of(currentCount, decide(currentCount, factor), "factor is " + sixDecimals(factor));
  }

  private double factor(double value) {
    // A target of 0 (e.g. an empty CI queue) would divide by zero; nomad-autoscaler uses the value itself.
    return target == 0 ? value : value / target;
  }

  private long decide(long count, double factor) {
    if (count == 0) {
      // Scaling from zero: nothing to multiply, so the factor itself is the count.
      return factor > 0 ? (long) Math.ceil(factor) : 0L;
    }
    if (factor >= lowerBand && factor <= upperBand) {
      return count;
    }
    return StepLimits.apply(count, (long) Math.ceil(count * factor), maxUp, maxDown);
  }

  /** Formats like Go's {@code %f}: the exact binary value rounded half-even to 6 decimals. */
  static String sixDecimals(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  @Override
  public String toString() {
    return "target-value(target=" + target + ", threshold=" + threshold + ", " + limits + ")";
  }
}
