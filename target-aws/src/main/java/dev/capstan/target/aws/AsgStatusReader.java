package dev.capstan.target.aws;

import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingActivitiesResponse;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshStatus;
import software.amazon.awssdk.services.autoscaling.model.ScalingActivityStatusCode;

/**
 * Reads the status of many Auto Scaling groups in as few calls as the API allows. The rules, in the
 * order they apply:
 *
 * <ol>
 *   <li>One {@code DescribeAutoScalingGroups} per 100 distinct names ({@code MaxRecords} 100 lifts the
 *       50-name default), following {@code NextToken}. A group missing from the answer, or a chunk
 *       whose call failed, fails only its own entries.
 *   <li>From that answer alone: a group with a {@code Status} (such as {@code Delete in progress}) is
 *       not ready. With the policy's {@code ignore_asg_events} set, nothing else is asked or
 *       considered (the peer's "readiness override"): no activities, no refreshes, no lifecycle
 *       hooks, no last event. An instance held by a lifecycle hook ({@code Pending:Wait},
 *       {@code Pending:Proceed}, {@code Terminating:Wait}, {@code Terminating:Proceed}) makes the group
 *       not ready: it is a scaling step still in progress. A group <em>looks busy</em> when an
 *       instance is in any lifecycle state but {@code InService} or {@code Standby} (Pending,
 *       Terminating, their hook states, Detaching, EnteringStandby, Quarantined), or when its
 *       in-service capacity (instances, or their weights) differs from its desired capacity.
 *       Warm-pool instances ({@code Warmed:*}) are not group capacity and are ignored, as the peer
 *       does (nomad-autoscaler #1151).
 *   <li>Activities are asked only for groups that look busy, that are read for the first time, or
 *       whose desired capacity moved since we last read or set it (an out-of-band change). Warm-pool
 *       activities ("Launching a new EC2 instance into warm pool: ...", "Terminating EC2 instance from
 *       warm pool: ...") are ignored, for readiness and for the last event, as the peer does. One such
 *       group: its 10 newest activities, as before. Several: one account-wide page of 100, which the
 *       API sorts in-progress first, so every running activity in the region is on it unless the page
 *       is all in-progress ones; then (and for an out-of-band group not on the page) that group's own
 *       10 newest. A running activity makes the group not ready.
 *   <li>Instance refreshes are asked, per group since the API needs a name, for a group that looks
 *       busy with no running activity, and on the read after a group was busy or had a refresh
 *       running, so a refresh between two batches (all instances in service) is still followed; one
 *       that runs makes the group not ready. Not on a first read: for 1,000 groups that would be
 *       1,000 calls at start; a refresh paused between batches then is seen when its next batch
 *       moves instances.
 *   <li>{@link TargetStatus#META_LAST_EVENT} reports out-of-band events only: the end of the newest
 *       finished activity when a group is first read (as nomad-autoscaler does at start), and when its
 *       desired capacity moved without us the end or, while it runs, the start of the newest
 *       activity (the time of the read when AWS lists none). It is
 *       remembered and reported on every later read until we scale the group ourselves.
 * </ol>
 * Thread-safe: what it remembers per group is one immutable record in a concurrent map.
 */
final class AsgStatusReader {
  static final int NAMES_PER_DESCRIBE = 100;
  static final int RECENT_ACTIVITIES = 10;
  static final int ACCOUNT_ACTIVITIES = 100;
  static final int RECENT_REFRESHES = 5;

  static final Set<ScalingActivityStatusCode> ACTIVITY_DONE = EnumSet.of(
      ScalingActivityStatusCode.SUCCESSFUL, ScalingActivityStatusCode.FAILED,
      ScalingActivityStatusCode.CANCELLED);
  private static final Set<InstanceRefreshStatus> REFRESH_RUNNING = EnumSet.of(
      InstanceRefreshStatus.PENDING, InstanceRefreshStatus.IN_PROGRESS,
      InstanceRefreshStatus.CANCELLING, InstanceRefreshStatus.ROLLBACK_IN_PROGRESS,
      InstanceRefreshStatus.BAKING);
  private static final Set<String> SETTLED_STATES = Set.of("InService", "Standby");
  /** Lifecycle states in which a lifecycle hook holds an instance: the scaling step is still under way. */
  static final Set<String> HOOK_STATES = Set.of("Pending:Wait", "Pending:Proceed", "Terminating:Wait",
      "Terminating:Proceed");
  private static final String WARMED = "Warmed:";

  /** What we last knew of a group: its desired capacity, whether to look for a refresh, its last out-of-band event. */
  private record Seen(int desired, boolean checkRefresh, OptionalLong lastEvent) {}

  private final AwsAsgTarget target;
  private final Clock clock;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  AsgStatusReader(AwsAsgTarget target, Clock clock) {
    this.target = target;
    this.clock = clock;
  }

  /** Records that we set the group's desired capacity, so the next read does not take it for someone else's. */
  void scaled(String name, int desired) {
    seen.compute(name, (n, s) -> new Seen(desired, s != null && s.checkRefresh, OptionalLong.empty()));
  }

  /** Reads every group; one result per group, in order. */
  List<GroupStatus> read(List<AwsAsgGroup> groups) {
    List<String> names = List.copyOf(new LinkedHashSet<>(groups.stream().map(AwsAsgGroup::name).toList()));
    // A name bound twice with different settings: any binding that ignores events makes the read ignore them.
    Set<String> ignoringEvents = new java.util.HashSet<>();
    groups.stream().filter(AwsAsgGroup::ignoreAsgEvents).forEach(g -> ignoringEvents.add(g.name()));
    Map<String, GroupStatus> byName = new HashMap<>();
    Map<String, AutoScalingGroup> found = describe(names, byName);

    Map<String, Read> reads = new LinkedHashMap<>();
    for (String name : names) {
      if (byName.containsKey(name)) {
        continue;
      }
      AutoScalingGroup group = found.get(name);
      if (group == null) {
        byName.put(name, GroupStatus.failed(new TargetException("Auto Scaling group " + name + " not found in "
            + target.where())));
      } else {
        reads.put(name, new Read(group, seen.get(name), ignoringEvents.contains(name)));
      }
    }
    askActivities(reads, byName);
    for (Read r : reads.values()) {
      if (byName.containsKey(r.name)) {
        continue;
      }
      try {
        byName.put(r.name, GroupStatus.of(finish(r)));
      } catch (TargetException e) {
        byName.put(r.name, GroupStatus.failed(e));
      }
    }
    List<GroupStatus> out = new ArrayList<>(groups.size());
    for (AwsAsgGroup g : groups) {
      out.add(byName.get(g.name()));
    }
    return out;
  }

  /** One group's read in progress. */
  private static final class Read {
    final String name;
    final AutoScalingGroup group;
    final Seen before;
    final String deleting;
    final boolean looksBusy;
    final boolean outOfBand;
    final boolean ignoreEvents;
    List<Activity> activities; // null: not asked

    Read(AutoScalingGroup group, Seen before, boolean ignoreEvents) {
      this.name = group.autoScalingGroupName();
      this.group = group;
      this.before = before;
      this.deleting = group.status() == null || group.status().isBlank() ? null : group.status();
      this.ignoreEvents = ignoreEvents;
      this.looksBusy = !ignoreEvents && looksBusy(group);
      this.outOfBand = !ignoreEvents && before != null && before.desired != group.desiredCapacity();
    }

    boolean needsActivities() {
      return deleting == null && !ignoreEvents && (looksBusy || before == null || outOfBand);
    }
  }

  static boolean looksBusy(AutoScalingGroup group) {
    long inService = 0;
    long largestWeight = 1;
    boolean weighted = false;
    for (Instance i : group.instances()) {
      String state = i.lifecycleStateAsString();
      if (state != null && state.startsWith(WARMED)) {
        continue;
      }
      if (state == null || !SETTLED_STATES.contains(state)) {
        return true;
      }
      if (state.equals("InService")) {
        long weight = 1;
        if (i.weightedCapacity() != null) {
          weighted = true;
          weight = Long.parseLong(i.weightedCapacity());
          largestWeight = Math.max(largestWeight, weight);
        }
        inService += weight;
      }
    }
    long desired = group.desiredCapacity();
    // With weights the group may overshoot its desired capacity by less than the largest weight.
    return weighted ? inService < desired || inService - largestWeight >= desired : inService != desired;
  }

  private Map<String, AutoScalingGroup> describe(List<String> names, Map<String, GroupStatus> failed) {
    Map<String, AutoScalingGroup> found = new HashMap<>();
    for (int from = 0; from < names.size(); from += NAMES_PER_DESCRIBE) {
      List<String> chunk = names.subList(from, Math.min(names.size(), from + NAMES_PER_DESCRIBE));
      try {
        target.call("describe Auto Scaling group(s) " + String.join(", ", chunk), () -> {
          target.client().describeAutoScalingGroupsPaginator(b -> b.autoScalingGroupNames(chunk)
              .maxRecords(NAMES_PER_DESCRIBE)).autoScalingGroups().forEach(g -> found.put(g.autoScalingGroupName(), g));
          return null;
        });
      } catch (TargetException e) {
        chunk.forEach(n -> failed.put(n, GroupStatus.failed(e)));
      }
    }
    return found;
  }

  private void askActivities(Map<String, Read> reads, Map<String, GroupStatus> failed) {
    List<Read> needing = reads.values().stream().filter(Read::needsActivities).toList();
    if (needing.size() > 1) {
      try {
        DescribeScalingActivitiesResponse page = target.call("describe the scaling activities of " + target.where(),
            () -> target.client().describeScalingActivities(b -> b.maxRecords(ACCOUNT_ACTIVITIES)));
        List<Activity> all = page.activities();
        boolean saturated = page.nextToken() != null && !all.isEmpty()
            && !ACTIVITY_DONE.contains(all.get(all.size() - 1).statusCode());
        Map<String, List<Activity>> byGroup = new HashMap<>();
        all.forEach(a -> byGroup.computeIfAbsent(a.autoScalingGroupName(), n -> new ArrayList<>()).add(a));
        for (Read r : needing) {
          List<Activity> mine = byGroup.getOrDefault(r.name, List.of());
          boolean enough = r.looksBusy ? !saturated : true;
          if (r.outOfBand && mine.isEmpty()) {
            enough = false;
          }
          if (enough) {
            r.activities = mine;
          }
        }
      } catch (TargetException e) {
        // Fall through: each group that needs its activities asks for them on its own below.
      }
    }
    for (Read r : needing) {
      if (r.activities != null) {
        continue;
      }
      try {
        r.activities = target.call("describe scaling activities of Auto Scaling group " + r.name,
            () -> target.client().describeScalingActivities(b -> b.autoScalingGroupName(r.name)
                .maxRecords(RECENT_ACTIVITIES)).activities());
      } catch (TargetException e) {
        failed.put(r.name, GroupStatus.failed(e));
      }
    }
  }

  /** Whether an activity only fills or drains the warm pool, which the peer does not count as scaling. */
  static boolean warmPoolActivity(Activity a) {
    String d = a.description();
    return d != null && (d.contains("Launching a new EC2 instance into warm pool")
        || d.contains("Terminating EC2 instance from warm pool"));
  }

  private TargetStatus finish(Read r) {
    Map<String, String> meta = new HashMap<>();
    String notReady = r.deleting == null ? null : "Auto Scaling group " + r.name + " is not ready: " + r.deleting;
    List<Activity> activities = r.activities == null ? List.of()
        : r.activities.stream().filter(a -> !warmPoolActivity(a)).toList();
    if (notReady == null) {
      Optional<Activity> running = activities.stream().filter(a -> !ACTIVITY_DONE.contains(a.statusCode())).findFirst();
      if (running.isPresent()) {
        Activity a = running.get();
        notReady = "scaling activity " + a.activityId() + " is " + a.statusCodeAsString()
            + (a.description() == null ? "" : ": " + a.description());
      }
    }
    // The activity says more than the hook state, so it is reported first when AWS lists one.
    if (notReady == null && !r.ignoreEvents) {
      Optional<Instance> held = r.group.instances().stream()
          .filter(i -> HOOK_STATES.contains(i.lifecycleStateAsString())).findFirst();
      if (held.isPresent()) {
        notReady = "instance " + held.get().instanceId() + " is " + held.get().lifecycleStateAsString()
            + ": a lifecycle hook holds it, so a scaling step is still in progress";
      }
    }
    boolean refreshRunning = false;
    if (notReady == null && !r.ignoreEvents && (r.looksBusy || (r.before != null && r.before.checkRefresh))) {
      Optional<InstanceRefresh> refresh = target.call("describe instance refreshes of Auto Scaling group " + r.name,
          () -> target.client().describeInstanceRefreshes(b -> b.autoScalingGroupName(r.name).maxRecords(RECENT_REFRESHES))
              .instanceRefreshes())
          .stream().filter(x -> REFRESH_RUNNING.contains(x.status())).findFirst();
      if (refresh.isPresent()) {
        refreshRunning = true;
        notReady = "instance refresh " + refresh.get().instanceRefreshId() + " is " + refresh.get().statusAsString();
      }
    }
    OptionalLong lastEvent = r.before == null ? OptionalLong.empty() : r.before.lastEvent;
    if (!r.ignoreEvents && (r.before == null || r.outOfBand)) {
      // After a move we did not make, a running activity has no end yet: its start is when it began.
      OptionalLong newest = activities.stream().map(a -> a.endTime() != null || !r.outOfBand ? a.endTime() : a.startTime())
          .filter(Objects::nonNull).mapToLong(Instant::toEpochMilli).max();
      if (newest.isPresent()) {
        lastEvent = newest;
      } else if (r.outOfBand) {
        lastEvent = OptionalLong.of(clock.millis());
      }
    }
    if (!r.ignoreEvents) {
      lastEvent.ifPresent(t -> meta.put(TargetStatus.META_LAST_EVENT, Long.toString(t)));
    }
    if (notReady != null) {
      meta.put(TargetStatus.META_NOT_READY_REASON, notReady);
    }
    boolean checkRefresh = refreshRunning || r.looksBusy || (notReady != null && r.deleting == null);
    seen.put(r.name, new Seen(r.group.desiredCapacity(), checkRefresh, lastEvent));
    return new TargetStatus(notReady == null, r.group.desiredCapacity(), meta);
  }
}
