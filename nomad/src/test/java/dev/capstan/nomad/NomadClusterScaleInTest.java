package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.FakeNomad.NodeSpec;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.LocalHttpServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ClusterTarget's drain, terminate, purge flow against the nomad node pool and the Nomad fake: which
 * nodes a scale-in may choose (nomad-autoscaler's rules) and what holds the group back.
 */
final class NomadClusterScaleInTest {
  private static final Map<String, String> POLICY = Map.of(InMemoryTarget.GROUP_KEY, "asg", "node_class", "cloud",
      "node_purge", "true", "node_drain_deadline", "5m");
  private static final String AWS_ID = "unique.platform.aws.instance-id";

  private FakeNomad nomad;
  private LocalHttpServer server;
  private InMemoryTarget cloud;
  private ClusterTarget target;
  private NomadNodePool pool;
  private ExecutorService threads;
  private volatile CompletableFuture<Void> scaleIn;

  @BeforeEach
  void setUp() {
    nomad = new FakeNomad();
    server = LocalHttpServer.start(nomad);
    cloud = new InMemoryTarget();
    cloud.setCount("asg", 3); // asg-1 .. asg-3
    for (int i = 1; i <= 3; i++) {
      nomad.addNode(NodeSpec.of("cloud-" + i).withClass("cloud").withAttribute(AWS_ID, "asg-" + i));
    }
    nomad.addNode(NodeSpec.of("rpi-1").withClass("hashistack-rpi"));
    nomad.addAllocation("cloud-1", "web", "service", 1500, 2048);
    nomad.addAllocation("cloud-2", "web", "service", 200, 256); // least busy
    nomad.addAllocation("cloud-3", "web", "service", 900, 1024);
    nomad.addAllocation("rpi-1", "web", "service", 0, 0);
    threads = Executors.newSingleThreadExecutor();
    start(name -> null);
  }

  /** (Re)creates the pool and the cluster target with this process environment. */
  private void start(Function<String, String> env) {
    if (target != null) {
      target.close();
    }
    pool = NomadNodePoolProvider.create(Map.of("address", server.uri().toString()), env);
    target = ClusterTarget.of(cloud, pool, ScaleInJournal.inMemory(),
        task -> scaleIn = CompletableFuture.runAsync(task, threads));
  }

  @AfterEach
  void tearDown() {
    target.close();
    threads.shutdownNow();
    server.close();
  }

  private static Map<String, String> policy(String... keyValues) {
    Map<String, String> p = new HashMap<>(POLICY);
    for (int i = 0; i < keyValues.length; i += 2) {
      p.put(keyValues[i], keyValues[i + 1]);
    }
    return Map.copyOf(p);
  }

  /** Scales 3 to 2, lets the chosen node's drain finish, waits for the scale-in and returns the node. */
  private String scaleInOneAndFinish(Map<String, String> policy, List<String> mayBeChosen) throws Exception {
    target.scale(ScalingAction.to(3, 2, "cpu low"), policy);
    String chosen = CompletableFuture.anyOf(mayBeChosen.stream()
            .map(id -> nomad.drainRequested(id).thenApply(v -> id)).toArray(CompletableFuture[]::new))
        .thenApply(String.class::cast).get(10, TimeUnit.SECONDS);
    nomad.migrate(chosen);
    scaleIn.get(10, TimeUnit.SECONDS);
    return chosen;
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

  @Test
  void scaleDown_sameClassNodeOfAnotherGroup_isNeverChosenNorDrained() throws Exception {
    cloud.setCount("other", 1); // other-1, a group of the same node class
    nomad.addNode(NodeSpec.of("other-1").withClass("cloud").withAttribute(AWS_ID, "other-1")); // empty: least busy

    String chosen = scaleInOneAndFinish(POLICY, List.of("cloud-2", "other-1"));

    assertThat(chosen).isEqualTo("cloud-2");
    assertThat(nomad.drainRequested("other-1")).isNotDone();
    assertThat(nomad.describeNode("other-1")).isEqualTo("ready eligible");
    assertThat(cloud.instances("other")).containsExactly("other-1");
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-3");
  }

  @Test
  void scaleDown_readyButIneligibleNode_isACandidate() throws Exception {
    pool.setEligibility("cloud-2", false);

    String chosen = scaleInOneAndFinish(POLICY, List.of("cloud-2", "cloud-3"));

    assertThat(chosen).isEqualTo("cloud-2");
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-3");
  }

  @Test
  void scaleDown_ignoreIneligibleFalse_leavesIneligibleNodesAlone() throws Exception {
    pool.setEligibility("cloud-2", false);

    String chosen = scaleInOneAndFinish(policy("node_filter_ignore_ineligible", "false"), List.of("cloud-2", "cloud-3"));

    assertThat(chosen).isEqualTo("cloud-3");
    assertThat(nomad.describeNode("cloud-2")).isEqualTo("ready ineligible");
  }

  @Test
  void scaleDown_nodeTheAgentRunsOn_isNeverChosen() throws Exception {
    String agentAlloc = nomad.addAllocation("cloud-2", "autoscaler", "service", 0, 0);
    start(name -> name.equals("NOMAD_ALLOC_ID") ? agentAlloc : null);

    String chosen = scaleInOneAndFinish(POLICY, List.of("cloud-2", "cloud-3"));

    assertThat(chosen).as("cloud-2 is the least busy, but the agent runs there").isEqualTo("cloud-3");
    assertThat(nomad.describeNode("cloud-2")).isEqualTo("ready eligible");
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2");
  }

  @Test
  void scaleDown_agentAllocationUnknownToNomad_refusesNamingTheVariable() {
    start(name -> name.equals("NOMAD_ALLOC_ID") ? "5a1e0000-dead-beef" : null);

    assertThatThrownBy(() -> target.scale(ScalingAction.to(3, 2, "cpu low"), POLICY))
        .hasMessageContaining("could not tell which Nomad node this agent runs on from NOMAD_ALLOC_ID "
            + "'5a1e0000-dead-beef': Nomad answered 404 alloc not found")
        .hasMessageContaining("names an allocation Nomad does not know");
    assertThat(nomad.drainRequested("cloud-2")).isNotDone();
    assertThat(cloud.instances("asg")).hasSize(3);
  }

  @Test
  void scaleDown_autoscalerDefaultPool_choosesOnlyNodesWithoutAClass() throws Exception {
    cloud.setCount("plain", 2);
    nomad.addNode(NodeSpec.of("plain-1").withAttribute(AWS_ID, "plain-1"));
    nomad.addNode(NodeSpec.of("plain-2").withAttribute(AWS_ID, "plain-2"));
    nomad.addAllocation("plain-1", "web", "service", 900, 1024);
    nomad.addAllocation("plain-2", "web", "service", 1500, 2048);
    Map<String, String> plain = Map.of(InMemoryTarget.GROUP_KEY, "plain", "node_class", "autoscaler-default-pool");

    target.scale(ScalingAction.to(2, 1, "cpu low"), plain);
    nomad.drainRequested("plain-1").get(10, TimeUnit.SECONDS);
    nomad.migrate("plain-1");
    scaleIn.get(10, TimeUnit.SECONDS);

    assertThat(cloud.instances("plain")).containsExactly("plain-2");
    assertThat(nomad.drainRequested("cloud-2")).isNotDone();
  }

  @Test
  void scaleDown_noNodeQualifies_saysWhyEachNodeWasLeftOut() {
    cloud.setCount("asg", 1); // only asg-1 is still in the group
    nomad.addNode(NodeSpec.of("cloud-4").withClass("cloud")); // no instance id
    nomad.setNodeStatus("cloud-1", "down");

    assertThatThrownBy(() -> target.scale(ScalingAction.to(1, 0, "cpu low"), POLICY))
        .isInstanceOf(TargetException.class)
        .hasMessage("cannot scale in node_class=cloud by 1: no node qualifies for least_busy among 0 removable nodes "
            + "(left out: 1 not ready, draining or ineligible, 2 whose instance is not in in-memory:asg, "
            + "1 without an instance id)");
  }

  @Test
  void status_initializingNode_holdsTheGroupBackUnlessIgnoreInit() {
    nomad.addNode(NodeSpec.of("cloud-4").withClass("cloud").withStatus("initializing"));

    TargetStatus strict = target.status(POLICY);
    TargetStatus lenient = target.status(policy("node_filter_ignore_init", "true"));

    assertThat(strict.ready()).isFalse();
    assertThat(strict.meta()).containsEntry(ClusterTarget.META_NODES_NOT_READY,
        "nodes of node_class=cloud are not ready: cloud-4 (initializing)");
    assertThat(lenient.ready()).isTrue();
  }

  @Test
  void status_drainingNode_holdsTheGroupBackUnlessIgnoreDrain() {
    // A drain someone else started: the fake keeps it running until migrate.
    CompletableFuture<Void> drain = CompletableFuture.runAsync(
        () -> pool.drain("cloud-3", new DrainSpec(Duration.ofMinutes(5), false)), threads);
    nomad.drainRequested("cloud-3").join();

    TargetStatus strict = target.status(POLICY);
    TargetStatus lenient = target.status(policy("node_filter_ignore_drain", "true"));

    assertThat(strict.ready()).isFalse();
    assertThat(strict.meta()).containsEntry(ClusterTarget.META_NODES_NOT_READY,
        "nodes of node_class=cloud are not ready: cloud-3 (draining)");
    assertThat(lenient.ready()).isTrue();
    nomad.migrate("cloud-3");
    drain.join();
  }

  @Test
  void bind_badFilterOption_namesKeyAndValue() {
    assertThatThrownBy(() -> target.status(policy("node_filter_ignore_drain", "yes")))
        .hasMessageContaining("node_filter_ignore_drain was 'yes' but it must be true or false");
  }
}
