package dev.capstan.testkit;

import dev.capstan.cluster.Allocation;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolException;
import dev.capstan.cluster.NodeStatus;
import dev.capstan.cluster.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link NodePool} kept in memory, for tests and the simulator. A drain moves live work off the
 * node at once (keeping system jobs when asked), unless a failure was injected for that node. Every
 * call is recorded as text, e.g. {@code "drain n1"}, {@code "eligible n1 true"}, {@code "purge n1"}.
 * Thread-safe.
 */
public final class InMemoryNodePool implements NodePool {
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<String, String> drainFailures = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private volatile Optional<String> localNode = Optional.empty();

  /**
   * Adds or replaces a node.
   *
   * @param node the node
   * @return this pool
   */
  public synchronized InMemoryNodePool put(Node node) {
    nodes.put(node.id(), node);
    return this;
  }

  /**
   * Adds a ready, eligible node with the given work, 1000 MHz and 1024 MiB in total.
   *
   * @param id the node id
   * @param instanceId the cloud instance behind it
   * @param nodeClass its class
   * @param createIndex its creation index
   * @param cpuMhz allocated CPU
   * @param allocations its allocations
   * @return this pool
   */
  public InMemoryNodePool ready(String id, String instanceId, String nodeClass, long createIndex, long cpuMhz,
      Allocation... allocations) {
    return put(new Node(id, Optional.of(instanceId), nodeClass, "dc1", "default", NodeStatus.READY, true, false,
        createIndex, List.of(allocations), new Resources(cpuMhz, 0), new Resources(1000, 1024)));
  }

  /**
   * Declares the node this process runs on, which {@link #localNodeId} reports and scale-in never
   * chooses.
   *
   * @param nodeId the node
   * @return this pool
   */
  public InMemoryNodePool local(String nodeId) {
    localNode = Optional.of(nodeId);
    return this;
  }

  /**
   * Returns the node {@link #local} declared, empty by default.
   *
   * @return the node id, if declared
   */
  @Override
  public Optional<String> localNodeId() {
    return localNode;
  }

  /**
   * Makes the next drain of {@code nodeId} fail with {@code reason}.
   *
   * @param nodeId the node
   * @param reason the message of the {@link NodePoolException}
   */
  public void failDrain(String nodeId, String reason) {
    drainFailures.put(nodeId, reason);
  }

  /**
   * Returns a node by id.
   *
   * @param id the node id
   * @return the node, empty if unknown (or purged)
   */
  public synchronized Optional<Node> node(String id) {
    return Optional.ofNullable(nodes.get(id));
  }

  /**
   * Returns every call made, in order.
   *
   * @return an immutable copy
   */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  @Override
  public void drain(String nodeId, DrainSpec spec) {
    calls.add("drain " + nodeId);
    String failure = drainFailures.remove(nodeId);
    synchronized (this) {
      Node n = require(nodeId);
      if (failure != null) {
        nodes.put(nodeId, with(n, false, true, n.allocations()));
        throw new NodePoolException("drain of node " + nodeId + " failed: " + failure);
      }
      List<Allocation> left = new ArrayList<>();
      for (Allocation a : n.allocations()) {
        if (spec.ignoreSystemJobs() && a.systemJob() && !a.terminal()) {
          left.add(a);
        }
      }
      nodes.put(nodeId, with(n, false, false, left));
    }
  }

  @Override
  public synchronized void setEligibility(String nodeId, boolean eligible) {
    calls.add("eligible " + nodeId + " " + eligible);
    Node n = require(nodeId);
    nodes.put(nodeId, with(n, eligible, false, n.allocations()));
  }

  @Override
  public synchronized void purge(String nodeId) {
    calls.add("purge " + nodeId);
    require(nodeId);
    nodes.remove(nodeId);
  }

  @Override
  public void close() {
    closed = true;
  }

  private Node require(String nodeId) {
    Node n = nodes.get(nodeId);
    if (n == null) {
      throw new NodePoolException("node " + nodeId + " does not exist");
    }
    return n;
  }

  private static Node with(Node n, boolean eligible, boolean draining, List<Allocation> allocations) {
    return new Node(n.id(), n.instanceId(), n.nodeClass(), n.datacenter(), n.pool(), n.status(), eligible, draining,
        n.createIndex(), allocations, allocations.isEmpty() ? Resources.NONE : n.allocated(), n.total());
  }
}
