package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.Plugins;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolProvider;
import dev.capstan.cluster.NodeStatus;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.testkit.BurstCluster;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code capstan fake-cluster}'s wiring, through the real clients the agent uses, on manual time. */
final class FakeClusterTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final StringWriter printed = new StringWriter();
  private FakeCluster fake;
  private NodePool nomad;
  private Target asg;
  private MetricSource apm;

  @BeforeEach
  void start() {
    fake = new FakeCluster(0, 0, 3, clock, scheduler, new PrintWriter(printed));
    String address = fake.cluster().nomadAddress().toString();
    nomad = NodePoolProvider.load("nomad", Map.of("address", address));
    apm = Plugins.metricSource("nomad-apm", Map.of("address", address));
    asg = Plugins.target("aws-asg", Map.of("aws_region", "eu-west-1", "endpoint",
        fake.cluster().autoScalingEndpoint().toString(), "aws_access_key_id", "fake", "aws_secret_access_key", "fake"));
  }

  @AfterEach
  void stop() throws Exception {
    asg.close();
    apm.close();
    nomad.close();
    fake.close();
  }

  private List<Node> cloudNodes() {
    return nomad.nodes().stream().filter(n -> n.nodeClass().equals(BurstCluster.CLOUD_CLASS)).toList();
  }

  private double avgCpu() {
    return apm.query("taskgroup_avg_cpu/frontend/web@default", clock.instant().minusSeconds(60), clock.instant())
        .latest();
  }

  @Test
  void instructions_nameTheEndpointsTheAgentFileAndTheAgentsAllocation() {
    assertThat(fake.instructions())
        .contains("AWS_ENDPOINT_URL_AUTO_SCALING=" + fake.cluster().autoScalingEndpoint())
        .contains("NOMAD_ALLOC_ID=" + fake.cluster().agentAllocationId())
        .contains("./capstan run --config examples/agent.hcl")
        .contains("Nomad on " + fake.cluster().nomadAddress());
  }

  @Test
  void start_piesAndTheGroupsFirstInstanceBootIntoNomad() {
    assertThat(cloudNodes()).singleElement().satisfies(n -> assertThat(n.status()).isEqualTo(NodeStatus.INITIALIZING));

    scheduler.advance(Duration.ofSeconds(3));

    assertThat(nomad.nodes()).filteredOn(n -> n.nodeClass().equals(BurstCluster.PI_CLASS)).hasSize(BurstCluster.PIS);
    assertThat(cloudNodes()).singleElement().satisfies(n -> {
      assertThat(n.status()).isEqualTo(NodeStatus.READY);
      assertThat(n.instanceId()).hasValue("hashistack-cloud-i-1");
    });
  }

  @Test
  void groupGrows_theNewInstanceJoinsNomadInitializingThenReady() {
    scheduler.advance(Duration.ofSeconds(3));

    asg.scale(ScalingAction.to(1, 2, "burst"), Map.of("aws_asg_name", BurstCluster.ASG));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(cloudNodes()).hasSize(2).filteredOn(n -> n.status() == NodeStatus.INITIALIZING).hasSize(1);
    scheduler.advance(Duration.ofSeconds(3));

    assertThat(cloudNodes()).hasSize(2).allSatisfy(n -> assertThat(n.status()).isEqualTo(NodeStatus.READY));
    assertThat(printed.toString()).contains("cloud group desired 2");
  }

  @Test
  void load_followsTheCycle_quietThenBurst() throws Exception {
    Target web = Plugins.target("nomad-target", Map.of("address", fake.cluster().nomadAddress().toString()));
    web.scale(ScalingAction.to(2, 30, "test"), Map.of("Job", BurstCluster.JOB, "Group", BurstCluster.GROUP));
    scheduler.advance(Duration.ofSeconds(5)); // 20 on the Pis, 4 on the booted cloud node, 6 waiting

    assertThat(avgCpu()).as("quiet: 6000 MHz over 24 allocations of 1000").isEqualTo(25.0);
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(avgCpu()).as("burst: 21000 MHz over 24").isEqualTo(87.5);
    web.close();
  }

  @Test
  void demandAt_quietBurstEbbQuiet_repeatsEvery15Minutes() {
    assertThat(List.of(0, 1, 6, 7, 9, 10, 14, 15, 16).stream().map(m -> FakeCluster.demandAt(Duration.ofMinutes(m))))
        .containsExactly(6000.0, 21000.0, 21000.0, 17500.0, 17500.0, 6000.0, 6000.0, 6000.0, 21000.0);
  }
}
