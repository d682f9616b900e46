package dev.capstan.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one policy did over a simulated run, and what it cost.
 *
 * @param policyName the policy's name
 * @param origin where the policy came from (a file, or the built-in example)
 * @param profile the cloud the policy's target stands for
 * @param max the policy's largest count, for the chart's scale
 * @param start the virtual time the run started at
 * @param onpremMhz the fixed capacity of the Raspberry Pis, in MHz
 * @param timeline the load, capacity and desired count, minute by minute
 * @param actions every scaling action the engine applied, in time order
 * @param held every evaluation that ended without a change although a check wanted one (a behavior
 *     rule, the projection, the failed-check guard or a bound held it back), in time order; its
 *     {@code to} is its {@code from}, its reason the decision's reasons, which name the rule
 * @param evaluations how many times the engine evaluated the policy
 * @param instanceHours cloud instance-hours used, booting time included
 * @param cost what those hours cost, in US dollars
 * @param minutesOverCapacity minutes in which the load exceeded the capacity that took work
 * @param peakCount the largest desired count the group reached
 * @param problems distinct errors of failed checks and evaluations, in the order they first occurred
 */
record SimulationResult(String policyName, String origin, CloudProfile profile, long max, Instant start,
    double onpremMhz, Timeline timeline, List<Event> actions, List<Event> held, long evaluations, double instanceHours, double cost,
    double minutesOverCapacity, long peakCount, List<String> problems) {

  /**
   * One applied scaling action.
   *
   * @param at when, as an offset from the start of the run
   * @param from the count before
   * @param to the count after
   * @param reason the engine's reason
   */
  record Event(Duration at, long from, long to, String reason) {
    Event {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }

    boolean up() {
      return to > from;
    }
  }

  SimulationResult {
    Objects.requireNonNull(policyName, "policyName");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(timeline, "timeline");
    actions = List.copyOf(actions);
    held = List.copyOf(held);
    problems = List.copyOf(problems);
  }

  long scaleUps() {
    return actions.stream().filter(Event::up).count();
  }

  long scaleDowns() {
    return actions.size() - scaleUps();
  }
}
