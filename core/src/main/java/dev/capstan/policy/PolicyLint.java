package dev.capstan.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds valid policies that will misbehave ({@code capstan validate --lint}).
 *
 * <p>The rules, in the order they are checked (each warning's {@link LintWarning#rule()} is the id):
 * <ol>
 *   <li>{@code cooldown-below-interval}: {@code cooldown} or {@code cooldown_on_scale_up} is shorter than
 *       {@code evaluation_interval}, so the cooldown has always passed by the next evaluation and does
 *       nothing.
 *   <li>{@code query-window-below-interval}: a check's {@code query_window} is shorter than
 *       {@code evaluation_interval}, so the metric between two windows is never seen (an instant
 *       query, {@code query_window = "instant"}, reads one point by design and is not warned about).
 *   <li>{@code min-zero-without-demand}: {@code min = 0}, no demand check and every check a utilization
 *       check ({@code target-value}, or {@code threshold} with {@code percentage}). A percentage of 0 is 0,
 *       and {@code target-value} leaves 0 only when its query is above 0 with no instance running, which
 *       a utilization metric (the group's own CPU) is not; so once at 0 the policy may never scale out.
 *       A query built to be defined at 0 (one that counts blocked evaluations, as the examples do) is
 *       warned about too: the linter cannot read queries.
 *   <li>{@code target-value-threshold-below-step}: a {@code target-value} check's {@code threshold}
 *       (default 0.01) is below {@code 1 / max}, one instance's share of the group at {@code max}: a
 *       change of one instance moves the metric out of the tolerance, so nearly every evaluation changes
 *       the count.
 *   <li>{@code threshold-overlap}: two {@code threshold} checks on the same source and query whose bands
 *       ({@code lower_bound <= value < upper_bound}) overlap but whose actions differ (one scales out,
 *       the other in, or two different {@code value}s): a metric in the overlap makes the policy flap.
 *   <li>{@code threshold-no-gap}: two such checks whose bands meet exactly ({@code upper_bound} of one is
 *       the other's {@code lower_bound}): no value leaves the count alone, so the step one check takes
 *       across the boundary is undone by the other.
 *   <li>{@code schedule-never-opens}: the {@code schedule}'s {@code end} fires at every minute its
 *       {@code start} fires (and an end at the start's minute closes the window), so the policy never acts.
 *   <li>{@code shared-target} (only {@link #lint(List)}): two policies with the same target block scale
 *       the same group and fight over it; the warning names the later one.
 * </ol>
 *
 * <p>A policy's {@code lint { ignore = ["rule-id", ...] }} block ({@link ScalingPolicy#lintIgnored()})
 * silences those rules' warnings about it, e.g. {@code min-zero-without-demand} for a policy whose query
 * is built to be above 0 with no instance running, which the linter cannot tell.
 *
 * <p>Values the parser would refuse (such as a bound that is not a number) are skipped, not warned
 * about: {@code capstan validate} reports them as problems. Stateless and thread-safe.
 */
public final class PolicyLint {
  private static final String TARGET_VALUE = "target-value";
  private static final String THRESHOLD = "threshold";
  private static final double DEFAULT_TARGET_VALUE_THRESHOLD = 0.01;

  private PolicyLint() {}

  /**
   * Returns the warnings for one policy: every rule but {@code shared-target}.
   *
   * @param policy the policy
   * @return the warnings in rule order, empty when the policy looks sound
   * @throws NullPointerException if {@code policy} is null
   */
  public static List<LintWarning> lint(ScalingPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    List<LintWarning> warnings = new ArrayList<>();
    cooldownBelowInterval(policy, warnings);
    queryWindowBelowInterval(policy, warnings);
    minZeroWithoutDemand(policy, warnings);
    targetValueThresholdBelowStep(policy, warnings);
    thresholdOverlap(policy, warnings);
    scheduleNeverOpens(policy, warnings);
    return List.copyOf(warnings);
  }

  /**
   * Returns the warnings for a set of policies: each policy's own ({@link #lint(ScalingPolicy)}), then
   * {@code shared-target} for every policy whose target block equals an earlier one's.
   *
   * @param policies the policies, e.g. every policy an agent loads
   * @return the warnings, policy by policy in the given order, then the shared targets
   * @throws NullPointerException if {@code policies} or one of them is null
   */
  public static List<LintWarning> lint(List<ScalingPolicy> policies) {
    List<LintWarning> warnings = new ArrayList<>();
    Map<PluginRef, ScalingPolicy> byTarget = new HashMap<>();
    List<LintWarning> shared = new ArrayList<>();
    for (ScalingPolicy policy : policies) {
      warnings.addAll(lint(policy));
      ScalingPolicy first = byTarget.putIfAbsent(policy.target(), policy);
      if (first != null) {
        warn(shared, policy, Optional.empty(), LintRule.SHARED_TARGET, "target '" + policy.target().name()
            + "' with the same configuration is also scaled by policy '" + first.name() + "' in "
            + first.origin() + "; the two will fight over the group");
      }
    }
    warnings.addAll(shared);
    return List.copyOf(warnings);
  }

  private static void cooldownBelowInterval(ScalingPolicy p, List<LintWarning> warnings) {
    Duration interval = p.evaluationInterval();
    if (p.cooldown().compareTo(interval) < 0) {
      warn(warnings, p, Optional.empty(), LintRule.COOLDOWN_BELOW_INTERVAL, "cooldown " + p.cooldown()
          + " is shorter than evaluation_interval " + interval + ", so it never delays an evaluation");
    }
    if (p.isSet(ScalingPolicy.Field.COOLDOWN_ON_SCALE_UP) && p.cooldownOnScaleUp().compareTo(interval) < 0) {
      warn(warnings, p, Optional.empty(), LintRule.COOLDOWN_BELOW_INTERVAL, "cooldown_on_scale_up "
          + p.cooldownOnScaleUp() + " is shorter than evaluation_interval " + interval
          + ", so it never delays an evaluation");
    }
  }

  private static void queryWindowBelowInterval(ScalingPolicy p, List<LintWarning> warnings) {
    for (Check c : p.checks()) {
      if (!c.source().isEmpty() && !c.queryInstant() && c.queryWindow().compareTo(p.evaluationInterval()) < 0) {
        warn(warnings, p, Optional.of(c.name()), LintRule.QUERY_WINDOW_BELOW_INTERVAL, "query_window "
            + c.queryWindow() + " is shorter than evaluation_interval " + p.evaluationInterval()
            + ", so the metric between two windows is never read");
      }
    }
  }

  private static void minZeroWithoutDemand(ScalingPolicy p, List<LintWarning> warnings) {
    if (p.min() != 0 || p.checks().stream().anyMatch(Check::demand)
        || !p.checks().stream().allMatch(PolicyLint::scalesTheCount)) {
      return;
    }
    warn(warnings, p, Optional.empty(), LintRule.MIN_ZERO_WITHOUT_DEMAND, "min is 0 but no check is a demand check "
        + "and every check is a utilization check (target-value or threshold percentage), which at 0 has no "
        + "instance to measure, so once at 0 the policy may never scale out again; add a check with "
        + "demand = true, set min = 1, or, when every query is above 0 while no instance runs, say so with "
        + "lint { ignore = [\"min-zero-without-demand\"] }");
  }

  /** A utilization check: its desired count is a multiple of the current one, so 0 stays 0. */
  private static boolean scalesTheCount(Check c) {
    String strategy = c.strategy().name();
    return strategy.equals(TARGET_VALUE)
        || strategy.equals(THRESHOLD) && c.strategy().config().containsKey("percentage");
  }

  private static void targetValueThresholdBelowStep(ScalingPolicy p, List<LintWarning> warnings) {
    if (p.max() <= 0) {
      return;
    }
    double step = 1.0 / p.max();
    for (Check c : p.checks()) {
      if (!c.strategy().name().equals(TARGET_VALUE)) {
        continue;
      }
      String given = c.strategy().config().get("threshold");
      Optional<Double> threshold = given == null ? Optional.of(DEFAULT_TARGET_VALUE_THRESHOLD) : number(given);
      if (threshold.isPresent() && threshold.get() < step) {
        warn(warnings, p, Optional.of(c.name()), LintRule.TARGET_VALUE_THRESHOLD_BELOW_STEP, "threshold "
            + (given == null ? "0.01 (the default)" : given) + " is below " + format(step)
            + ", one instance's share at max = " + p.max()
            + ", so a change of one instance leaves the tolerance and the count changes at nearly every "
            + "evaluation; set threshold to at least " + format(step));
      }
    }
  }

  private static void thresholdOverlap(ScalingPolicy p, List<LintWarning> warnings) {
    List<Band> bands = new ArrayList<>();
    for (Check c : p.checks()) {
      if (!c.demand() && c.strategy().name().equals(THRESHOLD)) {
        Band.of(c).ifPresent(bands::add);
      }
    }
    for (int j = 1; j < bands.size(); j++) {
      for (int i = 0; i < j; i++) {
        Band a = bands.get(i);
        Band b = bands.get(j);
        if (!a.sameMetric(b) || !a.conflicts(b)) {
          continue;
        }
        double from = Math.max(a.lower, b.lower);
        double to = Math.min(a.upper, b.upper);
        if (from < to) {
          warn(warnings, p, Optional.of(b.check.name()), LintRule.THRESHOLD_OVERLAP, "its band "
              + a.range(from, to) + " overlaps check '" + a.check.name() + "', which " + a.action()
              + " while this one " + b.action() + ", so a metric in the overlap makes the policy flap");
        } else if (from == to && !Double.isInfinite(from)) {
          warn(warnings, p, Optional.of(b.check.name()), LintRule.THRESHOLD_NO_GAP, "its band meets the band of "
              + "check '" + a.check.name() + "' at " + format(from) + " with no gap, so every value moves the count one "
              + "way or the other and one step across " + format(from) + " is undone by the other check; "
              + "leave a band between them where neither acts");
        }
      }
    }
  }

  private static void scheduleNeverOpens(ScalingPolicy p, List<LintWarning> warnings) {
    if (p.schedule().isPresent() && p.schedule().get().neverOpens()) {
      Schedule schedule = p.schedule().get();
      warn(warnings, p, Optional.empty(), LintRule.SCHEDULE_NEVER_OPENS, "schedule.end '" + schedule.end().orElseThrow()
          + "' fires at every minute schedule.start '" + schedule.start() + "' fires, and an end at the same minute "
          + "closes the window, so it never opens and the policy never acts; make end fire at other times");
    }
  }

  /** One threshold check's band and action; {@code sign} is +1 out, -1 in, 0 a fixed {@code value}. */
  private record Band(Check check, double lower, double upper, int sign, long value) {
    static Optional<Band> of(Check c) {
      Map<String, String> config = c.strategy().config();
      Optional<Double> lower = config.containsKey("lower_bound") ? number(config.get("lower_bound"))
          : Optional.of(Double.NEGATIVE_INFINITY);
      Optional<Double> upper = config.containsKey("upper_bound") ? number(config.get("upper_bound"))
          : Optional.of(Double.POSITIVE_INFINITY);
      Optional<Double> amount;
      int sign;
      if (config.containsKey("delta")) {
        amount = number(config.get("delta"));
        sign = 1;
      } else if (config.containsKey("percentage")) {
        amount = number(config.get("percentage"));
        sign = 1;
      } else {
        amount = config.containsKey("value") ? number(config.get("value")) : Optional.empty();
        sign = 0;
      }
      if (lower.isEmpty() || upper.isEmpty() || amount.isEmpty()) {
        return Optional.empty();
      }
      double a = amount.get();
      if (sign != 0 && a == 0) {
        return Optional.empty(); // delta = 0 never changes anything, so it cannot flap
      }
      return Optional.of(new Band(c, lower.get(), upper.get(), sign == 0 ? 0 : (a > 0 ? 1 : -1),
          (long) a));
    }

    boolean sameMetric(Band other) {
      return check.source().equals(other.check.source()) && check.query().equals(other.check.query());
    }

    boolean conflicts(Band other) {
      return sign == 0 && other.sign == 0 ? value != other.value : sign != other.sign;
    }

    String action() {
      return sign > 0 ? "scales out" : sign < 0 ? "scales in" : "sets the count to " + value;
    }

    String range(double from, double to) {
      return "[" + format(from) + ", " + format(to) + ")";
    }
  }

  private static Optional<Double> number(String text) {
    try {
      double d = Double.parseDouble(text.trim());
      return Double.isNaN(d) ? Optional.empty() : Optional.of(d);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String format(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "+inf" : "-inf";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /** Adds a warning about {@code p}, unless its {@code lint { ignore }} silences the rule. */
  private static void warn(List<LintWarning> warnings, ScalingPolicy p, Optional<String> check, LintRule rule,
      String message) {
    if (!p.lintIgnored().contains(rule)) {
      warnings.add(new LintWarning(p.origin(), p.name(), check, rule.id(), message));
    }
  }
}
