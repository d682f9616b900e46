package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.capstan.Plugins;
import dev.capstan.cluster.Allocation;
import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.StateStore;
import dev.capstan.policy.Policies;
import dev.capstan.spi.Target;
import dev.capstan.cluster.Resources;
import dev.capstan.testkit.InMemoryNodePool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java snippets of docs/cluster.md. Nothing here calls AWS: binding and building make no network call. */
final class ClusterSnippetsTest {

  @Test
  void clusterTarget_awsGroupAndNodePool_buildsAnAutoscaler() throws Exception {
    // tag::cluster-target[]
    NodePool nomad = new InMemoryNodePool();      // capstan-testkit; yours lists, drains, sets eligibility and purges your scheduler's nodes
    StateStore state = StateStore.file(Path.of("target/state"));
    Target asg = Plugins.target("aws-asg", Map.of("aws_region", "eu-west-1"));
    Target cluster = ClusterTarget.of(asg, nomad, ScaleInJournal.in(state));
    Autoscaler autoscaler = Autoscaler.builder().stateStore(state).target("aws-asg", cluster)
        .policies(Policies.parseDirectory(Path.of("policies")).orThrow()).build();
    // end::cluster-target[]
    try (autoscaler; cluster) {
      assertEquals(List.of("web"), autoscaler.policies().stream().map(p -> p.name()).toList());
    }
  }

  @Test
  void nodeBuilder_namedFields_listedByThePool() {
    // tag::node-builder[]
    Node node = Node.builder()
        .id("9f3c2e1a")
        .instanceId("i-0abc123")                 // the cloud instance behind it: only such nodes are terminated
        .nodeClass("hashistack").datacenter("dc1")
        .createIndex(1042)
        .allocation(new Allocation("a1", "web", false, false))
        .allocated(new Resources(1500, 2048)).total(new Resources(4000, 8192))
        .build();
    // end::node-builder[]
    InMemoryNodePool pool = new InMemoryNodePool().put(node);
    assertEquals(List.of(node), pool.nodes());
    assertEquals(0.375 + 0.25, node.utilization(), 1e-9);
  }
}
