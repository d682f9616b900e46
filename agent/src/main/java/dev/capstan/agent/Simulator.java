package dev.capstan.agent;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Runs one policy through the real engine and strategies on virtual time, against a
 * {@link SimulatedGroup} standing in for the policy's cloud target and a {@link RecordedMetrics}
 * source fed from a {@link Workload}.
 *
 * <p>The world: four Raspberry Pis ({@value #ONPREM_MHZ} MHz of CPU, never scaled) take the load
 * first; what they cannot hold spills to the cloud group. Every {@link #SCRAPE} the metric that the
 * example policies' query describes is recorded: the CPU the cloud class is asked for (spilled load,
 * allocated or still waiting) as a percentage of the ready cloud capacity, counting at least one
 * instance's worth so it is defined at zero instances. Every check of the policy reads it, whatever
 * its query text. The simulator calls {@link Autoscaler#evaluate} itself whenever the policy's
 * evaluation interval comes round, so a two-day run takes well under a second and nothing sleeps.
 */
final class Simulator {
  /** The Pis' CPU: four Raspberry Pi 4, four cores each, as Nomad fingerprints them (1500 MHz a core). */
  static final double ONPREM_MHZ = 24_000;
  /** A Monday at midnight UTC, so the chart's days read naturally. */
  static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
  /** The resolution of virtual time. */
  static final Duration TICK = Duration.ofSeconds(5);
  /** How often the metric is sampled, as a Prometheus scrape would. */
  static final Duration SCRAPE = Duration.ofSeconds(15);

  private final Workload workload;
  private final Duration duration;

  Simulator(Workload workload, Duration duration) {
    this.workload = Objects.requireNonNull(workload, "workload");
    this.duration = Objects.requireNonNull(duration, "duration");
  }

  /**
   * Simulates {@code policy}, reporting progress as the number of virtual seconds done.
   *
   * @throws dev.capstan.spi.ConfigException if a check names a strategy that does not exist
   */
  SimulationResult run(ScalingPolicy policy, LongConsumer secondsDone) {
    CloudProfile profile = CloudProfile.forTarget(policy.target().name());
    ManualClock clock = new ManualClock(workload.start());
    String groupName = policy.target().config().getOrDefault(profile.groupKey(), "cloud");
    SimulatedGroup group = new SimulatedGroup(groupName, profile, clock, policy.min());
    RecordedMetrics metrics = new RecordedMetrics();

    Timeline timeline = new Timeline();
    List<SimulationResult.Event> actions = new ArrayList<>();
    List<SimulationResult.Event> held = new ArrayList<>();
    Set<String> problems = new LinkedHashSet<>();
    long evaluations = 0;
    long peak = group.count();
    long ticksOver = 0;
    Instant end = workload.start().plus(duration);
    Instant nextScrape = workload.start();
    Instant nextMinute = workload.start();
    Instant nextEvaluation = workload.start().plus(policy.evaluationInterval());
    try (Autoscaler engine = SimulatedEngine.build(policy, clock, group, metrics)) {
      for (Instant now = clock.instant(); now.isBefore(end); now = clock.advance(TICK)) {
        double demand = workload.demandMhz(now);
        double capacity = ONPREM_MHZ + group.readyCapacityMhz();
        if (!now.isBefore(nextScrape)) {
          double spilled = Math.max(0, demand - ONPREM_MHZ);
          metrics.record(now, 100 * spilled / Math.max(group.readyCapacityMhz(), profile.capacityMhz()));
          nextScrape = nextScrape.plus(SCRAPE);
        }
        if (demand > capacity) {
          ticksOver++;
        }
        if (!now.isBefore(nextEvaluation)) {
          ScalingDecision decision = engine.evaluate(policy);
          evaluations++;
          record(decision, Duration.between(workload.start(), now), actions, held, problems);
          while (!nextEvaluation.isAfter(now)) {
            nextEvaluation = nextEvaluation.plus(policy.evaluationInterval());
          }
        }
        peak = Math.max(peak, group.count());
        if (!now.isBefore(nextMinute)) {
          timeline.add(demand, ONPREM_MHZ + group.readyCapacityMhz(), group.count());
          nextMinute = nextMinute.plus(Duration.ofMinutes(1));
          secondsDone.accept(Duration.between(workload.start(), now).toSeconds());
        }
      }
    }
    return new SimulationResult(policy.name(), policy.origin(), profile, policy.max(), workload.start(), ONPREM_MHZ,
        timeline, actions, held, evaluations, group.instanceHours(), group.cost(), ticksOver * TICK.toSeconds() / 60.0, peak, List.copyOf(problems));
  }

  private static void record(ScalingDecision decision, Duration at, List<SimulationResult.Event> actions,
      List<SimulationResult.Event> held, Set<String> problems) {
    if (decision.outcome() == Outcome.SCALED && decision.action().isPresent()) {
      long from = decision.currentCount().orElse(0);
      actions.add(new SimulationResult.Event(at, from, decision.action().get().count(),
          decision.action().get().reason()));
    }
    if (decision.outcome() == Outcome.NO_CHANGE && decision.currentCount().isPresent()) {
      long current = decision.currentCount().getAsLong();
      boolean wanted = decision.checks().stream()
          .anyMatch(c -> c.desiredCount().isPresent() && c.desiredCount().getAsLong() != current);
      if (wanted) {
        held.add(new SimulationResult.Event(at, current, current, String.join("; ", decision.reasons())));
      }
    }
    decision.error().ifPresent(problems::add);
    for (CheckResult check : decision.checks()) {
      check.error().ifPresent(e -> problems.add("check '" + check.name() + "': " + e));
    }
  }
}
