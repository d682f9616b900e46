package dev.capstan.agent;

import dev.capstan.engine.ScalingDecision;
import dev.capstan.spi.ScalingAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What every policy (and every sweep value) would have done over the replayed history.
 *
 * @param from the first replayed instant
 * @param to the end of the replay, exclusive
 * @param step the history's step
 * @param runs one run per policy and sweep value, in the order given
 */
public record BacktestResult(Instant from, Instant to, Duration step, List<Run> runs) {
  /**
   * Checks for nulls and copies the list.
   *
   * @param from the first replayed instant
   * @param to the end of the replay, exclusive
   * @param step the history's step
   * @param runs one run per policy and sweep value
   */
  public BacktestResult {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(step, "step");
    runs = List.copyOf(runs);
  }

  /**
   * The simulated group one run scaled.
   *
   * @param bootDelay from launch until an instance takes work
   * @param startingCount instances running (and booted) at the start
   * @param capacityPerInstance what one instance can take, in the unit of the capacity-independent checks
   * @param pricePerHour US dollars per instance-hour, billed from launch
   */
  public record GroupModel(Duration bootDelay, long startingCount, double capacityPerInstance, double pricePerHour) {
    /**
     * Checks the values.
     *
     * @param bootDelay from launch until an instance takes work
     * @param startingCount instances running at the start
     * @param capacityPerInstance what one instance can take
     * @param pricePerHour US dollars per instance-hour
     * @throws IllegalArgumentException if a value is negative or the capacity is not positive
     */
    public GroupModel {
      Objects.requireNonNull(bootDelay, "bootDelay");
      if (bootDelay.isNegative() || startingCount < 0 || !(capacityPerInstance > 0) || !(pricePerHour >= 0)) {
        throw new IllegalArgumentException("the group model needs a boot delay, starting count and price of at"
            + " least 0 and a positive capacity, but was " + bootDelay + ", " + startingCount + ", "
            + capacityPerInstance + ", " + pricePerHour);
      }
    }
  }

  /**
   * One point of a run's trace, at most one a minute.
   *
   * @param time when
   * @param recorded the first replayed check's value as recorded (NaN if missing)
   * @param replayed that check's value as replayed against the simulated group (NaN if missing)
   * @param demand the demand in instances, the largest of the checks' (0 without a replayed check)
   * @param booted instances that had booted and took work
   * @param count the group's size, booting instances included
   */
  public record Point(Instant time, double recorded, double replayed, double demand, long booted, long count) {}

  /**
   * What one policy (or one sweep value of it) did.
   *
   * @param policyName the policy's name
   * @param origin where the policy came from
   * @param variant the sweep values as {@code attribute=value}, space-separated when several attributes are
   *     swept (e.g. {@code target=50 cooldown=5m}), or empty for the policy as written
   * @param group the simulated group
   * @param replayedCheck the name of the check the trace follows, or empty when no check replays data
   * @param scaleUps how many times it scaled up
   * @param scaleDowns how many times it scaled down
   * @param instanceHours instance-hours used, booting included
   * @param cost what they cost, in US dollars
   * @param minutesUnderCapacity minutes in which the demand was above the booted capacity
   * @param peakCount the largest group size, the starting count included
   * @param decisions every evaluation's decision, in time order
   * @param trace the recorded and replayed metric and the capacity, at most one point a minute
   * @param problems distinct errors of failed checks and evaluations, in the order they first occurred
   */
  public record Run(String policyName, String origin, String variant, GroupModel group, String replayedCheck,
      long scaleUps, long scaleDowns, double instanceHours, double cost, double minutesUnderCapacity, long peakCount,
      List<ScalingDecision> decisions, List<Point> trace, List<String> problems) {
    /**
     * Checks for nulls and copies the lists.
     *
     * @param policyName the policy's name
     * @param origin where the policy came from
     * @param variant the sweep value, or empty
     * @param group the simulated group
     * @param replayedCheck the check the trace follows, or empty
     * @param scaleUps scale-ups
     * @param scaleDowns scale-downs
     * @param instanceHours instance-hours
     * @param cost cost in US dollars
     * @param minutesUnderCapacity minutes of demand above booted capacity
     * @param peakCount the largest group size
     * @param decisions every decision
     * @param trace the trace
     * @param problems distinct problems
     */
    public Run {
      Objects.requireNonNull(policyName, "policyName");
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(variant, "variant");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(replayedCheck, "replayedCheck");
      decisions = List.copyOf(decisions);
      trace = List.copyOf(trace);
      problems = List.copyOf(problems);
    }

    /**
     * Returns the policy name with the sweep value, e.g. {@code aws_burst target=60}.
     *
     * @return the label of this run in tables and reports
     */
    public String label() {
      return variant.isEmpty() ? policyName : policyName + " " + variant;
    }

    /**
     * Returns the scaling actions applied, in time order.
     *
     * @return the actions of the {@code SCALED} decisions
     */
    public List<ScalingDecision> actions() {
      return decisions.stream().filter(d -> d.outcome() == dev.capstan.engine.Outcome.SCALED && d.action().isPresent())
          .toList();
    }

    /**
     * Returns how many actions were applied.
     *
     * @return scale-ups plus scale-downs
     */
    public long actionCount() {
      return scaleUps + scaleDowns;
    }

    static boolean isUp(ScalingDecision d) {
      return d.action().map(ScalingAction::direction).map(dir -> dir == dev.capstan.spi.Direction.UP).orElse(false);
    }
  }
}
