package dev.capstan.cluster;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A scheduler node, as a {@link NodePool} lists it.
 *
 * @param id the scheduler's node id
 * @param instanceId the cloud instance id behind the node, empty when unknown (such nodes are never
 *     chosen for termination)
 * @param nodeClass the node class, e.g. {@code "hashistack"}; empty when none
 * @param datacenter the datacenter
 * @param pool the scheduler's node pool, e.g. {@code "default"}
 * @param status the node's status
 * @param eligible whether the scheduler may place new work on it
 * @param draining whether a drain is in progress
 * @param createIndex the scheduler's creation index, higher for newer nodes
 * @param allocations the work placed on it
 * @param allocated resources reserved by its allocations
 * @param total resources it offers
 */
public record Node(String id, Optional<String> instanceId, String nodeClass, String datacenter, String pool,
    NodeStatus status, boolean eligible, boolean draining, long createIndex, List<Allocation> allocations,
    Resources allocated, Resources total) {

  /**
   * Checks for nulls and copies the allocations.
   *
   * @param id the scheduler's node id
   * @param instanceId the cloud instance id behind the node, empty when unknown (such nodes are never chosen for termination)
   * @param nodeClass the node class, e.g. {@code "hashistack"}; empty when none
   * @param datacenter the datacenter
   * @param pool the scheduler's node pool, e.g. {@code "default"}
   * @param status the node's status
   * @param eligible whether the scheduler may place new work on it
   * @param draining whether a drain is in progress
   * @param createIndex the scheduler's creation index, higher for newer nodes
   * @param allocations the work placed on it
   * @param allocated resources reserved by its allocations
   * @param total resources it offers
   * @throws NullPointerException if any reference field is null
   */
  public Node {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(nodeClass, "nodeClass");
    Objects.requireNonNull(datacenter, "datacenter");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(status, "status");
    allocations = List.copyOf(allocations);
    Objects.requireNonNull(allocated, "allocated");
    Objects.requireNonNull(total, "total");
  }

  /**
   * Returns whether the node runs no live work at all.
   *
   * @return {@code true} if every allocation is terminal
   */
  public boolean isEmpty() {
    return allocations.stream().allMatch(Allocation::terminal);
  }

  /**
   * Returns whether the node runs no live work other than system jobs.
   *
   * @return {@code true} if every live allocation belongs to a system job
   */
  public boolean isEmptyIgnoringSystemJobs() {
    return allocations.stream().allMatch(a -> a.terminal() || a.systemJob());
  }

  /**
   * Returns how busy the node is: the allocated share of CPU plus the allocated share of memory,
   * each in [0, 1] (so the sum is in [0, 2]); a resource the node does not offer counts as 0.
   *
   * @return the combined utilization
   */
  public double utilization() {
    return share(allocated.cpuMhz(), total.cpuMhz()) + share(allocated.memoryMb(), total.memoryMb());
  }

  private static double share(long used, long offered) {
    return offered <= 0 ? 0 : Math.min(1.0, (double) used / offered);
  }
}
