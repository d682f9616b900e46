package dev.capstan.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Direction;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Target} that scales a cluster in the safe order: choose nodes, drain them, terminate
 * exactly those instances, purge them from the scheduler.
 *
 * <p>It wraps a cloud target that is also an {@link InstanceGroup} and a {@link NodePool}. For a
 * policy whose target block names a node group ({@code node_class}, {@code datacenter} or
 * {@code node_pool}; see {@link ClusterConfig}), a scale-down of N:
 * <ol>
 *   <li>selects N removable nodes of the group with the policy's {@code node_selector_strategy}:
 *       ready and not draining (ineligible ones too, unless {@code node_filter_ignore_ineligible =
 *       false}, as nomad-autoscaler), with an instance id that belongs to the cloud group (when the
 *       cloud can list its instances), and never the node this process runs on
 *       ({@link NodePool#localNodeId});</li>
 *   <li>drains them in parallel, each bounded by {@code node_drain_deadline}; a node whose drain
 *       fails is made eligible again and kept;</li>
 *   <li>terminates exactly the drained nodes' instances (the group's desired size drops by as
 *       many); a drained node whose instance could not be terminated is made eligible again; one whose
 *       termination the cloud accepted but did not confirm ({@link TerminationException#unconfirmed})
 *       may have lost its machine, so it stays ineligible and journaled until the group's next status
 *       asks the cloud ({@link InstanceGroup#instanceIds}, else the node pool): gone, it is purged if
 *       asked; still running, it is made eligible again;</li>
 *   <li>purges the terminated nodes from the scheduler if {@code node_purge} is set.</li>
 * </ol>
 * Selecting happens in the group's {@code scale}; draining, terminating and purging then run in the
 * background (drains last minutes, longer than an engine gives one plug-in call), and its
 * {@code status} reports the group not ready until they finish, so the engine waits instead of
 * deciding on a moving count. How the last scale-in ended is in {@link #lastScaleIn} and in the
 * status meta under {@link #META_LAST_SCALE_IN}.
 *
 * <p>{@link #bind} parses a policy's target block once: the cluster keys into a {@link ClusterConfig}
 * and the rest through the cloud target's own {@code bind}, whose group must be an
 * {@link InstanceTargetGroup} when the block names a node group. The map-taking methods bind and
 * then call the bound group, so both ways run the same code.
 *
 * <p>Each step is written to a {@link ScaleInJournal} before it is taken, under the group's
 * identity: this target's name and the cloud group's {@link TargetGroup#id() id}, never the other
 * attributes, so a policy edited between a crash and the restart (another
 * {@code node_drain_deadline}, say) still finds its entry. If the process dies in between, the next
 * call for that group reconciles: a scale-in that crashed while draining is rolled back (nodes made
 * eligible again), one that crashed after draining is finished (the drained nodes' instances
 * terminated), and a pending purge is done. Scale-up, and scale-down of policies without a node
 * group, go straight to the cloud target. Thread-safe; one scale-in per cloud group at a time, even
 * when several policies name that group with different attributes.
 */
public final class ClusterTarget implements Target, InstanceGroup {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTarget.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Held in {@link #running} while a crashed scale-in is reconciled, so no new one starts meanwhile. */
  private static final List<Member> RECONCILING = List.of();
  /** The name the factories without one give, part of every journal key. */
  static final String DEFAULT_NAME = "cluster";

  /** Meta key of a group's status: why it is not ready, set by the node-pool readiness check. */
  public static final String META_NODES_NOT_READY = "capstan.cluster.nodes_not_ready";
  /** Meta key of a group's status: how the group's last scale-in ended. */
  public static final String META_LAST_SCALE_IN = "capstan.cluster.last_scale_in";

  private final String name;
  private final Target cloud;
  private final NodePool pool;
  private final ScaleInJournal journal;
  private final Executor drainExecutor;
  private final ExecutorService ownedExecutor;
  /** Scale-ins running now, by journal key: at most one per cloud group. */
  private final Map<String, List<Member>> running = new ConcurrentHashMap<>();
  private final Map<String, ScaleInOutcome> outcomes = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ClusterTarget(String name, Target cloud, NodePool pool, ScaleInJournal journal, Executor drainExecutor,
      ExecutorService ownedExecutor) {
    if (!(cloud instanceof InstanceGroup)) {
      throw new IllegalArgumentException(cloud.getClass().getName()
          + " cannot terminate chosen instances (it is not an InstanceGroup), so it cannot back a cluster target");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("a cluster target's name must not be blank");
    }
    this.name = name;
    this.cloud = cloud;
    this.pool = Objects.requireNonNull(pool, "pool");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.drainExecutor = drainExecutor;
    this.ownedExecutor = ownedExecutor;
  }

  /**
   * Wraps a cloud target and a node pool, running scale-ins on a thread pool this target owns and
   * closes. Its journal entries are keyed under the name {@value #DEFAULT_NAME}.
   *
   * @param cloud the cloud target; must also be an {@link InstanceGroup}
   * @param pool the scheduler's nodes
   * @param journal where scale-in steps are recorded; use a durable one in production
   * @return a new cluster target; closing it closes the cloud target and the pool
   * @throws IllegalArgumentException if {@code cloud} is not an {@link InstanceGroup}
   */
  public static ClusterTarget of(Target cloud, NodePool pool, ScaleInJournal journal) {
    return of(DEFAULT_NAME, cloud, pool, journal);
  }

  /**
   * Wraps a cloud target and a node pool, running scale-ins on a thread pool this target owns and
   * closes.
   *
   * @param name this target's name (the agent's target block name), part of every journal key so
   *     that two cluster targets sharing one journal never take each other's entries
   * @param cloud the cloud target; must also be an {@link InstanceGroup}
   * @param pool the scheduler's nodes
   * @param journal where scale-in steps are recorded; use a durable one in production
   * @return a new cluster target; closing it closes the cloud target and the pool
   * @throws IllegalArgumentException if {@code cloud} is not an {@link InstanceGroup} or
   *     {@code name} is blank
   */
  public static ClusterTarget of(String name, Target cloud, NodePool pool, ScaleInJournal journal) {
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "capstan-drain");
      t.setDaemon(true);
      return t;
    });
    try {
      return new ClusterTarget(name, cloud, pool, journal, executor, executor);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /**
   * Wraps a cloud target and a node pool, running scale-ins and their drains on the given executor
   * (tests pass one that runs tasks on the calling thread, which makes {@code scale} synchronous).
   * Its journal entries are keyed under the name {@value #DEFAULT_NAME}.
   *
   * @param cloud the cloud target; must also be an {@link InstanceGroup}
   * @param pool the scheduler's nodes
   * @param journal where scale-in steps are recorded
   * @param drainExecutor runs scale-ins and drains; drains run in parallel only if it is parallel
   * @return a new cluster target; closing it closes the cloud target and the pool
   * @throws IllegalArgumentException if {@code cloud} is not an {@link InstanceGroup}
   */
  public static ClusterTarget of(Target cloud, NodePool pool, ScaleInJournal journal, Executor drainExecutor) {
    return of(DEFAULT_NAME, cloud, pool, journal, drainExecutor);
  }

  /**
   * Wraps a cloud target and a node pool, running scale-ins and their drains on the given executor.
   *
   * @param name this target's name (the agent's target block name), part of every journal key
   * @param cloud the cloud target; must also be an {@link InstanceGroup}
   * @param pool the scheduler's nodes
   * @param journal where scale-in steps are recorded
   * @param drainExecutor runs scale-ins and drains; drains run in parallel only if it is parallel
   * @return a new cluster target; closing it closes the cloud target and the pool
   * @throws IllegalArgumentException if {@code cloud} is not an {@link InstanceGroup} or
   *     {@code name} is blank
   */
  public static ClusterTarget of(String name, Target cloud, NodePool pool, ScaleInJournal journal,
      Executor drainExecutor) {
    return new ClusterTarget(name, cloud, pool, journal, Objects.requireNonNull(drainExecutor, "drainExecutor"), null);
  }

  /**
   * Binds a policy's target block once: parses its cluster keys and binds the cloud target's group.
   * Makes no network call (as long as the cloud target's {@code bind} makes none).
   *
   * @param policyTargetConfig the policy's target attributes
   * @return the bound cluster group, an {@link InstanceTargetGroup}; its {@code id()} is the cloud
   *     group's
   * @throws ConfigException naming every bad cluster value and every problem the cloud target found,
   *     or when the block names a node group but the cloud's group cannot terminate chosen instances
   */
  @Override
  public TargetGroup bind(Map<String, String> policyTargetConfig) {
    ClusterConfig cluster = null;
    TargetGroup cloudGroup = null;
    ConfigException clusterProblem = null;
    try {
      cluster = ClusterConfig.parse(policyTargetConfig);
    } catch (ConfigException e) {
      clusterProblem = e;
    }
    try {
      cloudGroup = cloud.bind(policyTargetConfig);
    } catch (ConfigException e) {
      if (clusterProblem == null) {
        throw e;
      }
      List<String> problems = new ArrayList<>(clusterProblem.problems());
      problems.addAll(e.problems());
      throw new ConfigException("cluster target", problems);
    }
    if (clusterProblem != null) {
      throw clusterProblem;
    }
    if (cluster.namesNodeGroup() && !(cloudGroup instanceof InstanceTargetGroup)) {
      throw new ConfigException("cluster target: " + cluster.describe() + " needs a cloud group that can terminate "
          + "chosen instances, but " + cloud.getClass().getName() + " bound " + cloudGroup.id() + " without that");
    }
    return new ClusterGroup(cloudGroup, cluster, policyTargetConfig);
  }

  /**
   * Reports the cloud group's status; for a node group it is also not ready while any of its nodes
   * is initializing or draining (unless {@code node_ready_check = false}). A scale-in left unfinished
   * by a crash is reconciled first. Binds the configuration first; see {@link #bind}.
   */
  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).status();
  }

  /**
   * Binds every configuration and reads them with one {@link #statusOf}, which keeps the cloud
   * target's batching.
   *
   * @throws TargetException (or the cloud's own exception) if any group could not be read
   */
  @Override
  public List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<TargetGroup> groups = policyTargetConfigs.stream().map(this::bind).toList();
    return GroupStatus.allOrThrow(statusOf(groups));
  }

  /**
   * Reads every group with one {@link Target#statusOf} of the cloud target, so its batching (one
   * AWS describe per 100 groups, one GCE aggregated list per project) is kept, then adds what the
   * node pool says, as a group's {@code status} does; the node pool is listed at most once. Crashed
   * scale-ins are reconciled first; a group whose reconcile fails fails only its own entry.
   *
   * @param groups groups this target bound
   * @return one result per group, in the same order
   * @throws IllegalArgumentException if a group was not bound by this target
   */
  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    List<ClusterGroup> own = groups.stream().map(this::own).toList();
    GroupStatus[] results = new GroupStatus[own.size()];
    List<TargetGroup> toRead = new ArrayList<>(own.size());
    List<Integer> readAt = new ArrayList<>(own.size());
    for (int i = 0; i < own.size(); i++) {
      try {
        // Before the cloud is read: finishing an interrupted scale-in changes the count the engine decides on.
        own.get(i).reconcileIfCluster();
        toRead.add(own.get(i).cloudGroup);
        readAt.add(i);
      } catch (RuntimeException e) {
        results[i] = GroupStatus.failed(e);
      }
    }
    List<GroupStatus> cloudStatuses = toRead.isEmpty() ? List.of() : cloud.statusOf(toRead);
    NodeList nodes = new NodeList();
    for (int j = 0; j < readAt.size(); j++) {
      int i = readAt.get(j);
      GroupStatus read = cloudStatuses.get(j);
      if (read.status().isEmpty()) {
        results[i] = read;
        continue;
      }
      try {
        results[i] = GroupStatus.of(own.get(i).withNodes(read.status().get(), nodes));
      } catch (RuntimeException e) {
        results[i] = GroupStatus.failed(e);
      }
    }
    return List.of(results);
  }

  private ClusterGroup own(TargetGroup group) {
    if (group instanceof ClusterGroup g && g.owner() == this) {
      return g;
    }
    throw new IllegalArgumentException("group " + group.id() + " was not bound by this cluster target");
  }

  /**
   * Returns how the group's last scale-in by this target ended.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return the outcome, empty if none finished yet
   * @throws ConfigException if the attributes do not bind
   */
  public Optional<ScaleInOutcome> lastScaleIn(Map<String, String> policyTargetConfig) {
    return Optional.ofNullable(outcomes.get(own(bind(policyTargetConfig)).key));
  }

  /**
   * Scales the group. For a node group, a scale-down chooses nodes now and drains and terminates
   * them in the background (see the class description); anything else goes to the cloud target. A
   * dry-run changes nothing. Binds the configuration first; see {@link #bind}.
   *
   * @throws TargetException if no node qualifies for removal, or a scale-in of the group is still
   *     running
   */
  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bind(policyTargetConfig).scale(action);
  }

  /**
   * Terminates exactly the given instances in the cloud group, without draining; the cluster flow
   * uses it after draining.
   */
  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    own(bind(policyTargetConfig)).terminate(instanceIds);
  }

  @Override
  public Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    return own(bind(policyTargetConfig)).instanceIds();
  }

  /**
   * Finishes or rolls back a scale-in that a crash interrupted for this group.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return whether there was anything to reconcile
   * @throws ConfigException if the attributes do not bind
   */
  public boolean reconcile(Map<String, String> policyTargetConfig) {
    return own(bind(policyTargetConfig)).reconcile();
  }

  /**
   * Returns the journal key of a group this target bound: its name and the cloud group's id.
   *
   * @param group a group from {@link #bind}
   * @return the key its scale-ins are journaled under
   */
  String journalKey(TargetGroup group) {
    return own(group).key;
  }

  /** The key the first release journaled under: the whole attribute map, which an edit changes. */
  static String legacyJournalKey(Map<String, String> target) {
    return "cluster-scale-in " + new TreeMap<>(target);
  }

  private void scaleIn(ClusterGroup group, int count) {
    ClusterConfig config = group.cluster;
    String key = group.key;
    Candidates candidates = candidates(group);
    List<Node> chosen = config.selector().select(candidates.nodes(), count);
    if (chosen.isEmpty()) {
      throw new TargetException("cannot scale in " + config.describe() + " by " + count + ": no node qualifies for "
          + config.selector().name().toLowerCase(Locale.ROOT) + " among " + candidates.describe());
    }
    List<Member> members = chosen.stream().map(n -> new Member(n.id(), n.instanceId().orElseThrow())).toList();
    if (running.putIfAbsent(key, members) != null) {
      throw new TargetException("a scale-in of " + config.describe() + " is still running");
    }
    try {
      write(key, new Entry(Phase.DRAINING, members, config.purge()));
      drainExecutor.execute(() -> {
        try {
          ScaleInOutcome outcome = drainAndTerminate(group, members);
          outcomes.put(key, outcome);
          LOG.info("scale-in: {}", outcome.describe());
        } catch (RuntimeException e) {
          outcomes.put(key, new ScaleInOutcome(config.describe(), List.of(), failedAll(members, e.toString())));
          LOG.error("scale-in of {} failed: {}", config.describe(), e.toString(), e);
        } finally {
          running.remove(key);
        }
      });
    } catch (RuntimeException | Error e) {
      running.remove(key);
      throw e;
    }
  }

  /**
   * The nodes a scale-in of the group may remove, in the order the rules apply: of the group (class,
   * datacenter, pool); in a removable state ({@link ClusterConfig#removable}); not the node this
   * process runs on; with an instance id; whose instance belongs to the cloud group, when the cloud
   * can list its instances (a node of the same class in another group is never drained for nothing).
   */
  private Candidates candidates(ClusterGroup group) {
    ClusterConfig config = group.cluster;
    Optional<String> self = pool.localNodeId();
    Optional<List<String>> listed = group.instanceIds();
    Set<String> members = listed.<Set<String>>map(HashSet::new).orElse(null);
    List<Node> out = new ArrayList<>();
    Map<String, Integer> left = new LinkedHashMap<>();
    for (Node n : pool.nodes()) {
      if (!config.matches(n)) {
        continue;
      }
      String why = null;
      if (!config.removable(n)) {
        why = "not ready, draining or ineligible";
      } else if (self.isPresent() && self.get().equals(n.id())) {
        why = "the node this agent runs on";
      } else if (n.instanceId().isEmpty()) {
        why = "without an instance id";
      } else if (members != null && !members.contains(n.instanceId().get())) {
        why = "whose instance is not in " + group.cloudGroup.id();
      }
      if (why == null) {
        out.add(n);
      } else {
        left.merge(why, 1, Integer::sum);
      }
    }
    return new Candidates(out, left);
  }

  /** The candidates of a scale-in, and how many nodes of the group were left out for each reason. */
  private record Candidates(List<Node> nodes, Map<String, Integer> leftOut) {
    String describe() {
      StringBuilder sb = new StringBuilder().append(nodes.size()).append(" removable node")
          .append(nodes.size() == 1 ? "" : "s");
      if (!leftOut.isEmpty()) {
        sb.append(" (left out: ").append(leftOut.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", "))).append(')');
      }
      return sb.toString();
    }
  }

  private ScaleInOutcome drainAndTerminate(ClusterGroup group, List<Member> members) {
    ClusterConfig config = group.cluster;
    String key = group.key;
    Map<Member, String> drainFailures = drainAll(members, config.drain());
    abandonIfClosed(config, "draining");
    List<Member> drained = members.stream().filter(m -> !drainFailures.containsKey(m)).toList();
    drainFailures.keySet().forEach(this::makeEligible);
    if (drained.isEmpty()) {
      journal.remove(key);
      return outcome(config, List.of(), drainFailures);
    }
    write(key, new Entry(Phase.DRAINED, drained, config.purge()));

    Map<Member, String> unconfirmed = new LinkedHashMap<>();
    Map<Member, String> terminateFailures = terminateAll(group, drained, unconfirmed);
    abandonIfClosed(config, "terminating");
    List<Member> terminated = drained.stream()
        .filter(m -> !terminateFailures.containsKey(m) && !unconfirmed.containsKey(m)).toList();
    terminateFailures.keySet().forEach(this::makeEligible);
    write(key, new Entry(Phase.TERMINATED, terminated, config.purge()));
    if (config.purge()) {
      purgeAll(terminated);
    }
    finishOrKeepUnconfirmed(group, unconfirmed);

    Map<Member, String> kept = new LinkedHashMap<>(drainFailures);
    kept.putAll(terminateFailures);
    return outcome(config, terminated, kept, unconfirmed);
  }

  /**
   * Ends a scale-in's journal entry, unless the cloud left some terminations unconfirmed: their
   * nodes may have lost their machines, so they stay drained and ineligible, journaled as
   * {@link Phase#UNCONFIRMED}, until the group's next status looks at the cloud's instances again.
   */
  private void finishOrKeepUnconfirmed(ClusterGroup group, Map<Member, String> unconfirmed) {
    if (unconfirmed.isEmpty()) {
      journal.remove(group.key);
      return;
    }
    LOG.warn("scale-in of {}: the cloud accepted but did not confirm terminating {}; those nodes stay ineligible "
        + "until the next status reconciles them", group.cluster.describe(), unconfirmed);
    write(group.key, new Entry(Phase.UNCONFIRMED, List.copyOf(unconfirmed.keySet()), group.cluster.purge()));
  }

  /**
   * Stops a scale-in that {@link #close} interrupted before it acts on what the interrupt made of its
   * step: its failures are not the nodes' doing, and the pool is closing. The journal keeps the step,
   * so the next start finishes or rolls it back.
   */
  private void abandonIfClosed(ClusterConfig config, String step) {
    if (closed) {
      throw new TargetException("the scale-in of " + config.describe() + " was abandoned while " + step
          + " because the target was closed; the next start reconciles it");
    }
  }

  private static ScaleInOutcome outcome(ClusterConfig config, List<Member> removed, Map<Member, String> kept) {
    return outcome(config, removed, kept, Map.of());
  }

  private static ScaleInOutcome outcome(ClusterConfig config, List<Member> removed, Map<Member, String> kept,
      Map<Member, String> unconfirmed) {
    return new ScaleInOutcome(config.describe(), removed.stream().map(Member::node).toList(), byNode(kept),
        byNode(unconfirmed));
  }

  private static Map<String, String> byNode(Map<Member, String> reasons) {
    Map<String, String> out = new LinkedHashMap<>();
    reasons.forEach((m, reason) -> out.put(m.node() + " (" + m.instance() + ")", reason));
    return out;
  }

  private static Map<String, String> failedAll(List<Member> members, String reason) {
    Map<String, String> kept = new LinkedHashMap<>();
    members.forEach(m -> kept.put(m.node() + " (" + m.instance() + ")", reason));
    return kept;
  }

  private Map<Member, String> drainAll(List<Member> members, DrainSpec spec) {
    Map<Member, FutureTask<Void>> drains = new LinkedHashMap<>();
    for (Member m : members) {
      FutureTask<Void> drain = new FutureTask<>(() -> pool.drain(m.node(), spec), null);
      drains.put(m, drain);
      drainExecutor.execute(drain);
    }
    Map<Member, String> failures = new LinkedHashMap<>();
    drains.forEach((m, drain) -> {
      try {
        // A drain still queued runs here: this scale-in holds one of the executor's threads, so with
        // a bounded executor (a single thread, say) waiting for queued drains would never end.
        drain.run();
        drain.get();
      } catch (ExecutionException e) {
        failures.put(m, "drain failed: " + e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.put(m, "interrupted while draining");
      }
    });
    return failures;
  }

  /**
   * Terminates the drained members' instances; returns those that failed (they still run) and puts
   * those the cloud accepted but did not confirm in {@code unconfirmed} (they may be gone).
   */
  private static Map<Member, String> terminateAll(ClusterGroup group, List<Member> drained,
      Map<Member, String> unconfirmed) {
    Map<Member, String> failures = new LinkedHashMap<>();
    try {
      group.terminate(drained.stream().map(Member::instance).toList());
    } catch (TerminationException e) {
      for (Member m : drained) {
        String reason = e.failed().get(m.instance());
        if (reason != null) {
          failures.put(m, "terminate failed: " + reason);
        }
        String pending = e.unconfirmed().get(m.instance());
        if (pending != null) {
          unconfirmed.put(m, "terminate unconfirmed: " + pending);
        }
      }
    } catch (RuntimeException e) {
      for (Member m : drained) {
        failures.put(m, "terminate failed: " + e.getMessage());
      }
    }
    return failures;
  }

  private void purgeAll(List<Member> members) {
    for (Member m : members) {
      try {
        pool.purge(m.node());
      } catch (RuntimeException e) {
        // The machine is already gone; a failed purge only leaves a dead record, which the next
        // reconcile or an operator can remove. It must not undo the scale-in.
        LOG.warn("could not purge node {} after terminating {}: {}", m.node(), m.instance(), e.getMessage());
      }
    }
  }

  private void makeEligible(Member m) {
    try {
      pool.setEligibility(m.node(), true);
    } catch (RuntimeException e) {
      LOG.warn("could not make node {} eligible again: {}", m.node(), e.getMessage());
    }
  }

  private boolean reconcileClaimed(ClusterGroup group) {
    String key = group.key;
    Optional<String> pending = journal.read(key);
    if (pending.isEmpty() && !group.legacyChecked) {
      // An entry the first release wrote under the whole attribute map: looked for once per bound
      // group, so an upgrade across a crash still finishes or rolls back that scale-in.
      group.legacyChecked = true;
      key = group.legacyKey;
      pending = journal.read(key);
    }
    if (pending.isEmpty()) {
      return false;
    }
    Entry entry = read(key, pending.get());
    LOG.warn("reconciling a scale-in of {} interrupted after its {} step: {}", group.cluster.describe(),
        entry.phase().name().toLowerCase(Locale.ROOT), entry.members());
    switch (entry.phase()) {
      case DRAINING -> entry.members().forEach(this::makeEligible);
      case DRAINED -> {
        List<Member> stillRunning = stillRunning(group, entry.members());
        List<Member> terminated = new ArrayList<>(entry.members());
        Map<Member, String> unconfirmed = new LinkedHashMap<>();
        if (!stillRunning.isEmpty()) {
          Map<Member, String> failures = terminateAll(group, stillRunning, unconfirmed);
          failures.keySet().forEach(this::makeEligible);
          terminated.removeAll(failures.keySet());
          terminated.removeAll(unconfirmed.keySet());
        }
        if (entry.purge()) {
          purgeAll(terminated);
        }
        if (!unconfirmed.isEmpty()) {
          finishOrKeepUnconfirmed(group, unconfirmed);
          return true;
        }
      }
      case UNCONFIRMED -> {
        // The cloud accepted these terminations without confirming them: look at its instances now.
        // Gone (or going): the scale-in happened, purge if asked. Still running: it did not, so
        // the node may take work again.
        List<Member> stillRunning = stillRunning(group, entry.members());
        stillRunning.forEach(this::makeEligible);
        List<Member> gone = entry.members().stream().filter(m -> !stillRunning.contains(m)).toList();
        if (entry.purge()) {
          purgeAll(gone);
        }
        LOG.info("reconciled unconfirmed terminations of {}: gone {}, still running (eligible again) {}",
            group.cluster.describe(), gone, stillRunning);
      }
      case TERMINATED -> {
        if (entry.purge()) {
          purgeAll(entry.members());
        }
      }
    }
    journal.remove(key);
    return true;
  }

  /**
   * Returns the members whose instances still run: from the cloud's own list where it offers one,
   * else from the scheduler (a node that is gone or down has lost its machine).
   */
  private List<Member> stillRunning(ClusterGroup group, List<Member> members) {
    Optional<List<String>> live = group.instanceIds();
    if (live.isPresent()) {
      return members.stream().filter(m -> live.get().contains(m.instance())).toList();
    }
    Map<String, Node> nodes = pool.nodes().stream().collect(Collectors.toMap(Node::id, n -> n, (a, b) -> a));
    return members.stream()
        .filter(m -> nodes.containsKey(m.node()) && nodes.get(m.node()).status() != NodeStatus.DOWN)
        .toList();
  }

  private void write(String key, Entry entry) {
    try {
      journal.write(key, JSON.writeValueAsString(entry));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not encode a scale-in journal entry", e);
    }
  }

  private static Entry read(String key, String text) {
    try {
      return JSON.readValue(text, Entry.class);
    } catch (JsonProcessingException e) {
      throw new TargetException("the scale-in journal entry for " + key + " is unreadable: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    try {
      pool.close();
    } finally {
      cloud.close();
    }
  }

  /**
   * One policy's target block, bound: the cloud's group and the parsed cluster keys. Its state
   * (running scale-in, last outcome, journal entry) lives in the target under {@link #key}, so every
   * binding of the same cloud group shares it.
   */
  private final class ClusterGroup implements InstanceTargetGroup {
    final TargetGroup cloudGroup;
    final ClusterConfig cluster;
    final String key;
    final String legacyKey;
    /** Whether {@link #legacyKey} was looked up; racing reads of it are harmless (the claim serializes them). */
    volatile boolean legacyChecked;

    ClusterGroup(TargetGroup cloudGroup, ClusterConfig cluster, Map<String, String> config) {
      this.cloudGroup = cloudGroup;
      this.cluster = cluster;
      this.key = "cluster-scale-in " + name + " " + cloudGroup.id();
      this.legacyKey = legacyJournalKey(config);
    }

    ClusterTarget owner() {
      return ClusterTarget.this;
    }

    @Override
    public String id() {
      return cloudGroup.id();
    }

    /**
     * Reports the cloud group's status; for a node group it is also not ready while any of its
     * nodes is initializing or draining (unless {@code node_ready_check = false}). A scale-in left
     * unfinished by a crash is reconciled first.
     */
    @Override
    public TargetStatus status() {
      reconcileIfCluster();
      return withNodes(cloudGroup.status(), new NodeList());
    }

    @Override
    public void scale(ScalingAction action) {
      if (action.dryRun()) {
        return;
      }
      if (action.direction() != Direction.DOWN || !cluster.namesNodeGroup()) {
        cloudGroup.scale(action);
        return;
      }
      reconcile();
      long remove = cloudGroup.status().count() - action.count();
      if (remove > 0) {
        scaleIn(this, (int) Math.min(remove, Integer.MAX_VALUE));
      }
    }

    @Override
    public void terminate(List<String> instanceIds) {
      instances().terminate(instanceIds);
    }

    @Override
    public Optional<List<String>> instanceIds() {
      return instances().instanceIds();
    }

    private InstanceTargetGroup instances() {
      if (cloudGroup instanceof InstanceTargetGroup instances) {
        return instances;
      }
      throw new TargetException("group " + cloudGroup.id() + " cannot terminate chosen instances");
    }

    void reconcileIfCluster() {
      if (cluster.namesNodeGroup()) {
        reconcile();
      }
    }

    boolean reconcile() {
      // Claimed, not just checked: a scale-in starting between a check and the journal read would
      // otherwise be taken for a crashed one and rolled back while it drains.
      if (running.putIfAbsent(key, RECONCILING) != null) {
        return false; // the journal entry belongs to a scale-in this target is running now
      }
      try {
        return reconcileClaimed(this);
      } finally {
        running.remove(key, RECONCILING);
      }
    }

    TargetStatus withNodes(TargetStatus status, NodeList nodes) {
      if (!cluster.namesNodeGroup()) {
        return status;
      }
      Map<String, String> meta = new HashMap<>(status.meta());
      ScaleInOutcome last = outcomes.get(key);
      if (last != null) {
        meta.put(META_LAST_SCALE_IN, last.describe());
      }
      List<Member> inFlight = running.get(key);
      String notReady = null;
      if (inFlight == RECONCILING) {
        notReady = "an interrupted scale-in of " + cluster.describe() + " is being reconciled";
      } else if (inFlight != null) {
        notReady = "a scale-in of " + cluster.describe() + " is in progress: "
            + inFlight.stream().map(Member::node).collect(Collectors.joining(", "));
      } else if (cluster.readyCheck() && status.ready()) {
        List<String> busy = nodes.get().stream()
            .filter(cluster::matches)
            .flatMap(n -> cluster.unsettled(n).map(why -> n.id() + " (" + why + ")").stream())
            .sorted()
            .toList();
        if (!busy.isEmpty()) {
          notReady = "nodes of " + cluster.describe() + " are not ready: " + String.join(", ", busy);
          meta.put(META_NODES_NOT_READY, notReady);
        }
      }
      if (notReady == null) {
        return new TargetStatus(status.ready(), status.count(), meta);
      }
      meta.put(TargetStatus.META_NOT_READY_REASON, notReady);
      return new TargetStatus(false, status.count(), meta);
    }

    @Override
    public String toString() {
      return "cluster " + name + " " + cloudGroup.id() + (cluster.namesNodeGroup() ? " (" + cluster.describe() + ")" : "");
    }
  }

  /**
   * The node pool's list, read at most once per status read however many groups need it; a failed
   * read fails every group that needs it without asking the pool again. Not thread-safe: one per read.
   */
  private final class NodeList {
    private List<Node> nodes;
    private RuntimeException failure;

    List<Node> get() {
      if (failure != null) {
        throw failure;
      }
      if (nodes == null) {
        try {
          nodes = pool.nodes();
        } catch (RuntimeException e) {
          failure = e;
          throw e;
        }
      }
      return nodes;
    }
  }

  /**
   * The step a journaled scale-in last started; {@code UNCONFIRMED} holds drained members whose
   * termination the cloud accepted but did not confirm, kept ineligible until reconciled.
   */
  enum Phase { DRAINING, DRAINED, TERMINATED, UNCONFIRMED }

  /** A chosen node and its instance. */
  record Member(String node, String instance) {}

  /** One journal entry. */
  record Entry(Phase phase, List<Member> members, boolean purge) {}
}
