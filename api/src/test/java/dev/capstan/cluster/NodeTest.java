package dev.capstan.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class NodeTest {

  @Test
  void builder_onlyId_fillsDocumentedDefaults() {
    Node node = Node.builder().id("n1").build();

    assertThat(node).isEqualTo(new Node("n1", Optional.empty(), "", "", "default", NodeStatus.READY, true, false,
        0, List.of(), new Resources(0, 0), new Resources(0, 0)));
  }

  @Test
  void builder_everyField_equalsPositionalConstructor() {
    Allocation web = new Allocation("a1", "web", false, false);
    Allocation logs = new Allocation("a2", "logs", true, false);

    Node node = Node.builder().id("n1").instanceId("i-1").nodeClass("hashistack").datacenter("dc1").pool("batch")
        .status(NodeStatus.INITIALIZING).eligible(false).draining(true).createIndex(42)
        .allocation(web).allocation(logs).allocated(new Resources(500, 256)).total(new Resources(4000, 8192))
        .build();

    assertThat(node).isEqualTo(new Node("n1", Optional.of("i-1"), "hashistack", "dc1", "batch",
        NodeStatus.INITIALIZING, false, true, 42, List.of(web, logs), new Resources(500, 256),
        new Resources(4000, 8192)));
  }

  @Test
  void toBuilder_changedField_keepsEveryOther() {
    Node node = Node.builder().id("n1").instanceId("i-1").nodeClass("c").createIndex(7)
        .allocation(new Allocation("a1", "web", false, false)).total(new Resources(1000, 1024)).build();

    Node draining = node.toBuilder().draining(true).eligible(false).build();

    assertThat(draining).isEqualTo(new Node("n1", Optional.of("i-1"), "c", "", "default", NodeStatus.READY, false,
        true, 7, node.allocations(), node.allocated(), node.total()));
  }

  @Test
  void allocations_replace_dropsEarlierOnes() {
    Allocation web = new Allocation("a1", "web", false, false);

    Node node = Node.builder().id("n1").allocation(new Allocation("a0", "old", false, true))
        .allocations(List.of(web)).build();

    assertThat(node.allocations()).containsExactly(web);
  }

  @Test
  void build_withoutId_namesTheMissingField() {
    assertThatThrownBy(() -> Node.builder().nodeClass("c").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("id was not set but it is required");
  }
}
