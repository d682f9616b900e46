package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cluster.Allocation;
import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.engine.StateStore;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryNodePool;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * The seed scenario end to end: the real engine drives the real AWS SDK client (against the local
 * Auto Scaling endpoint) through a cluster target over an in-memory scheduler, up and then down.
 */
final class ClusterScaleInEndToEndTest {
  private static final Map<String, String> TARGET = Map.of("aws_asg_name", "burst", "node_class", "hashistack-cloud",
      "node_purge", "true", "node_drain_deadline", "5m");

  private final FakeAutoScaling fake = new FakeAutoScaling();
  private final LocalHttpServer server = LocalHttpServer.start(fake);
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ScriptedMetricSource metrics = new ScriptedMetricSource();
  private final InMemoryNodePool nomad = new InMemoryNodePool();
  private Autoscaler autoscaler;

  @AfterEach
  void tearDown() {
    if (autoscaler != null) {
      autoscaler.close();
    }
    server.close();
  }

  private List<String> actions() {
    return server.requests().stream().map(r -> r.formParams().get("Action")).toList();
  }

  @Test
  void upThenTargetedDown_drainsTheLeastBusyCloudNodeAndTerminatesExactlyIt() {
    fake.group("burst", 1);
    nomad.ready("pi-1", "none", "hashistack-rpi", 1, 900, new Allocation("a0", "web", false, false))
        .ready("cloud-1", "burst-i-1", "hashistack-cloud", 2, 700, new Allocation("a1", "web", false, false));
    AwsAsgTarget asg = new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", "AKIDE2E", "aws_secret_access_key", "e2e-secret",
        "endpoint", server.uri().toString(), "poll_interval", "1ms")),
        Optional.of(BackoffStrategy.retryImmediately()));
    StateStore state = StateStore.inMemory();
    ClusterTarget cluster = ClusterTarget.of(asg, nomad, ScaleInJournal.in(state), Runnable::run);
    autoscaler = Autoscaler.builder().clock(clock).executor(Runnable::run).lookupPlugins(false).stateStore(state)
        .strategy("pass-through", c -> (count, m) -> m.isEmpty() ? count : (long) m.latest())
        .metricSource("prometheus", metrics).target("aws-asg", cluster).build();
    ScalingPolicy policy = ScalingPolicy.builder().name("burst").min(0).max(5).cooldown(Duration.ofMinutes(2))
        .check(Check.of("wanted", "prometheus", "wanted_nodes", PluginRef.of("pass-through", Map.of())))
        .target(PluginRef.of("aws-asg", TARGET)).build();

    metrics.answer("wanted_nodes", 3.0);
    ScalingDecision up = autoscaler.evaluate(policy);
    assertThat(up.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(fake.get("burst").desired).isEqualTo(3);
    assertThat(server.requests()).map(RecordedRequest::formParams)
        .filteredOn(p -> "SetDesiredCapacity".equals(p.get("Action")))
        .singleElement().satisfies(p -> assertThat(p).containsEntry("DesiredCapacity", "3"));
    assertThat(actions()).doesNotContain("TerminateInstanceInAutoScalingGroup");

    // The two new machines boot and join the scheduler; the newer one is almost idle.
    List<String> launched = fake.get("burst").instances.keySet().stream().filter(id -> !id.equals("burst-i-1")).toList();
    nomad.ready("cloud-2", launched.get(0), "hashistack-cloud", 3, 400, new Allocation("a2", "web", false, false))
        .ready("cloud-3", launched.get(1), "hashistack-cloud", 4, 50, new Allocation("a3", "cache", false, false));
    clock.advance(Duration.ofMinutes(3));
    server.clearRequests();

    metrics.answer("wanted_nodes", 2.0);
    ScalingDecision down = autoscaler.evaluate(policy);
    assertThat(down.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(nomad.calls()).containsExactly("drain cloud-3", "purge cloud-3");
    assertThat(server.requests()).map(RecordedRequest::formParams)
        .filteredOn(p -> "TerminateInstanceInAutoScalingGroup".equals(p.get("Action")))
        .singleElement().satisfies(p -> assertThat(p)
            .containsEntry("InstanceId", launched.get(1))
            .containsEntry("ShouldDecrementDesiredCapacity", "true"));
    assertThat(actions()).as("no blind desired-capacity change on the way down").doesNotContain("SetDesiredCapacity");
    assertThat(fake.get("burst").desired).isEqualTo(2);
    assertThat(fake.get("burst").instances).containsOnlyKeys("burst-i-1", launched.get(0));
    assertThat(nomad.node("pi-1")).as("on-prem Pi untouched").isPresent();
    assertThat(cluster.lastScaleIn(TARGET)).hasValueSatisfying(o -> assertThat(o.removed()).containsExactly("cloud-3"));
  }
}
