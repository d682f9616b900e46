package dev.capstan.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class NodeSelectorTest {
  private static final Allocation WEB = new Allocation("a1", "web", false, false);
  private static final Allocation LOGS = new Allocation("a2", "logs", true, false);
  private static final Allocation DONE = new Allocation("a3", "batch", false, true);

  private static Node node(String id, long createIndex, long cpu, long mem, Allocation... allocations) {
    return new Node(id, Optional.of("i-" + id), "c", "dc1", "default", NodeStatus.READY, true, false, createIndex,
        List.of(allocations), new Resources(cpu, mem), new Resources(1000, 1000));
  }

  private static final List<Node> NODES = List.of(
      node("a", 10, 500, 500, WEB),          // utilization 1.0
      node("b", 30, 100, 0, LOGS),           // 0.1, system job only
      node("c", 20, 0, 0, DONE),             // 0.0, only a finished allocation
      node("d", 40, 0, 0),                   // 0.0, empty, newest
      node("e", 5, 900, 900, WEB, LOGS));    // 1.8, oldest

  private static List<String> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  @Test
  void leastBusy_lowestUtilizationFirst_tiesNewestFirst() {
    assertThat(ids(NodeSelector.LEAST_BUSY.select(NODES, 5))).containsExactly("d", "c", "b", "a", "e");
    assertThat(ids(NodeSelector.LEAST_BUSY.select(NODES, 2))).containsExactly("d", "c");
  }

  @Test
  void empty_onlyNodesWithoutLiveWork() {
    assertThat(ids(NodeSelector.EMPTY.select(NODES, 5))).containsExactly("d", "c");
  }

  @Test
  void emptyIgnoreSystem_alsoNodesWithOnlySystemJobs_trulyEmptyFirst() {
    assertThat(ids(NodeSelector.EMPTY_IGNORE_SYSTEM.select(NODES, 5))).containsExactly("d", "c", "b");
  }

  @Test
  void newestCreateIndex_highestIndexFirst() {
    assertThat(ids(NodeSelector.NEWEST_CREATE_INDEX.select(NODES, 3))).containsExactly("d", "b", "c");
  }

  @Test
  void oldestCreateIndex_lowestIndexFirst() {
    assertThat(ids(NodeSelector.OLDEST_CREATE_INDEX.select(NODES, 3))).containsExactly("e", "a", "c");
  }

  @Test
  void sameIndex_tieBrokenById() {
    List<Node> twins = List.of(node("z", 1, 0, 0), node("m", 1, 0, 0), node("q", 1, 0, 0));
    assertThat(ids(NodeSelector.NEWEST_CREATE_INDEX.select(twins, 3))).containsExactly("m", "q", "z");
    assertThat(ids(NodeSelector.LEAST_BUSY.select(twins, 3))).containsExactly("m", "q", "z");
  }

  @Test
  void select_negativeCount_rejected() {
    assertThatThrownBy(() -> NodeSelector.EMPTY.select(NODES, -1)).hasMessage("count must be at least 0, but was -1");
  }
}
