package dev.capstan.testkit;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Target} and {@link InstanceGroup} that keeps groups in memory, for tests and the
 * simulator.
 *
 * <p>A policy names its group with the target attribute {@value #GROUP_KEY} (default
 * {@value #DEFAULT_GROUP}); the cluster keys ({@link InstanceGroup#CLUSTER_KEYS}) are accepted, any
 * other key is rejected by {@link #bind}, which records no call, so a group need not exist to be bound.
 * Each group has a count, a readiness flag and instance ids
 * ({@code <group>-1}, {@code <group>-2}, ...). Every call is recorded in {@link #calls()}; failures
 * and hangs can be injected per operation; the highest number of scale calls in flight at once on
 * one group is tracked so tests can assert that an engine never overlaps them. Thread-safe.
 */
public final class InMemoryTarget implements Target, InstanceGroup {
  /** The policy target attribute that names the group. */
  public static final String GROUP_KEY = "group";
  /** The group used when a policy names none. */
  public static final String DEFAULT_GROUP = "default";

  /** The operations a test can fail or hang. */
  public enum Operation {
    /** {@link InMemoryTarget#status}. */
    STATUS,
    /** {@link InMemoryTarget#scale}. */
    SCALE,
    /** {@link InMemoryTarget#terminate}. */
    TERMINATE
  }

  /**
   * One recorded call.
   *
   * @param operation which method was called
   * @param group the group it named
   * @param action the action, for {@link Operation#SCALE}; otherwise null
   * @param instanceIds the ids, for {@link Operation#TERMINATE}; otherwise empty
   */
  public record Call(Operation operation, String group, ScalingAction action, List<String> instanceIds) {
    /**
     * Copies the ids.
     *
     * @param operation which method was called
     * @param group the group it named
     * @param action the action, for {@link Operation#SCALE}; otherwise null
     * @param instanceIds the ids, for {@link Operation#TERMINATE}; otherwise empty
     */
    public Call {
      instanceIds = List.copyOf(instanceIds);
    }
  }

  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<Operation, RuntimeException> failures = new ConcurrentHashMap<>();
  private final Map<Operation, CountDownLatch> hangs = new ConcurrentHashMap<>();
  private final Map<String, String> terminateFailures = new ConcurrentHashMap<>();
  /** Instance id to {reason, whether it is removed anyway} for terminations left unconfirmed. */
  private final Map<String, Object[]> unconfirmedTerminations = new ConcurrentHashMap<>();
  private final AtomicInteger maxConcurrentScales = new AtomicInteger();
  private volatile boolean closed;

  private static final class Group {
    final String name;
    final List<String> instances = new ArrayList<>();
    int nextId = 1;
    boolean ready = true;
    final AtomicInteger inFlight = new AtomicInteger();

    Group(String name) {
      this.name = name;
    }

    synchronized void resize(long count) {
      while (instances.size() < count) {
        instances.add(name + "-" + nextId++);
      }
      while (instances.size() > count) {
        instances.remove(instances.size() - 1);
      }
    }
  }

  /**
   * Creates a target holding the {@value #DEFAULT_GROUP} group at {@code count}.
   *
   * @param count the initial count
   * @return a new target
   */
  public static InMemoryTarget withCount(long count) {
    InMemoryTarget target = new InMemoryTarget();
    target.setCount(DEFAULT_GROUP, count);
    return target;
  }

  /**
   * Creates or resizes a group, keeping the ids of instances that stay.
   *
   * @param group the group's name
   * @param count the new count, at least 0
   */
  public void setCount(String group, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be at least 0, but was " + count);
    }
    groups.computeIfAbsent(group, Group::new).resize(count);
  }

  /**
   * Marks a group ready or not ready.
   *
   * @param group the group's name; it must exist
   * @param ready the readiness {@link #status} reports
   */
  public void setReady(String group, boolean ready) {
    group(group).ready = ready;
  }

  /**
   * Returns a group's count.
   *
   * @param group the group's name; it must exist
   * @return its current count
   */
  public long count(String group) {
    Group g = group(group);
    synchronized (g) {
      return g.instances.size();
    }
  }

  /**
   * Returns the count of the {@value #DEFAULT_GROUP} group.
   *
   * @return its current count
   */
  public long count() {
    return count(DEFAULT_GROUP);
  }

  /**
   * Returns a group's instance ids, oldest first.
   *
   * @param group the group's name; it must exist
   * @return an immutable copy
   */
  public List<String> instances(String group) {
    Group g = group(group);
    synchronized (g) {
      return List.copyOf(g.instances);
    }
  }

  /**
   * Makes the next call of {@code operation} throw {@code failure} (once).
   *
   * @param operation the operation to fail
   * @param failure what it throws
   */
  public void failNext(Operation operation, RuntimeException failure) {
    failures.put(operation, Objects.requireNonNull(failure));
  }

  /**
   * Makes the next call of {@code operation} block until the returned latch is counted down (once).
   *
   * @param operation the operation to hang
   * @return the latch that releases it
   */
  public CountDownLatch hangNext(Operation operation) {
    CountDownLatch latch = new CountDownLatch(1);
    hangs.put(operation, latch);
    return latch;
  }

  /**
   * Makes {@link #terminate} fail to remove {@code instanceId}, reporting {@code reason}.
   *
   * @param instanceId the instance that will resist termination
   * @param reason the reason given in the {@link TerminationException}
   */
  public void refuseToTerminate(String instanceId, String reason) {
    terminateFailures.put(instanceId, reason);
  }

  /**
   * Makes {@link #terminate} accept {@code instanceId} without confirming it, as a cloud whose
   * activity timed out does: it is reported under {@link TerminationException#unconfirmed}, and is
   * removed from the group or not as {@code removedAnyway} says.
   *
   * @param instanceId the instance whose termination will not be confirmed
   * @param reason the reason given in the {@link TerminationException}
   * @param removedAnyway whether the instance is gone afterwards (what a later
   *     {@link #instanceIds} shows)
   */
  public void leaveTerminationUnconfirmed(String instanceId, String reason, boolean removedAnyway) {
    unconfirmedTerminations.put(instanceId, new Object[] {reason, removedAnyway});
  }

  /**
   * Returns every call made, in order.
   *
   * @return an immutable copy
   */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /**
   * Returns the scale calls made, in order.
   *
   * @return the actions passed to {@link #scale}
   */
  public List<ScalingAction> scaleActions() {
    List<ScalingAction> actions = new ArrayList<>();
    for (Call call : calls) {
      if (call.operation() == Operation.SCALE) {
        actions.add(call.action());
      }
    }
    return actions;
  }

  /**
   * Returns the most scale or terminate calls that were ever in flight at once on one group.
   *
   * @return 0 if none was made, 1 if they never overlapped
   */
  public int maxConcurrentScales() {
    return maxConcurrentScales.get();
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Binds a policy's target block: {@value #GROUP_KEY} names the group (default
   * {@value #DEFAULT_GROUP}); records no call.
   *
   * @param policyTargetConfig the policy's target attributes
   * @return the bound group; it need not exist yet
   * @throws ConfigException if {@value #GROUP_KEY} is blank or a key is unknown
   */
  @Override
  public BoundGroup bind(Map<String, String> policyTargetConfig) {
    ConfigReader r = ConfigReader.of(policyTargetConfig, "in-memory target");
    String name = r.string(GROUP_KEY, DEFAULT_GROUP);
    r.allow(InstanceGroup.CLUSTER_KEYS.toArray(String[]::new));
    r.rejectUnknownKeys();
    r.validate();
    return new BoundGroup(this, name);
  }

  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).status();
  }

  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bind(policyTargetConfig).scale(action);
  }

  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    bind(policyTargetConfig).terminate(instanceIds);
  }

  @Override
  public Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).instanceIds();
  }

  /**
   * One group of an {@link InMemoryTarget}, as {@link InMemoryTarget#bind} returns it. Its calls are
   * recorded in the target's {@link InMemoryTarget#calls()}.
   */
  public static final class BoundGroup implements InstanceTargetGroup {
    private final InMemoryTarget target;
    private final String name;

    private BoundGroup(InMemoryTarget target, String name) {
      this.target = target;
      this.name = name;
    }

    /**
     * Returns the name of the group this binds.
     *
     * @return the {@value InMemoryTarget#GROUP_KEY} attribute, or {@value InMemoryTarget#DEFAULT_GROUP}
     */
    public String name() {
      return name;
    }

    /**
     * Returns {@code in-memory:<group>}.
     *
     * @return the id
     */
    @Override
    public String id() {
      return "in-memory:" + name;
    }

    @Override
    public TargetStatus status() {
      return target.statusOf(name);
    }

    @Override
    public void scale(ScalingAction action) {
      target.scaleGroup(name, action);
    }

    @Override
    public void terminate(List<String> instanceIds) {
      target.terminateIn(name, instanceIds);
    }

    @Override
    public Optional<List<String>> instanceIds() {
      return Optional.of(target.instances(name));
    }

    @Override
    public String toString() {
      return id();
    }
  }

  private TargetStatus statusOf(String name) {
    Group g = group(name);
    calls.add(new Call(Operation.STATUS, g.name, null, List.of()));
    interfere(Operation.STATUS);
    synchronized (g) {
      Map<String, String> meta = g.ready ? Map.of() : Map.of(TargetStatus.META_NOT_READY_REASON, "marked not ready by the test");
      return new TargetStatus(g.ready, g.instances.size(), meta);
    }
  }

  private void scaleGroup(String name, ScalingAction action) {
    Group g = group(name);
    calls.add(new Call(Operation.SCALE, g.name, action, List.of()));
    enter(g);
    try {
      interfere(Operation.SCALE);
      if (!action.dryRun()) {
        g.resize(action.count());
      }
    } finally {
      g.inFlight.decrementAndGet();
    }
  }

  private void terminateIn(String name, List<String> instanceIds) {
    Group g = group(name);
    calls.add(new Call(Operation.TERMINATE, g.name, null, instanceIds));
    enter(g);
    try {
      interfere(Operation.TERMINATE);
      List<String> done = new ArrayList<>();
      Map<String, String> failed = new LinkedHashMap<>();
      Map<String, String> unconfirmed = new LinkedHashMap<>();
      synchronized (g) {
        for (String id : instanceIds) {
          String refusal = terminateFailures.get(id);
          Object[] pending = unconfirmedTerminations.get(id);
          if (refusal != null) {
            failed.put(id, refusal);
          } else if (pending != null) {
            unconfirmed.put(id, (String) pending[0]);
            if ((Boolean) pending[1]) {
              g.instances.remove(id);
            }
          } else if (g.instances.remove(id)) {
            done.add(id);
          } else {
            failed.put(id, "no such instance in group " + g.name);
          }
        }
      }
      if (!failed.isEmpty() || !unconfirmed.isEmpty()) {
        throw new TerminationException(g.name, done, failed, unconfirmed);
      }
    } finally {
      g.inFlight.decrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  private void enter(Group g) {
    int now = g.inFlight.incrementAndGet();
    maxConcurrentScales.accumulateAndGet(now, Math::max);
  }

  private void interfere(Operation operation) {
    CountDownLatch hang = hangs.remove(operation);
    if (hang != null) {
      try {
        hang.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TargetException("interrupted while hanging in " + operation, e);
      }
    }
    RuntimeException failure = failures.remove(operation);
    if (failure != null) {
      throw failure;
    }
  }

  private Group group(String name) {
    Group g = groups.get(name);
    if (g == null) {
      throw new TargetException("in-memory group '" + name + "' does not exist; known groups: " + groups.keySet());
    }
    return g;
  }
}
