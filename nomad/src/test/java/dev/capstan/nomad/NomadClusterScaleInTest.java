package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.spi.ScalingAction;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.FakeNomad.NodeSpec;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.LocalHttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ClusterTarget's drain, terminate, purge flow against the nomad node pool and the Nomad fake. */
final class NomadClusterScaleInTest {
  private static final Map<String, String> POLICY = Map.of(InMemoryTarget.GROUP_KEY, "asg", "node_class", "cloud",
      "node_purge", "true", "node_drain_deadline", "5m");

  private FakeNomad nomad;
  private LocalHttpServer server;
  private InMemoryTarget cloud;
  private ClusterTarget target;
  private ExecutorService threads;
  private volatile CompletableFuture<Void> scaleIn;

  @BeforeEach
  void setUp() {
    nomad = new FakeNomad();
    server = LocalHttpServer.start(nomad);
    cloud = new InMemoryTarget();
    cloud.setCount("asg", 3); // asg-1 .. asg-3
    for (int i = 1; i <= 3; i++) {
      nomad.addNode(NodeSpec.of("cloud-" + i).withClass("cloud")
          .withAttribute("unique.platform.aws.instance-id", "asg-" + i));
    }
    nomad.addNode(NodeSpec.of("rpi-1").withClass("hashistack-rpi"));
    nomad.addAllocation("cloud-1", "web", "service", 1500, 2048);
    nomad.addAllocation("cloud-2", "web", "service", 200, 256); // least busy
    nomad.addAllocation("cloud-3", "web", "service", 900, 1024);
    nomad.addAllocation("rpi-1", "web", "service", 0, 0);
    threads = Executors.newSingleThreadExecutor();
    NomadNodePool pool = NomadNodePoolProvider.create(Map.of("address", server.uri().toString()), name -> null);
    target = ClusterTarget.of(cloud, pool, ScaleInJournal.inMemory(),
        task -> scaleIn = CompletableFuture.runAsync(task, threads));
  }

  @AfterEach
  void tearDown() {
    target.close();
    threads.shutdownNow();
    server.close();
  }

  @Test
  void scaleDown_drainsLeastBusyCloudNode_terminatesItsInstance_purgesIt() throws Exception {
    target.scale(ScalingAction.to(3, 2, "cpu low"), POLICY);

    nomad.drainRequested("cloud-2").get(10, TimeUnit.SECONDS);
    assertThat(cloud.instances("asg")).as("nothing terminated before the drain completes").hasSize(3);
    nomad.migrate("cloud-2");
    scaleIn.get(10, TimeUnit.SECONDS);

    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-3");
    assertThat(nomad.describeNode("cloud-2")).isEqualTo("absent");
    assertThat(List.of("cloud-1", "cloud-3", "rpi-1")).allSatisfy(id ->
        assertThat(nomad.describeNode(id)).isEqualTo("ready eligible"));
    assertThat(target.lastScaleIn(POLICY)).hasValueSatisfying(o -> assertThat(o.removed()).containsExactly("cloud-2"));
  }

  @Test
  void scaleDown_nodeVanishesMidDrain_nothingTerminated() throws Exception {
    target.scale(ScalingAction.to(3, 2, "cpu low"), POLICY);
    nomad.drainRequested("cloud-2").get(10, TimeUnit.SECONDS);
    nomad.removeNode("cloud-2");
    scaleIn.get(10, TimeUnit.SECONDS);

    assertThat(cloud.instances("asg")).hasSize(3);
    assertThat(target.lastScaleIn(POLICY)).hasValueSatisfying(o -> {
      assertThat(o.removed()).isEmpty();
      assertThat(o.kept().values()).singleElement().asString().contains("cloud-2 vanished while draining");
    });
  }
}
