package dev.capstan.ha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.engine.PolicyState;
import dev.capstan.spi.Direction;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class ZooKeeperStateStoreTest {
  private static final PolicyState COOLING = new PolicyState(
      Optional.of(new PolicyState.LastAction(6, Direction.UP, Instant.parse("2026-01-01T00:00:00Z"))),
      Instant.parse("2026-01-01T00:05:00Z"), true, Optional.of(Instant.parse("2025-12-31T23:59:00Z")));

  private TestingServer server;
  private CuratorFramework first;
  private CuratorFramework second;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    first = client();
    second = client();
  }

  private CuratorFramework client() throws InterruptedException {
    CuratorFramework c = CuratorFrameworkFactory.newClient(server.getConnectString(), 10_000, 5_000, new RetryOneTime(100));
    c.start();
    assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return c;
  }

  @AfterEach
  void stop() throws Exception {
    first.close();
    second.close();
    server.close();
  }

  @Test
  void load_nothingSaved_isInitial() {
    assertThat(ZooKeeperStateStore.create(first, "/c/state").load("p")).isEqualTo(PolicyState.INITIAL);
  }

  @Test
  void save_readByAnotherMember_sameStateAndEntries() {
    ZooKeeperStateStore a = ZooKeeperStateStore.create(first, "/c/state");
    a.save("file.hcl/web", COOLING);
    a.put("file.hcl/web", "scale-in.journal", "{\"nodes\":[\"n1\"]}");

    ZooKeeperStateStore b = ZooKeeperStateStore.create(second, "/c/state");

    assertThat(b.load("file.hcl/web")).isEqualTo(COOLING);
    assertThat(b.get("file.hcl/web", "scale-in.journal")).hasValue("{\"nodes\":[\"n1\"]}");
    assertThat(a.pathOf("file.hcl/web")).startsWith("/c/state/x-");
  }

  @Test
  void save_afterAnotherWriterWrote_failsAndKeepsTheirState() {
    ZooKeeperStateStore a = ZooKeeperStateStore.create(first, "/c/state");
    ZooKeeperStateStore b = ZooKeeperStateStore.create(second, "/c/state");
    a.load("p");
    b.load("p");
    b.save("p", COOLING);

    assertThatThrownBy(() -> a.save("p", PolicyState.INITIAL))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("changed by another writer");
    assertThat(b.load("p")).isEqualTo(COOLING);
    // Having lost the race, a re-reads and may write on top of what it now knows.
    assertThat(a.load("p")).isEqualTo(COOLING);
    a.save("p", COOLING.confirmed());
    assertThat(b.load("p")).isEqualTo(COOLING.confirmed());
  }

  @Test
  void remove_entry_keepsState() {
    ZooKeeperStateStore a = ZooKeeperStateStore.create(first, "/c/state");
    a.save("p", COOLING);
    a.put("p", "scale-in.journal", "{}");
    a.remove("p", "scale-in.journal");
    a.remove("p", "missing");

    ZooKeeperStateStore b = ZooKeeperStateStore.create(second, "/c/state");
    assertThat(b.get("p", "scale-in.journal")).isEmpty();
    assertThat(b.load("p")).isEqualTo(COOLING);
  }

  @Test
  void put_largerThanTheLimit_refusedBeforeWriting() {
    ZooKeeperStateStore a = ZooKeeperStateStore.create(first, "/c/state");
    a.save("p", COOLING);
    String huge = "\"" + "x".repeat(ZooKeeperStateStore.MAX_BYTES) + "\"";

    assertThatThrownBy(() -> a.put("p", "big", huge))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("must be at most " + ZooKeeperStateStore.MAX_BYTES);
    assertThat(ZooKeeperStateStore.create(second, "/c/state").get("p", "big")).isEmpty();
  }
}
