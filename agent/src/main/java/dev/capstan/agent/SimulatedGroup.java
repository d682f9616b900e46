package dev.capstan.agent;

import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A simulated cloud instance group: the {@link Target} the simulator scales in place of a real cloud.
 *
 * <p>A new instance runs (and costs) from its launch, but adds capacity only after the profile's
 * boot delay. Like a cloud group in the middle of a scaling activity, the group reports itself not
 * ready while any instance is still booting, so the engine does not pile actions on top of it.
 * Scaling in removes the newest instances first. Time comes from the injected clock, so the group
 * follows the simulation's virtual time.
 *
 * <p>A policy names the group with the profile's key (e.g. {@code aws_asg_name}); a configuration
 * without that key means this group, because a simulation has one. Thread-safe.
 */
final class SimulatedGroup implements Target, InstanceGroup {
  private final String name;
  private final CloudProfile profile;
  private final Clock clock;
  private final List<Instance> instances = new ArrayList<>();
  private double retiredInstanceSeconds;
  private int launched;
  private boolean closed;

  /** One running instance; it takes work from {@code readyAt} on. */
  private record Instance(String id, Instant launchedAt, Instant readyAt) {}

  /**
   * Creates a group whose {@code initialCount} instances are already running and ready.
   *
   * @throws IllegalArgumentException if {@code initialCount} is negative
   */
  SimulatedGroup(String name, CloudProfile profile, Clock clock, long initialCount) {
    this.name = Objects.requireNonNull(name, "name");
    this.profile = Objects.requireNonNull(profile, "profile");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (initialCount < 0) {
      throw new IllegalArgumentException("initialCount must be at least 0, but was " + initialCount);
    }
    Instant now = clock.instant();
    for (long i = 0; i < initialCount; i++) {
      instances.add(new Instance(nextId(), now, now));
    }
  }

  String name() {
    return name;
  }

  CloudProfile profile() {
    return profile;
  }

  @Override
  public synchronized TargetStatus status(Map<String, String> policyTargetConfig) {
    checkGroup(policyTargetConfig);
    long booting = instances.size() - readyCount();
    if (booting > 0) {
      return new TargetStatus(false, instances.size(),
          Map.of(TargetStatus.META_NOT_READY_REASON, booting + " instance(s) of " + name + " still booting"));
    }
    return new TargetStatus(true, instances.size(), Map.of());
  }

  @Override
  public synchronized void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    checkGroup(policyTargetConfig);
    if (action.dryRun()) {
      return;
    }
    Instant now = clock.instant();
    while (instances.size() < action.count()) {
      instances.add(new Instance(nextId(), now, now.plus(profile.bootDelay())));
    }
    while (instances.size() > action.count()) {
      retire(instances.remove(instances.size() - 1), now);
    }
  }

  @Override
  public synchronized void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    checkGroup(policyTargetConfig);
    Instant now = clock.instant();
    List<String> done = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (String id : instanceIds) {
      Instance found = instances.stream().filter(i -> i.id.equals(id)).findFirst().orElse(null);
      if (found == null) {
        failed.put(id, "no such instance in simulated group " + name);
      } else {
        instances.remove(found);
        retire(found, now);
        done.add(id);
      }
    }
    if (!failed.isEmpty()) {
      throw new TerminationException(name, done, failed);
    }
  }

  /** Returns the ids of the running instances, oldest first. */
  synchronized List<String> instanceIds() {
    return instances.stream().map(Instance::id).toList();
  }

  /** Returns the group's desired size: every running instance, booting or not. */
  synchronized long count() {
    return instances.size();
  }

  /** Returns how many instances have booted and take work now. */
  synchronized long readyCount() {
    Instant now = clock.instant();
    long ready = 0;
    for (Instance i : instances) {
      if (!i.readyAt.isAfter(now)) {
        ready++;
      }
    }
    return ready;
  }

  /**
   * Returns when the next booting instance becomes ready, so a replay can step straight to the moments
   * the booted capacity changes; empty when none is booting.
   */
  synchronized Optional<Instant> nextBootCompletion() {
    Instant now = clock.instant();
    Instant next = null;
    for (Instance i : instances) {
      if (i.readyAt.isAfter(now) && (next == null || i.readyAt.isBefore(next))) {
        next = i.readyAt;
      }
    }
    return Optional.ofNullable(next);
  }

  /** Returns the CPU the booted instances add, in MHz. */
  double readyCapacityMhz() {
    return readyCount() * profile.capacityMhz();
  }

  /** Returns the instance-hours used so far, counting running instances up to now. */
  synchronized double instanceHours() {
    Instant now = clock.instant();
    double seconds = retiredInstanceSeconds;
    for (Instance i : instances) {
      seconds += secondsBetween(i.launchedAt, now);
    }
    return seconds / 3600.0;
  }

  /** Returns what the instance-hours so far cost, in US dollars. */
  double cost() {
    return instanceHours() * profile.pricePerHour();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  private void retire(Instance instance, Instant now) {
    retiredInstanceSeconds += secondsBetween(instance.launchedAt, now);
  }

  private static double secondsBetween(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private String nextId() {
    launched++;
    return name + "-" + launched;
  }

  private void checkGroup(Map<String, String> policyTargetConfig) {
    String wanted = policyTargetConfig.get(profile.groupKey());
    if (wanted != null && !wanted.equals(name)) {
      throw new TargetException("simulated group '" + wanted + "' (" + profile.groupKey()
          + ") does not exist; the simulation has one group, '" + name + "'");
    }
  }
}
