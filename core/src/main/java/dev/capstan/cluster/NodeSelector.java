package dev.capstan.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * How nodes are chosen for removal: nomad-autoscaler's {@code node_selector_strategy}.
 *
 * <p>Every selector breaks ties the same deterministic way, so a given cluster state always yields
 * the same choice: newer nodes (higher create index) first, then by node id.
 */
public enum NodeSelector {
  /** The default: nodes with the lowest CPU plus memory allocation first. */
  LEAST_BUSY(n -> true, Comparator.comparingDouble(Node::utilization)),
  /** Only nodes that run no live work. */
  EMPTY(Node::isEmpty, (a, b) -> 0),
  /** Only nodes that run nothing but system jobs; truly empty ones first. */
  EMPTY_IGNORE_SYSTEM(Node::isEmptyIgnoringSystemJobs, Comparator.comparingLong(NodeSelector::liveAllocations)),
  /** The most recently created nodes first. */
  NEWEST_CREATE_INDEX(n -> true, (a, b) -> 0),
  /** The oldest nodes first. */
  OLDEST_CREATE_INDEX(n -> true, Comparator.comparingLong(Node::createIndex));

  private final Predicate<Node> eligible;
  private final Comparator<Node> order;

  NodeSelector(Predicate<Node> eligible, Comparator<Node> order) {
    this.eligible = eligible;
    this.order = order.thenComparing(Ties.NEWEST_THEN_ID);
  }

  /**
   * Chooses up to {@code count} nodes from {@code candidates}, best first.
   *
   * @param candidates the nodes that may be removed (already filtered by class, datacenter, pool and
   *     readiness)
   * @param count how many are wanted, at least 0
   * @return at most {@code count} nodes; fewer when not enough qualify (e.g. not enough empty ones)
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public List<Node> select(List<Node> candidates, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be at least 0, but was " + count);
    }
    return candidates.stream().filter(eligible).sorted(order).limit(count).toList();
  }

  /** Holder, because an enum constructor cannot read the enum's own static fields. */
  private static final class Ties {
    static final Comparator<Node> NEWEST_THEN_ID =
        Comparator.comparingLong(Node::createIndex).reversed().thenComparing(Node::id);
  }

  private static long liveAllocations(Node node) {
    return node.allocations().stream().filter(a -> !a.terminal()).count();
  }
}
