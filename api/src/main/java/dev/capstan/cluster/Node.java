package dev.capstan.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A scheduler node, as a {@link NodePool} lists it.
 *
 * <p>Build one with {@link #builder()}, which names every field and fills the rest with defaults;
 * {@link #toBuilder()} copies a node to change a field (e.g. the same node, now draining).
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
   * The {@code node_class} value that selects the nodes without a class: nomad-autoscaler's
   * {@code autoscaler-default-pool}, kept so its policies work unchanged.
   */
  public static final String DEFAULT_CLASS_POOL = "autoscaler-default-pool";

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

  /**
   * Starts a node: {@code id} is required; the defaults are no instance id, no node class, no
   * datacenter, pool {@code "default"}, {@link NodeStatus#READY}, eligible, not draining, create
   * index 0, no allocations and no resources.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a builder holding every field of this node.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder().id(id).nodeClass(nodeClass).datacenter(datacenter).pool(pool).status(status)
        .eligible(eligible).draining(draining).createIndex(createIndex).allocations(allocations)
        .allocated(allocated).total(total);
    b.instanceId = instanceId;
    return b;
  }

  /** Builds a {@link Node} field by field; not thread-safe. */
  public static final class Builder {
    private @Nullable String id;
    private Optional<String> instanceId = Optional.empty();
    private String nodeClass = "";
    private String datacenter = "";
    private String pool = "default";
    private NodeStatus status = NodeStatus.READY;
    private boolean eligible = true;
    private boolean draining;
    private long createIndex;
    private final List<Allocation> allocations = new ArrayList<>();
    private Resources allocated = new Resources(0, 0);
    private Resources total = new Resources(0, 0);

    private Builder() {}

    /**
     * Sets the scheduler's node id (required).
     *
     * @param id the node id
     * @return this builder
     */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Sets the cloud instance id behind the node (default: unknown, so it is never terminated).
     *
     * @param instanceId the instance id, e.g. {@code "i-0abc"}
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = Optional.of(instanceId);
      return this;
    }

    /**
     * Sets the node class (default none, {@code ""}).
     *
     * @param nodeClass the node class, e.g. {@code "hashistack"}
     * @return this builder
     */
    public Builder nodeClass(String nodeClass) {
      this.nodeClass = Objects.requireNonNull(nodeClass, "nodeClass");
      return this;
    }

    /**
     * Sets the datacenter (default {@code ""}).
     *
     * @param datacenter the datacenter, e.g. {@code "dc1"}
     * @return this builder
     */
    public Builder datacenter(String datacenter) {
      this.datacenter = Objects.requireNonNull(datacenter, "datacenter");
      return this;
    }

    /**
     * Sets the scheduler's node pool (default {@code "default"}).
     *
     * @param pool the node pool
     * @return this builder
     */
    public Builder pool(String pool) {
      this.pool = Objects.requireNonNull(pool, "pool");
      return this;
    }

    /**
     * Sets the status (default {@link NodeStatus#READY}).
     *
     * @param status the node's status
     * @return this builder
     */
    public Builder status(NodeStatus status) {
      this.status = Objects.requireNonNull(status, "status");
      return this;
    }

    /**
     * Sets whether the scheduler may place new work on the node (default {@code true}).
     *
     * @param eligible whether the node is eligible
     * @return this builder
     */
    public Builder eligible(boolean eligible) {
      this.eligible = eligible;
      return this;
    }

    /**
     * Sets whether a drain is in progress (default {@code false}).
     *
     * @param draining whether the node is draining
     * @return this builder
     */
    public Builder draining(boolean draining) {
      this.draining = draining;
      return this;
    }

    /**
     * Sets the scheduler's creation index, higher for newer nodes (default 0).
     *
     * @param createIndex the creation index
     * @return this builder
     */
    public Builder createIndex(long createIndex) {
      this.createIndex = createIndex;
      return this;
    }

    /**
     * Adds one allocation (work placed on the node).
     *
     * @param allocation the allocation
     * @return this builder
     */
    public Builder allocation(Allocation allocation) {
      allocations.add(Objects.requireNonNull(allocation, "allocation"));
      return this;
    }

    /**
     * Replaces the allocations (default none).
     *
     * @param allocations the work placed on the node
     * @return this builder
     */
    public Builder allocations(List<Allocation> allocations) {
      List<Allocation> copy = List.copyOf(allocations);
      this.allocations.clear();
      this.allocations.addAll(copy);
      return this;
    }

    /**
     * Sets the resources reserved by the node's allocations (default none).
     *
     * @param allocated the reserved resources
     * @return this builder
     */
    public Builder allocated(Resources allocated) {
      this.allocated = Objects.requireNonNull(allocated, "allocated");
      return this;
    }

    /**
     * Sets the resources the node offers (default none).
     *
     * @param total the offered resources
     * @return this builder
     */
    public Builder total(Resources total) {
      this.total = Objects.requireNonNull(total, "total");
      return this;
    }

    /**
     * Builds the node.
     *
     * @return the node
     * @throws IllegalStateException if no id was set
     */
    public Node build() {
      if (id == null) {
        throw new IllegalStateException("id was not set but it is required");
      }
      return new Node(id, instanceId, nodeClass, datacenter, pool, status, eligible, draining, createIndex,
          allocations, allocated, total);
    }
  }

  private static double share(long used, long offered) {
    return offered <= 0 ? 0 : Math.min(1.0, (double) used / offered);
  }
}
