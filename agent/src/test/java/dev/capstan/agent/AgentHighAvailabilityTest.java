package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.ScalingDecision;
import dev.capstan.ha.zookeeper.ZooKeeperCoordination;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two agents share one policy directory through a real, in-process ZooKeeper server. */
final class AgentHighAvailabilityTest {
  private static final int POLICIES = 12;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final InMemoryTarget target = InMemoryTarget.withCount(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private final ManualClock clockA = ManualClock.startingAtEpochOf2026();
  private final ManualClock clockB = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler schedulerA = new ManualScheduler(clockA);
  private final ManualScheduler schedulerB = new ManualScheduler(clockB);

  @TempDir
  Path policies;
  @TempDir
  Path stateA;
  @TempDir
  Path stateB;

  private TestingServer server;
  private Agent a;
  private Agent b;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    for (int i = 0; i < POLICIES; i++) {
      target.setCount("g-" + i, 1);
      Files.writeString(policies.resolve("web-" + i + ".hcl"), """
          scaling "web-%d" {
            enabled = true
            min = 0
            max = 20
            policy {
              evaluation_interval = "1m"
              cooldown            = "1h"
              check "fixed" {
                strategy "fixed-value" { value = 3 }
              }
              target "mem" { group = "g-%d" }
            }
          }
          """.formatted(i, i));
    }
    a = agent("a", stateA, clockA, schedulerA);
    b = agent("b", stateB, clockB, schedulerB);
  }

  private Agent agent(String member, Path state, ManualClock clock, ManualScheduler scheduler) throws IOException {
    AgentConfig config = new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "127.0.0.1", 0, Optional.empty(), List.of(), "agent.hcl")
        .withHighAvailability(Optional.of(new AgentConfig.HighAvailability(server.getConnectString(), "/capstan/agents",
            Duration.ofSeconds(10), Optional.of(member))));
    return new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        builder -> builder.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0).target("mem", target));
  }

  @AfterEach
  void stop() throws IOException {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    server.close();
  }

  private static ZooKeeperCoordination zk(Agent agent) {
    return agent.coordination().orElseThrow();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      // Ownership settles on ZooKeeper's own threads; there is no clock to advance for it.
      Thread.sleep(20);
    }
  }

  private static Set<String> evaluated(Agent agent) {
    return agent.decisions().recent().stream().map(ScalingDecision::policyId).collect(Collectors.toSet());
  }

  @Test
  void twoAgents_sharedPolicyDirectory_evaluateEachPolicyExactlyOnce() throws Exception {
    Set<String> ids = a.policies().keySet();
    assertThat(ids).hasSize(POLICIES).isEqualTo(b.policies().keySet());
    // The first tick introduces each policy to the group; neither agent owns one yet, so nothing runs.
    schedulerA.advance(Duration.ofMinutes(1));
    schedulerB.advance(Duration.ofMinutes(1));
    await("the two agents split the policies between them", () -> {
      Set<String> ownedA = zk(a).owned();
      Set<String> ownedB = zk(b).owned();
      Set<String> union = new HashSet<>(ownedA);
      union.addAll(ownedB);
      return zk(a).members().size() == 2 && zk(b).members().size() == 2 && union.equals(ids)
          && ownedA.size() + ownedB.size() == POLICIES;
    });
    Set<String> ownedA = zk(a).owned();
    Set<String> ownedB = zk(b).owned();
    Set<String> before = new HashSet<>(evaluated(a));
    before.addAll(evaluated(b));

    // One tick, plus the engine's status batch window (1 s) after which the tick's target read runs.
    schedulerA.advance(Duration.ofSeconds(61));
    schedulerB.advance(Duration.ofSeconds(61));

    assertThat(before).as("evaluated before anyone owned a policy").isEmpty();
    assertThat(ownedA).isNotEmpty();
    assertThat(ownedB).isNotEmpty();
    assertThat(evaluated(a)).isEqualTo(ownedA);
    assertThat(evaluated(b)).isEqualTo(ownedB);
    for (int i = 0; i < POLICIES; i++) {
      assertThat(target.count("g-" + i)).as("group g-%d", i).isEqualTo(3);
    }
    assertThat(target.scaleActions()).as("one scale call per group, from its owner alone").hasSize(POLICIES);
  }

  @Test
  void health_underHighAvailability_showsTheMemberItsStateAndItsPolicies() throws Exception {
    schedulerA.advance(Duration.ofMinutes(1));
    schedulerB.advance(Duration.ofMinutes(1));
    await("agent a sees both members and owns its share", () -> zk(a).members().size() == 2
        && zk(a).owned().size() + zk(b).owned().size() == POLICIES);
    int owned = zk(a).owned().size();

    String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.httpPort() + "/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString()).body();

    assertThat(body).contains("\"ha\"").contains("\"member\" : \"a\"").contains("\"state\" : \"connected\"")
        .contains("\"owned_policies\" : " + owned).contains("\"members\" : [ \"a\", \"b\" ]");
  }
}
