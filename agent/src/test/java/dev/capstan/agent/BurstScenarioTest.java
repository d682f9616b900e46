package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.testkit.BurstCluster;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's scenario end to end: the agent built from {@code examples/agent.hcl} and the policies
 * of {@code examples/nomad-policies}, its real AWS SDK client against the Auto Scaling fake and its
 * real Nomad clients against the Nomad fake ({@link BurstCluster}), on a manual clock.
 */
final class BurstScenarioTest {
  private static final Duration TICK = Duration.ofSeconds(10);

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<CompletableFuture<Void>> scaleIns = new ArrayList<>();
  private BurstCluster cluster;
  private Agent agent;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws IOException {
    cluster = BurstCluster.start(clock, 0, 0, 1);
    cluster.step(); // the group's first instance registers its node
    cluster.step(); // ... which is ready
    agent = new Agent(exampleAgentFile(), new Agent.Options(Path.of("../examples/nomad-policies"), dir.resolve("state"),
        false, Duration.ZERO, Optional.of(task -> {
          synchronized (scaleIns) {
            scaleIns.add(CompletableFuture.runAsync(task, threads));
          }
        })), b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    threads.shutdownNow();
    cluster.close();
  }

  /** examples/agent.hcl as shipped, with the fakes' addresses and static fake AWS keys. */
  private AgentConfig exampleAgentFile() throws IOException {
    String shipped = Files.readString(Path.of("../examples/agent.hcl"));
    String nomad = "http://127.0.0.1:4646";
    String region = "aws_region = \"eu-west-1\"";
    assertThat(shipped).as("the example names Nomad's default address and a region").contains(nomad, region);
    String local = shipped.replace(nomad, cluster.nomadAddress().toString())
        .replace(region, region + "\n    endpoint = \"" + cluster.autoScalingEndpoint()
            + "\"\n    aws_access_key_id = \"fake\"\n    aws_secret_access_key = \"fake\"")
        .replace("bind_port    = 8080", "bind_port    = 0");
    return AgentConfig.parse(local, "examples/agent.hcl");
  }

  private int desired() {
    FakeAutoScaling aws = cluster.autoScaling();
    synchronized (aws) {
      return aws.get(BurstCluster.ASG).desired;
    }
  }

  /** One tick: the engine's due evaluations, then the cluster's round (boots, drains, placement, load). */
  private void tick() throws Exception {
    scheduler.advance(TICK);
    cluster.step();
    List<CompletableFuture<Void>> pending;
    synchronized (scaleIns) {
      pending = List.copyOf(scaleIns);
      scaleIns.clear();
    }
    for (CompletableFuture<Void> f : pending) {
      f.get(20, TimeUnit.SECONDS);
    }
  }

  /** The cloud nodes with their live web allocations (0 for none), ready ones only. */
  private Map<String, Integer> readyCloudNodes() {
    Map<String, Integer> out = new TreeMap<>();
    Map<String, Integer> web = cluster.webAllocationsByNode();
    for (String instance : instances()) {
      String node = cluster.nodeOf(instance);
      if (node != null && cluster.nomad().describeNode(node).equals("ready eligible")) {
        out.put(node, web.getOrDefault(node, 0));
      }
    }
    return out;
  }

  private List<String> instances() {
    FakeAutoScaling aws = cluster.autoScaling();
    synchronized (aws) {
      return List.copyOf(aws.get(BurstCluster.ASG).instances.keySet());
    }
  }

  @Test
  void burstAndScaleIn_cloudNodesJoinAndTheLeastBusyCloudNodeGoes_piesUntouched() throws Exception {
    // Burst: the web job outgrows the Pis, the cloud group grows one node at a time.
    cluster.setDemand(21000);
    List<Integer> sizes = new ArrayList<>(List.of(desired()));
    for (int i = 0; i < 60 && desired() < 3; i++) {
      List<String> before = instances();
      tick();
      if (desired() != sizes.get(sizes.size() - 1)) {
        sizes.add(desired());
        List<String> launched = new ArrayList<>(instances());
        launched.removeAll(before);
        assertThat(launched).singleElement().satisfies(instance -> {
          String node = cluster.nodeOf(instance);
          assertThat(cluster.nomad().describeNode(node)).as("a new instance's node is still booting")
              .isEqualTo("initializing eligible");
        });
      }
    }
    assertThat(sizes).containsExactly(1, 2, 3);
    tick(); // the third node finishes booting
    assertThat(readyCloudNodes()).hasSize(3);
    assertThat(cluster.nomad().count("default", BurstCluster.JOB, BurstCluster.GROUP))
        .as("the task-group policy scaled web up through the nomad target").isGreaterThan(20);
    assertThat(cluster.nomad().scalingEvents("default", BurstCluster.JOB, BurstCluster.GROUP))
        .first().satisfies(e -> assertThat((String) e.get("Message")).startsWith("check 'avg_cpu' wants"));

    // Calm: web shrinks, its cloud allocations stop first, the cloud group gives one node back.
    cluster.setDemand(17500);
    cluster.autoScaling().resetCalls();
    Map<String, Integer> seen = readyCloudNodes();
    for (int i = 0; i < 60 && desired() == 3; i++) {
      seen = readyCloudNodes();
      tick();
    }
    assertThat(desired()).as("3 -> 2").isEqualTo(2);
    Map<String, Integer> atDecision = seen;
    String leastBusy = atDecision.entrySet().stream()
        .min(Comparator.comparing((Map.Entry<String, Integer> e) -> e.getValue())
            .thenComparing(e -> -Integer.parseInt(e.getKey().substring("cloud-".length()))))
        .orElseThrow().getKey();
    List<String> drained = atDecision.keySet().stream().filter(n -> cluster.nomad().drainRequested(n).isDone()).toList();
    assertThat(drained).as("drained exactly the least busy cloud node of " + atDecision).containsExactly(leastBusy);
    assertThat(cluster.nomad().describeNode(leastBusy)).as("purged").isEqualTo("absent");
    assertThat(instances()).hasSize(2).allSatisfy(i -> assertThat(cluster.nodeOf(i)).isNotEqualTo(leastBusy));
    assertThat(cluster.autoScaling().calls()).as("its instance terminated, decrementing the desired capacity")
        .containsEntry("TerminateInstanceInAutoScalingGroup", 1).doesNotContainKey("SetDesiredCapacity");
    for (int i = 1; i <= BurstCluster.PIS; i++) {
      assertThat(cluster.nomad().drainRequested("rpi-" + i)).as("rpi-" + i + " never drained").isNotDone();
      assertThat(cluster.nomad().describeNode("rpi-" + i)).isEqualTo("ready eligible");
    }
  }
}
