package dev.capstan.cluster;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.InstanceGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster keys of a policy's target block ({@link InstanceGroup#CLUSTER_KEYS}, the one list of
 * them), parsed once: which nodes belong to the group and how they are removed.
 *
 * @param nodeClass nodes of this class belong to the group, when set
 * @param datacenter nodes in this datacenter belong to the group, when set
 * @param nodePool nodes in this scheduler node pool belong to the group, when set
 * @param drain the drain deadline (default 15m, as nomad-autoscaler) and system-job handling
 * @param purge whether terminated nodes are purged from the scheduler (default false)
 * @param selector how nodes are chosen (default {@link NodeSelector#LEAST_BUSY})
 * @param readyCheck whether the group is reported not ready while any of its nodes is initializing
 *     or draining (default true; {@code node_ready_check = "false"} turns it off)
 * @param filter nomad-autoscaler's {@code node_filter_ignore_*} options: which unsettled nodes the
 *     readiness check passes over and whether ineligible nodes may be removed
 */
public record ClusterConfig(Optional<String> nodeClass, Optional<String> datacenter, Optional<String> nodePool,
    DrainSpec drain, boolean purge, NodeSelector selector, boolean readyCheck, NodeFilter filter) {

  /**
   * nomad-autoscaler's node filter options, with its defaults.
   *
   * @param ignoreInit {@code node_filter_ignore_init} (default false): initializing nodes do not make
   *     the group not ready; they are still never removed
   * @param ignoreDrain {@code node_filter_ignore_drain} (default false): draining nodes do not make
   *     the group not ready; they are still never removed
   * @param ignoreIneligible {@code node_filter_ignore_ineligible} (default true, which nomad-autoscaler
   *     forces on scale-in unless set): ready nodes marked ineligible may be chosen for removal
   */
  public record NodeFilter(boolean ignoreInit, boolean ignoreDrain, boolean ignoreIneligible) {
    /** The defaults: initializing and draining nodes hold the group back, ineligible ones may go. */
    public static final NodeFilter DEFAULT = new NodeFilter(false, false, true);
  }

  /** nomad-autoscaler's default drain deadline. */
  public static final Duration DEFAULT_DRAIN_DEADLINE = Duration.ofMinutes(15);

  // Each key is spelled once here; InstanceGroup.CLUSTER_KEYS is the list, and parse() proves the two agree.
  private static final String NODE_CLASS = "node_class";
  private static final String DATACENTER = "datacenter";
  private static final String NODE_POOL = "node_pool";

  /**
   * Returns whether a policy's target block names a node group, i.e. whether scale-in must go
   * through the cluster flow.
   *
   * @param policyTargetConfig the target block's attributes
   * @return {@code true} if it sets {@code node_class}, {@code datacenter} or {@code node_pool}
   */
  public static boolean isCluster(Map<String, String> policyTargetConfig) {
    return policyTargetConfig.containsKey(NODE_CLASS) || policyTargetConfig.containsKey(DATACENTER)
        || policyTargetConfig.containsKey(NODE_POOL);
  }

  /**
   * Parses the cluster keys of a target block (those in {@link InstanceGroup#CLUSTER_KEYS}); other
   * keys are left to the cloud target.
   *
   * @param policyTargetConfig the target block's attributes
   * @return the typed configuration
   * @throws dev.capstan.spi.ConfigException naming every bad value at once
   */
  public static ClusterConfig parse(Map<String, String> policyTargetConfig) {
    Map<String, String> clusterKeys = new HashMap<>(policyTargetConfig);
    clusterKeys.keySet().retainAll(InstanceGroup.CLUSTER_KEYS);
    ConfigReader r = ConfigReader.of(clusterKeys, "cluster target");
    Optional<String> nodeClass = r.optionalString(NODE_CLASS);
    Optional<String> datacenter = r.optionalString(DATACENTER);
    Optional<String> nodePool = r.optionalString(NODE_POOL);
    Duration deadline = r.positiveDuration("node_drain_deadline", DEFAULT_DRAIN_DEADLINE);
    boolean ignoreSystem = r.booleanValue("node_drain_ignore_system_jobs", false);
    boolean purge = r.booleanValue("node_purge", false);
    NodeSelector selector = r.enumValue("node_selector_strategy", NodeSelector.class, NodeSelector.LEAST_BUSY);
    boolean readyCheck = r.booleanValue("node_ready_check", true);
    NodeFilter filter = new NodeFilter(r.booleanValue("node_filter_ignore_init", NodeFilter.DEFAULT.ignoreInit()),
        r.booleanValue("node_filter_ignore_drain", NodeFilter.DEFAULT.ignoreDrain()),
        r.booleanValue("node_filter_ignore_ineligible", NodeFilter.DEFAULT.ignoreIneligible()));
    // Only keys of CLUSTER_KEYS reach the reader: one listed there but not read above shows up here,
    // and ClusterConfigTest sets every listed key, so the list and this parse cannot drift apart.
    r.rejectUnknownKeys();
    r.validate();
    return new ClusterConfig(nodeClass, datacenter, nodePool, new DrainSpec(deadline, ignoreSystem), purge,
        selector, readyCheck, filter);
  }

  /**
   * Returns whether this block names a node group, i.e. whether scale-in goes through the cluster
   * flow.
   *
   * @return {@code true} if {@code node_class}, {@code datacenter} or {@code node_pool} is set
   */
  public boolean namesNodeGroup() {
    return nodeClass.isPresent() || datacenter.isPresent() || nodePool.isPresent();
  }

  /**
   * Returns whether a node belongs to this group: it matches every one of class, datacenter and
   * pool that is set. A {@code node_class} of {@value Node#DEFAULT_CLASS_POOL} matches the nodes
   * that have no class, as in nomad-autoscaler.
   *
   * @param node the node
   * @return {@code true} if it belongs
   */
  public boolean matches(Node node) {
    return nodeClass.map(c -> node.nodeClass().isEmpty() ? c.equals(Node.DEFAULT_CLASS_POOL) : c.equals(node.nodeClass()))
        .orElse(true) && datacenter.map(node.datacenter()::equals).orElse(true)
        && nodePool.map(node.pool()::equals).orElse(true);
  }

  /**
   * Returns why a node of this group holds the group back (reported not ready), as
   * nomad-autoscaler's node filter does: it is initializing (unless {@code node_filter_ignore_init})
   * or draining (unless {@code node_filter_ignore_drain}).
   *
   * @param node a node of this group
   * @return {@code "initializing"} or {@code "draining"}, empty when the node is settled
   */
  public Optional<String> unsettled(Node node) {
    if (node.draining() && !filter.ignoreDrain()) {
      return Optional.of("draining");
    }
    if (node.status() == NodeStatus.INITIALIZING && !filter.ignoreInit()) {
      return Optional.of("initializing");
    }
    return Optional.empty();
  }

  /**
   * Returns whether the node's state lets it be removed: ready, not draining, and eligible unless
   * {@code node_filter_ignore_ineligible} (on by default, as nomad-autoscaler forces it on scale-in).
   * Group membership, the instance id and the agent's own node are checked by the scale-in flow.
   *
   * @param node a node of this group
   * @return {@code true} if its state allows removal
   */
  public boolean removable(Node node) {
    return node.status() == NodeStatus.READY && !node.draining() && (node.eligible() || filter.ignoreIneligible());
  }

  /**
   * Describes the group for messages, e.g. {@code node_class=hashistack, datacenter=dc1}.
   *
   * @return the description
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    nodeClass.ifPresent(c -> sb.append("node_class=").append(c));
    datacenter.ifPresent(d -> sb.append(sb.isEmpty() ? "" : ", ").append("datacenter=").append(d));
    nodePool.ifPresent(p -> sb.append(sb.isEmpty() ? "" : ", ").append("node_pool=").append(p));
    return sb.toString();
  }
}
