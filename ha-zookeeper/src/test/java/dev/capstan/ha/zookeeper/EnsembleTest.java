package dev.capstan.ha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Outcome;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ScriptedMetricSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryForever;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three members, each with an engine, over a real three-server ZooKeeper ensemble (in process): the
 * leader dies and comes back, or the whole ensemble goes away for longer than the session.
 */
final class EnsembleTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int SESSION_MILLIS = 3_000;

  private final Signal signal = new Signal();
  private final InMemoryTarget target = new InMemoryTarget();
  private final ScriptedMetricSource source = new ScriptedMetricSource().answer("load", 1);
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<ScalingPolicy> policies = IntStream.range(0, 12).mapToObj(i -> policy("g" + i)).toList();
  private final List<Member> members = new ArrayList<>();
  private TestingCluster cluster;

  private record Member(ZooKeeperCoordination coordination, Autoscaler engine, List<Outcome> outcomes,
      List<ZooKeeperCoordination.State> states) {}

  private static ScalingPolicy policy(String name) {
    // One more every evaluation, a 1 ms cooldown: a member scales whenever it may.
    return ScalingPolicy.builder().name(name).min(0).max(1_000_000).evaluationInterval(Duration.ofMillis(200))
        .cooldown(Duration.ofMillis(1)).target(PluginRef.of("mem", Map.of(InMemoryTarget.GROUP_KEY, name)))
        .check(Check.of("more", "src", "load", PluginRef.of("more", Map.of()))).build();
  }

  @BeforeEach
  void start() throws Exception {
    // A short tick lets the servers grant a 3 s session (at least two ticks) and elect quickly;
    // srvr tells the test which server leads.
    List<InstanceSpec> specs = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      specs.add(new InstanceSpec(Files.createTempDirectory("zk").toFile(), -1, -1, -1, true, id, 200, -1,
          Map.of("4lw.commands.whitelist", "srvr")));
    }
    cluster = new TestingCluster(specs);
    cluster.start();
    policies.forEach(p -> target.setCount(p.name(), 1));
    for (String id : List.of("a", "b", "c")) {
      members.add(member(id));
    }
    assertThat(signal.await(() -> allConnected() && ownersOf().stream().allMatch(n -> n == 1), WAIT))
        .as("every policy owned by exactly one member").isTrue();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    cluster.close();
  }

  private Member member(String id) {
    CuratorFramework client = CuratorFrameworkFactory.newClient(cluster.getConnectString(), SESSION_MILLIS, 2_000,
        new RetryForever(100));
    client.start();
    toClose.add(client);
    ZooKeeperCoordination coordination = ZooKeeperCoordination.builder().client(client).path("/capstan/ensemble")
        .memberId(id).build();
    List<ZooKeeperCoordination.State> states = new CopyOnWriteArrayList<>();
    coordination.addListener(() -> {
      if (states.isEmpty() || states.get(states.size() - 1) != coordination.state()) {
        states.add(coordination.state());
      }
    });
    coordination.addListener(signal);
    toClose.add(coordination);
    coordination.start();
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    Autoscaler engine = Autoscaler.builder().lookupPlugins(false).jitter(0)
        .strategy("more", config -> (current, metrics) -> current + 1).metricSource("src", source)
        .target("mem", target).stateStore(coordination.stateStore()).coordination(coordination)
        .policies(policies).listener(d -> {
          outcomes.add(d.outcome());
          signal.run();
        }).build();
    toClose.add(engine);
    engine.start();
    return new Member(coordination, engine, outcomes, states);
  }

  /** How many members own each policy, from what each member knows now. */
  private List<Long> ownersOf() {
    List<Long> counts = new ArrayList<>();
    for (ScalingPolicy p : policies) {
      counts.add(members.stream().filter(m -> m.coordination().owned().contains(p.id())).count());
    }
    return counts;
  }

  private boolean allConnected() {
    return members.stream().allMatch(m -> m.coordination().state() == ZooKeeperCoordination.State.CONNECTED);
  }

  private long scaled(Member m) {
    return m.outcomes().stream().filter(o -> o == Outcome.SCALED).count();
  }

  /** The server that answers {@code srvr} with {@code Mode: leader}. */
  private InstanceSpec leader() throws IOException {
    for (InstanceSpec spec : cluster.getInstances()) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), spec.getPort())) {
        OutputStream out = s.getOutputStream();
        out.write("srvr".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        if (new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Mode: leader")) {
          return spec;
        }
      } catch (IOException down) {
        // Not serving.
      }
    }
    throw new AssertionError("no server leads");
  }

  @Test
  void leaderKilledAndRestarted_noPolicyEverHasTwoOwnersAndNoSessionIsLost() throws Exception {
    AtomicInteger worst = new AtomicInteger();
    AtomicInteger observations = new AtomicInteger();
    AtomicReference<Boolean> watching = new AtomicReference<>(true);
    Thread observer = new Thread(() -> {
      while (watching.get()) {
        ownersOf().forEach(n -> worst.accumulateAndGet(n.intValue(), Math::max));
        observations.incrementAndGet();
        LockSupport.parkNanos(2_000_000);
      }
    }, "owner-observer");
    observer.start();
    try {
      InstanceSpec leader = leader();
      assertThat(cluster.killServer(leader)).isTrue();
      assertThat(signal.await(() -> allConnected() && ownersOf().stream().allMatch(n -> n == 1), WAIT))
          .as("the two servers left elect a leader and the members settle").isTrue();
      long before = target.scaleActions().size();
      assertThat(signal.await(() -> target.scaleActions().size() > before + policies.size(), WAIT))
          .as("scaling goes on without the old leader").isTrue();

      assertThat(cluster.restartServer(leader)).isTrue();
      assertThat(signal.await(() -> allConnected() && ownersOf().stream().allMatch(n -> n == 1)
          && target.scaleActions().size() > before + 2L * policies.size(), WAIT)).isTrue();
    } finally {
      watching.set(false);
      observer.join();
    }

    assertThat(observations.get()).isGreaterThan(10);
    assertThat(worst.get()).as("most members that ever owned one policy at once").isEqualTo(1);
    assertThat(target.maxConcurrentScales()).isLessThanOrEqualTo(1);
    for (Member m : members) {
      assertThat(m.states()).as("member %s's states", m.coordination().memberId())
          .doesNotContain(ZooKeeperCoordination.State.LOST);
    }
  }

  @Test
  void ensembleGoneLongerThanTheSession_noMemberScalesUntilItReturns_thenAllResume() throws Exception {
    assertThat(signal.await(() -> members.stream().allMatch(m -> scaled(m) > 0), WAIT))
        .as("every member scaled its share").isTrue();

    for (InstanceSpec spec : cluster.getInstances()) {
      cluster.killServer(spec);
    }
    assertThat(signal.await(() -> members.stream().allMatch(m -> m.coordination().state() != ZooKeeperCoordination.State.CONNECTED), WAIT))
        .isTrue();
    int whileGone = target.scaleActions().size();
    assertThat(signal.await(() -> members.stream().allMatch(m -> m.states().contains(ZooKeeperCoordination.State.LOST)), WAIT))
        .as("every member's session is lost").isTrue();
    assertThat(target.scaleActions()).as("scale calls while ZooKeeper was away").hasSize(whileGone);
    assertThat(members).allSatisfy(m -> assertThat(m.coordination().owned()).isEmpty());

    List<Long> scaledBefore = members.stream().map(this::scaled).toList();
    for (InstanceSpec spec : cluster.getInstances()) {
      cluster.restartServer(spec);
    }
    assertThat(signal.await(() -> allConnected() && ownersOf().stream().allMatch(n -> n == 1)
        && IntStream.range(0, members.size()).allMatch(i -> scaled(members.get(i)) > scaledBefore.get(i)), WAIT))
        .as("every member owns its share again and scales").isTrue();
    assertThat(target.maxConcurrentScales()).isLessThanOrEqualTo(1);
  }
}
