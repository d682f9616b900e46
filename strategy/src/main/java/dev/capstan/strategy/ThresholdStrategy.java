package dev.capstan.strategy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;

/**
 * Takes a fixed action (a delta, a percentage or an absolute value) once enough points of the window
 * lie in {@code [lower, upper)}.
 */
final class ThresholdStrategy implements Strategy {
  /** Which of the three exclusive action keys was set. */
  enum Action {
    DELTA,
    PERCENTAGE,
    VALUE
  }

  private final double lower;
  private final double upper;
  private final long trigger;
  private final Action action;
  private final long amount;
  private final double percentage;
  // 1 + percentage / 100, computed once; used only by PERCENTAGE.
  private final double multiplier;

  ThresholdStrategy(double lower, double upper, long trigger, Action action, long amount, double percentage) {
    this.lower = lower;
    this.upper = upper;
    this.trigger = trigger;
    this.action = action;
    this.amount = amount;
    this.percentage = percentage;
    this.multiplier = 1 + percentage / 100;
  }

  @Override
  public long desiredCount(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty() || withinBounds(metrics) < trigger) {
      return currentCount;
    }
    return act(currentCount);
  }

  @Override
  public String explain(long currentCount, MetricSeries metrics) {
    if (metrics.isEmpty()) {
      return Reasons.NO_METRICS;
    }
    int within = withinBounds(metrics);
    if (within < trigger) {
      return "no change because " + within + " of " + metrics.size() + " points are within bounds, fewer than within_bounds_trigger "
          + trigger;
    }
    return Reasons.of(currentCount, act(currentCount), "metric is within bounds");
  }

  private int withinBounds(MetricSeries metrics) {
    int within = 0;
    for (int i = 0, n = metrics.size(); i < n; i++) {
      double v = metrics.value(i);
      if (v >= lower && v < upper) {
        within++;
      }
    }
    return within;
  }

  private long act(long count) {
    return switch (action) {
      case DELTA -> {
        long sum = count + amount;
        // Saturate instead of wrapping: count >= 0, so only a positive delta can overflow.
        yield amount > 0 && sum < count ? Long.MAX_VALUE : Math.max(0L, sum);
      }
      case PERCENTAGE -> Math.max(0L, (long) Math.ceil(count * multiplier));
      case VALUE -> amount;
    };
  }

  @Override
  public String toString() {
    return "threshold(lower_bound=" + lower + ", upper_bound=" + upper + ", within_bounds_trigger=" + trigger
        + ", " + action.name().toLowerCase(java.util.Locale.ROOT) + "="
        + (action == Action.PERCENTAGE ? Double.toString(percentage) : Long.toString(amount)) + ")";
  }
}
