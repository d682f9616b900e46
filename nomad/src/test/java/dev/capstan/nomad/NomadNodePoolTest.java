package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePoolException;
import dev.capstan.cluster.NodeStatus;
import dev.capstan.cluster.Resources;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.FakeNomad.NodeSpec;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class NomadNodePoolTest {
  private static final DrainSpec DRAIN = new DrainSpec(Duration.ofMinutes(5), true);

  private FakeNomad nomad;
  private LocalHttpServer server;
  private NomadNodePool pool;

  @BeforeEach
  void setUp() {
    nomad = new FakeNomad();
    server = LocalHttpServer.start(nomad);
    pool = pool(Map.of());
  }

  @AfterEach
  void tearDown() {
    pool.close();
    server.close();
  }

  private NomadNodePool pool(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(extra);
    config.put("address", server.uri().toString());
    return NomadNodePoolProvider.create(config, name -> null);
  }

  @Test
  void nodes_awsNode_mapsEveryField() {
    nomad.addNode(NodeSpec.of("n1").withClass("cloud").in("dc2", "burst")
        .withAttribute("unique.platform.aws.instance-id", "i-0abc").withResources(4000, 8192, 100, 256));
    nomad.addAllocation("n1", "web", "service", 500, 1024);
    nomad.addAllocation("n1", "logs", "system", 100, 128);

    assertThat(pool.nodes()).singleElement().satisfies(n -> {
      assertThat(n.id()).isEqualTo("n1");
      assertThat(n.instanceId()).hasValue("i-0abc");
      assertThat(n.nodeClass()).isEqualTo("cloud");
      assertThat(n.datacenter()).isEqualTo("dc2");
      assertThat(n.pool()).isEqualTo("burst");
      assertThat(n.status()).isEqualTo(NodeStatus.READY);
      assertThat(n.eligible()).isTrue();
      assertThat(n.draining()).isFalse();
      assertThat(n.createIndex()).isPositive();
      assertThat(n.total()).isEqualTo(new Resources(3900, 7936));
      assertThat(n.allocated()).isEqualTo(new Resources(600, 1152));
      assertThat(n.allocations()).extracting(a -> a.jobId() + ":" + a.systemJob() + ":" + a.terminal())
          .containsExactly("web:false:false", "logs:true:false");
    });
    assertThat(server.requests()).extracting(RecordedRequest::path)
        .containsExactly("/v1/nodes", "/v1/node/n1", "/v1/node/n1/allocations");
  }

  @Test
  void nodes_gceAndAzureAndOverride_instanceIdsAsThePeer() {
    nomad.addNode(NodeSpec.of("g").withAttribute("platform.gce.zone", "europe-west1-b")
        .withAttribute("unique.platform.gce.hostname", "vm-1.c.project.internal"));
    nomad.addNode(NodeSpec.of("a").withAttribute("unique.platform.azure.name", "vmss_3"));
    nomad.addNode(NodeSpec.of("pi").withAttribute("unique.hostname", "rpi4"));

    assertThat(pool.nodes()).extracting(n -> n.id() + "=" + n.instanceId().orElse("-"))
        .containsExactly("g=zones/europe-west1-b/instances/vm-1", "a=vmss_3", "pi=-");
    try (NomadNodePool byHostname = pool(Map.of("node_id_attribute", "unique.hostname"))) {
      assertThat(byHostname.nodes()).extracting(n -> n.instanceId().orElse("-")).containsExactly("-", "-", "rpi4");
    }
  }

  @Test
  void drain_returnsOnlyAfterAllocationsMigrated() throws Exception {
    nomad.addNode(NodeSpec.of("n1"));
    nomad.addAllocation("n1", "web", "service", 500, 1024);
    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> pool.drain("n1", DRAIN));

    nomad.drainRequested("n1").get(10, TimeUnit.SECONDS);
    assertThat(drained).isNotDone();
    assertThat(nomad.describeNode("n1")).isEqualTo("ready ineligible draining");
    nomad.migrate("n1");

    drained.get(10, TimeUnit.SECONDS);
    RecordedRequest drain = server.requests().stream().filter(r -> r.path().endsWith("/drain")).findFirst().orElseThrow();
    JsonNode body = NomadClient.JSON.readTree(drain.body());
    assertThat(body.path("DrainSpec").path("Deadline").asLong()).isEqualTo(300_000_000_000L);
    assertThat(body.path("DrainSpec").path("IgnoreSystemJobs").asBoolean()).isTrue();
    assertThat(body.path("Meta").path("drained_by").asText()).isEqualTo("capstan");
    assertThat(server.requests()).filteredOn(r -> r.path().equals("/v1/node/n1"))
        .allSatisfy(r -> assertThat(r.queryParams()).containsKeys("index", "wait"));
    assertThat(pool.nodes()).singleElement().satisfies(n -> assertThat(n.isEmpty()).isTrue());
  }

  @Test
  void drain_nodeVanishes_isErrorNamingNode() throws Exception {
    nomad.addNode(NodeSpec.of("n1"));
    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> pool.drain("n1", DRAIN));
    nomad.drainRequested("n1").get(10, TimeUnit.SECONDS);
    nomad.removeNode("n1");

    assertThat(drained).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .havingRootCause().isInstanceOf(NomadApiException.class);
    assertThat(drained.handle((v, e) -> e.getCause()).get()).isInstanceOf(NodePoolException.class)
        .hasMessageContaining("n1 vanished while draining").hasMessageContaining("404 node not found");
  }

  @Test
  void drain_unknownNode_reportsNomadsNodeNotFound() {
    assertThatThrownBy(() -> pool.drain("ghost", DRAIN)).isInstanceOf(NodePoolException.class)
        .hasMessageContaining("ghost").hasMessageContaining("500 node not found")
        .hasMessageContaining("Nomad does not know the node");
  }

  @Test
  void drain_readOnlyToken_is403NamingNode() {
    nomad.addNode(NodeSpec.of("n1"));
    nomad.acl("read-secret", false);
    try (NomadNodePool readOnly = pool(Map.of("token", "read-secret"))) {
      assertThat(readOnly.nodes()).hasSize(1);
      assertThatThrownBy(() -> readOnly.drain("n1", DRAIN)).isInstanceOf(NodePoolException.class)
          .hasMessageContaining("n1").hasMessageContaining("403 Permission denied")
          .hasMessageNotContaining("read-secret");
    }
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.header("X-Nomad-Token")).isEqualTo("read-secret"));
  }

  @Test
  void setEligibility_drainingNode_cancelsTheDrain() throws Exception {
    nomad.addNode(NodeSpec.of("n1"));
    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> pool.drain("n1", DRAIN));
    nomad.drainRequested("n1").get(10, TimeUnit.SECONDS);

    pool.setEligibility("n1", true);

    assertThat(nomad.describeNode("n1")).isEqualTo("ready eligible");
    assertThat(drained).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .withMessageContaining("drain of Nomad node n1 was canceled");
  }

  @Test
  void setEligibility_plainNode_togglesIt() {
    nomad.addNode(NodeSpec.of("n1"));
    pool.setEligibility("n1", false);
    assertThat(nomad.describeNode("n1")).isEqualTo("ready ineligible");
    pool.setEligibility("n1", true);
    assertThat(nomad.describeNode("n1")).isEqualTo("ready eligible");
  }

  @Test
  void purge_removesNode_unknownIsClearError() {
    nomad.addNode(NodeSpec.of("n1"));
    pool.purge("n1");
    assertThat(nomad.describeNode("n1")).isEqualTo("absent");
    assertThatThrownBy(() -> pool.purge("n1")).isInstanceOf(NodePoolException.class)
        .hasMessageContaining("purging Nomad node n1 failed").hasMessageContaining("node not found");
  }

  @Test
  void nodes_unknownRegion_isNomadsError() {
    try (NomadNodePool elsewhere = pool(Map.of("region", "mars"))) {
      assertThatThrownBy(elsewhere::nodes).isInstanceOf(NodePoolException.class)
          .hasMessageContaining("500 No path to region");
    }
    nomad.addRegion("mars");
    try (NomadNodePool elsewhere = pool(Map.of("region", "mars"))) {
      assertThat(elsewhere.nodes()).isEmpty();
    }
    assertThat(server.requests().get(0).queryParams()).containsEntry("region", "mars");
  }

  @Test
  void nodes_initializingNode_mapped() {
    nomad.addNode(NodeSpec.of("n1").withStatus("initializing"));
    assertThat(pool.nodes()).extracting(Node::status).containsExactly(NodeStatus.INITIALIZING);
  }
}
