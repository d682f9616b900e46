package dev.capstan.cluster;

import java.util.List;
import java.util.Optional;

/**
 * The scheduler's view of the cluster's nodes, implemented by the embedder or a plug-in (the
 * {@code nomad} node pool of capstan-nomad). Thread-safe.
 */
public interface NodePool extends AutoCloseable {

  /**
   * Lists every node the scheduler knows, in any state.
   *
   * @return the nodes
   * @throws NodePoolException if the scheduler could not be asked
   */
  List<Node> nodes();

  /**
   * Returns the node this process itself runs on, which scale-in never chooses: removing it would
   * stop the autoscaler in the middle of its own scale-in.
   *
   * @return the node's id; empty (the default) when this process runs on none of the pool's nodes or
   *     the pool cannot tell
   * @throws NodePoolException if the pool should know the node but could not find it out; the
   *     cluster flow then refuses to scale in rather than risk draining its own node
   */
  default Optional<String> localNodeId() {
    return Optional.empty();
  }

  /**
   * Drains a node: marks it ineligible and moves its work elsewhere, returning once the node is empty
   * or the deadline forced the rest off.
   *
   * @param nodeId the node
   * @param spec the deadline and whether system jobs stay
   * @throws NodePoolException if the drain failed; the node may still hold work
   */
  void drain(String nodeId, DrainSpec spec);

  /**
   * Marks a node eligible or ineligible for new work.
   *
   * @param nodeId the node
   * @param eligible the new eligibility
   * @throws NodePoolException if the scheduler refused
   */
  void setEligibility(String nodeId, boolean eligible);

  /**
   * Removes a node whose machine is gone from the scheduler's records.
   *
   * @param nodeId the node
   * @throws NodePoolException if the scheduler refused
   */
  void purge(String nodeId);

  /** Releases connections; calling it again does nothing. */
  @Override
  void close();
}
