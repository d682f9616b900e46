package dev.capstan.ha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.testkit.FreezableLink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class ZooKeeperCoordinationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<String> POLICIES = IntStream.range(0, 30).mapToObj(i -> "p" + i).toList();

  private final Signal signal = new Signal();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private TestingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private CuratorFramework client(int sessionMillis) {
    CuratorFramework c = CuratorFrameworkFactory.newClient(server.getConnectString(), sessionMillis, 2_000, new RetryOneTime(100));
    c.start();
    toClose.add(c);
    return c;
  }

  private ZooKeeperCoordination member(String id, CuratorFramework client) {
    return member(ZooKeeperCoordination.builder().client(client).memberId(id));
  }

  private ZooKeeperCoordination member(ZooKeeperCoordination.Builder builder) {
    ZooKeeperCoordination m = builder.path("/capstan/test").build();
    m.addListener(signal);
    toClose.add(m);
    m.start();
    POLICIES.forEach(m::owns);
    return m;
  }

  /** Asks every member about every policy (as ticks do) and checks each is owned by exactly one. */
  private static boolean exactlyOneOwnerEach(List<ZooKeeperCoordination> members) {
    for (String p : POLICIES) {
      long owners = members.stream().filter(m -> m.owns(p)).count();
      if (owners != 1) {
        return false;
      }
    }
    return true;
  }

  @Test
  void twoMembers_policiesSplit_eachOwnedByExactlyOne() throws Exception {
    ZooKeeperCoordination a = member("a", client(10_000));
    ZooKeeperCoordination b = member("b", client(10_000));

    assertThat(signal.await(() -> a.members().size() == 2 && b.members().size() == 2
        && exactlyOneOwnerEach(List.of(a, b)), WAIT)).isTrue();
    assertThat(a.owned()).isNotEmpty();
    assertThat(b.owned()).isNotEmpty();
    Set<String> all = new HashSet<>(a.owned());
    all.addAll(b.owned());
    assertThat(all).containsExactlyInAnyOrderElementsOf(POLICIES);
    assertThat(a.mayScale(a.owned().iterator().next())).isTrue();
    assertThat(a.mayScale(b.owned().iterator().next())).isFalse();
  }

  @Test
  void memberLeaves_survivorOwnsEverything() throws Exception {
    ZooKeeperCoordination a = member("a", client(10_000));
    CuratorFramework bClient = client(10_000);
    ZooKeeperCoordination b = member("b", bClient);
    assertThat(signal.await(() -> exactlyOneOwnerEach(List.of(a, b)) && !b.owned().isEmpty(), WAIT)).isTrue();

    // The process dies: its session ends with its connection, taking its member node and claims along.
    bClient.close();

    assertThat(signal.await(() -> a.owned().size() == POLICIES.size(), WAIT)).isTrue();
    assertThat(a.members()).containsExactly("a");
  }

  @Test
  void sessionExpired_memberDropsEverythingThenTakesItsShareBack() throws Exception {
    CuratorFramework aClient = client(4_000);
    ZooKeeperCoordination a = member("a", aClient);
    ZooKeeperCoordination b = member("b", client(10_000));
    assertThat(signal.await(() -> exactlyOneOwnerEach(List.of(a, b)) && !a.owned().isEmpty(), WAIT)).isTrue();
    Set<String> aShare = a.owned();
    List<ZooKeeperCoordination.State> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.addListener(() -> seen.add(a.state()));

    aClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

    assertThat(signal.await(() -> seen.contains(ZooKeeperCoordination.State.LOST), WAIT)).isTrue();
    assertThat(signal.await(() -> a.state() == ZooKeeperCoordination.State.CONNECTED
        && exactlyOneOwnerEach(List.of(a, b)) && a.owned().equals(aShare), WAIT)).isTrue();
  }

  @Test
  void serverStopped_membersOwnNothingAndMayNotScale_thenResume() throws Exception {
    ZooKeeperCoordination a = member("a", client(30_000));
    ZooKeeperCoordination b = member("b", client(30_000));
    assertThat(signal.await(() -> exactlyOneOwnerEach(List.of(a, b)), WAIT)).isTrue();
    String aPolicy = a.owned().iterator().next();

    server.stop();

    assertThat(signal.await(() -> a.state() == ZooKeeperCoordination.State.SUSPENDED
        && b.state() == ZooKeeperCoordination.State.SUSPENDED, WAIT)).isTrue();
    assertThat(a.owns(aPolicy)).isFalse();
    assertThat(a.mayScale(aPolicy)).isFalse();
    assertThat(a.owned()).isEmpty();
    assertThat(a.fencedCalls()).isEqualTo(1);

    server.restart();

    assertThat(signal.await(() -> exactlyOneOwnerEach(List.of(a, b)), WAIT)).isTrue();
    assertThat(a.owns(aPolicy)).isTrue();
  }

  @Test
  void fence_serverStopsAnswering_refusedAfterAThirdOfTheSessionNamingIt() throws Exception {
    FreezableLink link = new FreezableLink(server.getPort());
    {
      CuratorFramework c = CuratorFrameworkFactory.newClient(link.connectString(), 6_000, 2_000, new RetryOneTime(100));
      c.start();
      toClose.add(c);
      ZooKeeperCoordination a = member("a", c);
      // Closed first, so that the member's and client's goodbyes fail fast instead of waiting on it.
      toClose.add(link);
      assertThat(signal.await(() -> a.owned().size() == POLICIES.size(), WAIT)).isTrue();
      String p = POLICIES.get(0);
      assertThat(a.mayScale(p)).isTrue();
      long bound = a.fenceTimeout().toMillis();

      // The server stops answering; the client will not notice before two thirds of the session.
      link.freeze();

      assertThatThrownBy(() -> a.mayScale(p)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not read the claim of policy '" + p + "' from ZooKeeper within " + bound + " ms");
      assertThat(a.fencedCalls()).isEqualTo(1);
      // Later the client notices, and the member stops claiming anything.
      assertThat(signal.await(() -> a.state() == ZooKeeperCoordination.State.SUSPENDED, WAIT)).isTrue();
      assertThat(a.mayScale(p)).isFalse();
    }
  }

  @Test
  void meters_countOwnershipChangesAndFencedCalls() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ZooKeeperCoordination a = member(ZooKeeperCoordination.builder().client(client(10_000)).memberId("a")
        .meterRegistry(registry));
    assertThat(signal.await(() -> a.owned().size() == POLICIES.size(), WAIT)).isTrue();
    assertThat(registry.get("capstan.ha.ownership.changes").tag("change", "gained").functionCounter().count())
        .isEqualTo(POLICIES.size());
    assertThat(registry.get("capstan.ha.owned.policies").gauge().value()).isEqualTo(POLICIES.size());

    ZooKeeperCoordination b = member("b", client(10_000));
    assertThat(signal.await(() -> exactlyOneOwnerEach(List.of(a, b)) && !b.owned().isEmpty(), WAIT)).isTrue();
    String notMine = b.owned().iterator().next();
    a.mayScale(notMine);

    assertThat(registry.get("capstan.ha.ownership.changes").tag("change", "dropped").functionCounter().count())
        .isEqualTo(b.owned().size());
    assertThat(registry.get("capstan.ha.members").gauge().value()).isEqualTo(2);
    assertThat(registry.get("capstan.ha.owned.policies").gauge().value()).isEqualTo(a.owned().size());
    assertThat(registry.get("capstan.ha.fenced.calls").functionCounter().count()).isEqualTo(1);
  }
}
