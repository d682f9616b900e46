package dev.capstan.strategy;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Provides the {@code threshold} strategy: take a fixed action while the metric stays within bounds.
 *
 * <p>Every point of the query window with {@code lower_bound <= value < upper_bound} counts; with
 * fewer than {@code within_bounds_trigger} such points (or none at all) nothing changes. Otherwise the
 * strategy wants {@code count + delta}, {@code ceil(count * (1 + percentage / 100))} or {@code value},
 * never below 0.
 *
 * <p>Keys: {@code upper_bound} and/or {@code lower_bound} (numbers, at least one; a missing one is
 * unbounded; lower below upper), exactly one of {@code delta} (whole number), {@code percentage}
 * (number) or {@code value} (whole number at least 0), and {@code within_bounds_trigger} (whole number
 * at least 0, default {@value #DEFAULT_WITHIN_BOUNDS_TRIGGER}).
 */
@AutoService(StrategyProvider.class)
public final class ThresholdStrategyProvider implements StrategyProvider {
  /** The name policies use: {@value}. */
  public static final String NAME = "threshold";
  /** The {@code within_bounds_trigger} used when the key is absent: {@value}. */
  public static final long DEFAULT_WITHIN_BOUNDS_TRIGGER = 5;

  private static final String LOWER = "lower_bound";
  private static final String UPPER = "upper_bound";
  private static final String DELTA = "delta";
  private static final String PERCENTAGE = "percentage";
  private static final String VALUE = "value";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public ThresholdStrategyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the configuration once and returns the strategy.
   *
   * @param config the bounds, one action key and optionally {@code within_bounds_trigger}
   * @return a thread-safe, allocation-free strategy
   * @throws dev.capstan.spi.ConfigException naming every missing, malformed, conflicting or unknown key
   *     at once
   */
  @Override
  public Strategy create(Map<String, String> config) {
    return StrategyConfig.parse(NAME, config, r -> read(r, config));
  }

  private static Strategy read(ConfigReader r, Map<String, String> config) {
    OptionalDouble lower = r.optionalDouble(LOWER);
    OptionalDouble upper = r.optionalDouble(UPPER);
    if (!r.has(LOWER) && !r.has(UPPER)) {
      r.problem("at least one of lower_bound or upper_bound is required but neither was set");
    } else if (lower.isPresent() && upper.isPresent() && lower.getAsDouble() >= upper.getAsDouble()) {
      r.problem(LOWER, "must be below upper_bound '" + config.get(UPPER) + "'");
    }

    long trigger = r.longValue("within_bounds_trigger", DEFAULT_WITHIN_BOUNDS_TRIGGER);
    if (trigger < 0) {
      r.problem("within_bounds_trigger", "must be at least 0");
    }

    List<String> actions = new ArrayList<>();
    ThresholdStrategy.Action action = ThresholdStrategy.Action.VALUE;
    long amount = 0;
    double percentage = 0;
    if (r.has(DELTA)) {
      actions.add(DELTA);
      action = ThresholdStrategy.Action.DELTA;
      amount = r.requiredLong(DELTA);
    }
    if (r.has(PERCENTAGE)) {
      actions.add(PERCENTAGE);
      action = ThresholdStrategy.Action.PERCENTAGE;
      percentage = r.requiredDouble(PERCENTAGE);
    }
    if (r.has(VALUE)) {
      actions.add(VALUE);
      action = ThresholdStrategy.Action.VALUE;
      amount = r.requiredLong(VALUE);
      if (amount < 0) {
        r.problem(VALUE, "must be at least 0");
      }
    }
    if (actions.isEmpty()) {
      r.problem("one of delta, percentage or value is required but none was set");
    } else if (actions.size() > 1) {
      r.problem("only one of delta, percentage or value may be set, but " + String.join(" and ", actions)
          + " were");
    }
    return new ThresholdStrategy(lower.orElse(Double.NEGATIVE_INFINITY), upper.orElse(Double.POSITIVE_INFINITY),
        trigger, action, amount, percentage);
  }
}
