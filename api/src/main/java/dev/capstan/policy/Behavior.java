package dev.capstan.policy;

import dev.capstan.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How fast a policy may change its count: Kubernetes' HPA {@code behavior} (autoscaling/v2, KEP-853),
 * a Capstan extension to nomad-autoscaler's policy. Each direction has a stabilization window over past
 * recommendations and rate limits over past scale events; see {@code docs/policies.md#behavior}.
 *
 * <p>A direction left out takes Kubernetes' defaults for it ({@link #DEFAULT_SCALE_UP},
 * {@link #DEFAULT_SCALE_DOWN}). Values are checked when the policy that holds them is built, so the
 * messages name the origin, the policy and the field (window 0–1h, period 1s–30m, value 1 to
 * {@value Integer#MAX_VALUE}).
 *
 * @param scaleUp the rules for increasing the count
 * @param scaleDown the rules for decreasing it
 */
public record Behavior(Rules scaleUp, Rules scaleDown) {

  /** The longest stabilization window allowed, as in Kubernetes (3600 s). */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);
  /** The shortest rate period allowed (1 s). */
  public static final Duration MIN_PERIOD = Duration.ofSeconds(1);
  /** The longest rate period allowed, as in Kubernetes (1800 s). */
  public static final Duration MAX_PERIOD = Duration.ofMinutes(30);

  /** Kubernetes' scale-up default: no window, select max, 4 instances or 100 % per 15 s. */
  public static final Rules DEFAULT_SCALE_UP = new Rules(Duration.ZERO, Select.MAX,
      List.of(Rate.count(4, Duration.ofSeconds(15)), Rate.percent(100, Duration.ofSeconds(15))));
  /** Kubernetes' scale-down default: a 5 minute window, select max, 100 % per 15 s. */
  public static final Rules DEFAULT_SCALE_DOWN = new Rules(Duration.ofMinutes(5), Select.MAX,
      List.of(Rate.percent(100, Duration.ofSeconds(15))));

  /**
   * Checks for nulls.
   *
   * @param scaleUp the rules for increasing the count
   * @param scaleDown the rules for decreasing it
   * @throws NullPointerException if a field is null
   */
  public Behavior {
    Objects.requireNonNull(scaleUp, "scaleUp");
    Objects.requireNonNull(scaleDown, "scaleDown");
  }

  /**
   * Returns Kubernetes' default behaviour in both directions.
   *
   * @return {@link #DEFAULT_SCALE_UP} and {@link #DEFAULT_SCALE_DOWN}
   */
  public static Behavior defaults() {
    return new Behavior(DEFAULT_SCALE_UP, DEFAULT_SCALE_DOWN);
  }

  /**
   * Returns the default behaviour with other scale-up rules.
   *
   * @param rules the rules for increasing the count
   * @return a copy
   */
  public Behavior withScaleUp(Rules rules) {
    return new Behavior(rules, scaleDown);
  }

  /**
   * Returns this behaviour with other scale-down rules.
   *
   * @param rules the rules for decreasing the count
   * @return a copy
   */
  public Behavior withScaleDown(Rules rules) {
    return new Behavior(scaleUp, rules);
  }

  /**
   * Returns the longest window or period of either direction: how far back the history must reach.
   *
   * @return a duration from 0 to {@link #MAX_WINDOW}
   */
  public Duration longestMemory() {
    Duration longest = scaleUp.stabilizationWindow().compareTo(scaleDown.stabilizationWindow()) >= 0
        ? scaleUp.stabilizationWindow() : scaleDown.stabilizationWindow();
    return longest.compareTo(longestPeriod()) >= 0 ? longest : longestPeriod();
  }

  /**
   * Returns the longest rate period of either direction: how far back scale events must be kept.
   *
   * @return a duration, or zero when no rate is given
   */
  public Duration longestPeriod() {
    Duration longest = Duration.ZERO;
    for (Rules rules : List.of(scaleUp, scaleDown)) {
      for (Rate rate : rules.rates()) {
        longest = rate.period().compareTo(longest) > 0 ? rate.period() : longest;
      }
    }
    return longest;
  }

  /** Which rate limit applies when a direction has several, as Kubernetes' {@code selectPolicy}. */
  public enum Select {
    /** The rate allowing the largest change (Kubernetes' {@code Max}, the default). */
    MAX,
    /** The rate allowing the smallest change ({@code Min}). */
    MIN,
    /** No change in this direction at all ({@code Disabled}). */
    DISABLED;

    /**
     * Returns the name used in policy files.
     *
     * @return {@code max}, {@code min} or {@code disabled}
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a rate's value counts, as Kubernetes' {@code Pods} and {@code Percent} policies. */
  public enum RateType {
    /** A number of instances ({@code rate "count"}, Kubernetes' {@code Pods}). */
    COUNT,
    /** A percentage of the count at the period's start ({@code rate "percent"}). */
    PERCENT;

    /**
     * Returns the label used in policy files.
     *
     * @return {@code count} or {@code percent}
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One rate limit: at most {@code value} instances (or percent) of change per {@code period}.
   *
   * @param type count or percent
   * @param value how much change, 1 to {@value Integer#MAX_VALUE}; a percent scale-down above 100 is
   *     valid (as in Kubernetes) and allows going to the minimum
   * @param period the sliding period the change is counted over, 1s to 30m
   */
  public record Rate(RateType type, long value, Duration period) {
    /**
     * Checks for nulls; the ranges are checked when the policy is built.
     *
     * @param type count or percent
     * @param value how much change
     * @param period the sliding period
     * @throws NullPointerException if a field is null
     */
    public Rate {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(period, "period");
    }

    /**
     * Returns a limit of {@code value} instances per period.
     *
     * @param value the number of instances
     * @param period the period
     * @return the rate
     */
    public static Rate count(long value, Duration period) {
      return new Rate(RateType.COUNT, value, period);
    }

    /**
     * Returns a limit of {@code value} percent of the period's starting count per period.
     *
     * @param value the percentage
     * @param period the period
     * @return the rate
     */
    public static Rate percent(long value, Duration period) {
      return new Rate(RateType.PERCENT, value, period);
    }

    /**
     * Describes the rate for reasons.
     *
     * @return e.g. {@code percent 10 / 1m}
     */
    @Override
    public String toString() {
      return type.label() + " " + value + " / " + Durations.format(period);
    }
  }

  /**
   * The rules of one direction.
   *
   * @param stabilizationWindow how far back recommendations are considered, 0 to 1h
   * @param select which rate applies
   * @param rates the rate limits; empty means the direction's defaults
   * @param projection scale-down only (Azure's anti-flap rule, default off): before a scale-in, every
   *     check's latest value is projected to the smaller count ({@code value × current / new}) and its
   *     strategy asked again; the scale-in goes to the smallest count at which no check would then
   *     scale out, or not at all. See {@code docs/policies.md#projection}
   */
  public record Rules(Duration stabilizationWindow, Select select, List<Rate> rates, boolean projection) {
    /**
     * Copies the rates and checks for nulls.
     *
     * @param stabilizationWindow how far back recommendations are considered
     * @param select which rate applies
     * @param rates the rate limits
     * @param projection whether a scale-in is projected first (scale-down rules only)
     * @throws NullPointerException if a field or a rate is null
     */
    public Rules {
      Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
      Objects.requireNonNull(select, "select");
      rates = List.copyOf(rates);
    }

    /**
     * Returns rules without projection.
     *
     * @param stabilizationWindow how far back recommendations are considered
     * @param select which rate applies
     * @param rates the rate limits
     * @throws NullPointerException if a field or a rate is null
     */
    public Rules(Duration stabilizationWindow, Select select, List<Rate> rates) {
      this(stabilizationWindow, select, rates, false);
    }

    /**
     * Returns scale-up rules starting from {@link #DEFAULT_SCALE_UP}; the rates given replace the default rates.
     *
     * @return a builder
     */
    public static Builder scaleUp() {
      return new Builder(DEFAULT_SCALE_UP);
    }

    /**
     * Returns scale-down rules starting from {@link #DEFAULT_SCALE_DOWN}; the rates given replace the
     * default rates.
     *
     * @return a builder
     */
    public static Builder scaleDown() {
      return new Builder(DEFAULT_SCALE_DOWN);
    }

    /** Builds {@link Rules} from a direction's defaults. Not thread-safe. */
    public static final class Builder {
      private final Rules defaults;
      private Duration window;
      private Select select;
      private final List<Rate> rates = new ArrayList<>();
      private boolean projection;

      private Builder(Rules defaults) {
        this.defaults = defaults;
        this.window = defaults.stabilizationWindow();
        this.select = defaults.select();
        this.projection = defaults.projection();
      }

      /**
       * Sets the stabilization window.
       *
       * @param window 0 to 1h
       * @return this builder
       * @throws NullPointerException if {@code window} is null
       */
      public Builder stabilizationWindow(Duration window) {
        this.window = Objects.requireNonNull(window, "window");
        return this;
      }

      /**
       * Sets which rate applies.
       *
       * @param select max, min or disabled
       * @return this builder
       * @throws NullPointerException if {@code select} is null
       */
      public Builder select(Select select) {
        this.select = Objects.requireNonNull(select, "select");
        return this;
      }

      /**
       * Adds a rate limit; the first one given replaces the direction's default rates.
       *
       * @param rate the rate
       * @return this builder
       * @throws NullPointerException if {@code rate} is null
       */
      public Builder rate(Rate rate) {
        rates.add(Objects.requireNonNull(rate, "rate"));
        return this;
      }

      /**
       * Sets whether a scale-in is projected before it is taken (Azure's anti-flap rule; default off).
       * Valid in the scale-down rules only: building a policy whose scale-up rules project fails.
       *
       * @param projection whether to project
       * @return this builder
       */
      public Builder projection(boolean projection) {
        this.projection = projection;
        return this;
      }

      /**
       * Returns the rules; without any {@link #rate}, the direction's default rates.
       *
       * @return the rules, checked when the policy is built
       */
      public Rules build() {
        return new Rules(window, select, rates.isEmpty() ? defaults.rates() : rates, projection);
      }
    }
  }

  /** Adds a message for every rule {@code behavior} breaks, each starting with {@code at}. */
  static void validate(String at, Behavior behavior, List<String> problems) {
    rules(at + "behavior.scale_up.", behavior.scaleUp(), problems);
    rules(at + "behavior.scale_down.", behavior.scaleDown(), problems);
    if (behavior.scaleUp().projection()) {
      problems.add(at + "behavior.scale_up.projection was 'true' but it is a scale_down rule: only a scale-in "
          + "is projected");
    }
  }

  private static void rules(String at, Rules rules, List<String> problems) {
    Duration w = rules.stabilizationWindow();
    if (w.isNegative() || w.compareTo(MAX_WINDOW) > 0) {
      problems.add(at + "stabilization_window was '" + Durations.format(w) + "' but it must be from 0s to 1h");
    }
    if (rules.rates().isEmpty()) {
      problems.add(at + "rate is empty but it needs at least one rate \"count\" or rate \"percent\" block");
    }
    for (int i = 0; i < rules.rates().size(); i++) {
      Rate rate = rules.rates().get(i);
      String key = at + "rate '" + rate.type().label() + "'.";
      if (rate.value() < 1 || rate.value() > Integer.MAX_VALUE) {
        problems.add(key + "value was '" + rate.value() + "' but it must be a whole number from 1 to "
            + Integer.MAX_VALUE);
      }
      Duration p = rate.period();
      if (p.compareTo(MIN_PERIOD) < 0 || p.compareTo(MAX_PERIOD) > 0) {
        problems.add(key + "period was '" + Durations.format(p) + "' but it must be from 1s to 30m");
      }
    }
  }
}
