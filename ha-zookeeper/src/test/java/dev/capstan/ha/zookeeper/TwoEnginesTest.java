package dev.capstan.ha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two engines share six policies through one real ZooKeeper server; one dies, the other takes over. */
final class TwoEnginesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Signal signal = new Signal();
  private final InMemoryTarget target = new InMemoryTarget();
  private final ScriptedMetricSource source = new ScriptedMetricSource().answer("load", 1);
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private TestingServer server;
  private final List<ScalingPolicy> policies = IntStream.range(0, 6).mapToObj(i -> policy("web-" + i)).toList();

  private static ScalingPolicy policy(String name) {
    // The strategy always wants one more: only the cooldown (1 h) stops a second scale.
    return ScalingPolicy.builder().name(name).min(0).max(100).evaluationInterval(Duration.ofMillis(200))
        .cooldown(Duration.ofHours(1)).target(PluginRef.of("mem", Map.of(InMemoryTarget.GROUP_KEY, name)))
        .check(Check.of("more", "src", "load", PluginRef.of("more", Map.of()))).build();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private record Member(ZooKeeperCoordination coordination, Autoscaler engine, CuratorFramework client,
      List<ScalingDecision> decisions) {}

  private Member member(String id, TestingServer server) {
    CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), 10_000, 2_000, new RetryOneTime(100));
    client.start();
    toClose.add(client);
    ZooKeeperCoordination coordination = ZooKeeperCoordination.builder().client(client).path("/capstan/two")
        .memberId(id).build();
    coordination.addListener(signal);
    toClose.add(coordination);
    coordination.start();
    List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();
    Autoscaler engine = Autoscaler.builder().lookupPlugins(false).jitter(0)
        .strategy("more", config -> (current, metrics) -> current + 1).metricSource("src", source)
        .target("mem", target).stateStore(coordination.stateStore()).coordination(coordination)
        .policies(policies).listener(d -> {
          decisions.add(d);
          signal.run();
        }).build();
    toClose.add(engine);
    engine.start();
    return new Member(coordination, engine, client, decisions);
  }

  @Test
  void memberDies_survivorTakesOverWithTheRemainingCooldown() throws Exception {
    server = new TestingServer(true);
    policies.forEach(p -> target.setCount(p.name(), 3));
    {
      Member a = member("a", server);
      Member b = member("b", server);
      assertThat(signal.await(() -> target.scaleActions().size() == policies.size(), WAIT)).isTrue();
      assertThat(signal.await(() -> a.coordination().owned().size() + b.coordination().owned().size() == policies.size()
          && !a.coordination().owned().isEmpty() && !b.coordination().owned().isEmpty(), WAIT))
          .as("both members own a share").isTrue();
      Set<String> aShare = a.coordination().owned();
      // (Ownership may move while the second member joins, so a need not have scaled exactly its final share.)

      // a dies: its engine stops and its session ends, taking its member node and claims along.
      a.engine().close();
      a.client().close();

      long died = System.nanoTime();
      Set<String> coolingAtB = ConcurrentHashMap.newKeySet();
      assertThat(signal.await(() -> {
        for (ScalingDecision d : b.decisions()) {
          if (d.outcome() == Outcome.SKIPPED_COOLDOWN && aShare.contains(d.policyId())) {
            coolingAtB.add(d.policyId());
          }
        }
        return coolingAtB.containsAll(aShare);
      }, WAIT)).as("b evaluates every policy of a and finds it cooling down").isTrue();
      System.out.printf("takeover of %d policies took %d ms%n", aShare.size(), (System.nanoTime() - died) / 1_000_000);

      assertThat(b.coordination().owned()).hasSize(policies.size());
      // Each group was scaled exactly once in all: the cooldown moved with the policy.
      assertThat(target.scaleActions()).hasSize(policies.size());
      for (ScalingPolicy p : policies) {
        assertThat(target.count(p.name())).as(p.name()).isEqualTo(4);
      }
      assertThat(target.maxConcurrentScales()).isLessThanOrEqualTo(1);
    }
  }
}
