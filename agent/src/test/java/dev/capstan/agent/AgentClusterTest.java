package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.spi.ConfigException;
import dev.capstan.testkit.InMemoryNodePool;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent file's {@code node_pool} blocks, wired to the cluster scale-in flow of core. */
final class AgentClusterTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final String id = UUID.randomUUID().toString();
  private final InMemoryTarget target = InMemoryTarget.withCount(3);
  private final InMemoryNodePool pool = new InMemoryNodePool()
      .ready("n1", "default-1", "hashistack", 1, 500)
      .ready("n2", "default-2", "hashistack", 2, 100)
      .ready("n3", "default-3", "hashistack", 3, 800)
      .ready("rpi1", "rpi-1", "hashistack-rpi", 4, 0);

  @TempDir
  Path dir;

  private Path policies;
  private Path state;

  @BeforeEach
  void files() throws IOException {
    InMemoryPlugins.register(id, target);
    InMemoryPlugins.register(id, pool);
    policies = Files.createDirectories(dir.resolve("policies"));
    state = dir.resolve("state");
    Files.writeString(policies.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          min = 0
          max = 20
          policy {
            evaluation_interval = "1m"
            cooldown            = "1m"
            check "fixed" {
              strategy "fixed-value" { value = 2 }
            }
            target "cloud" {
              node_class = "hashistack"
            }
          }
        }
        """);
  }

  private Path agentFile(String targetDriver, String poolDriver) throws IOException {
    // Port 0: the default 8080 may be taken on the machine running the tests.
    return Files.writeString(dir.resolve("agent.hcl"), """
        http { bind_port = 0 }
        node_pool "nomad" {
          driver = "%s"
          config = { id = "%s" }
        }
        target "cloud" {
          driver    = "%s"
          node_pool = "nomad"
          config    = { id = "%s" }
        }
        """.formatted(poolDriver, id, targetDriver, id));
  }

  private Agent start(Path agentFile, Executor drains, ManualScheduler scheduler) throws IOException {
    return new Agent(AgentConfig.parse(agentFile),
        new Agent.Options(policies, state, false, Duration.ZERO, Optional.of(drains)),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0));
  }

  private List<List<String>> terminated() {
    return target.calls().stream().filter(c -> c.operation() == InMemoryTarget.Operation.TERMINATE)
        .map(InMemoryTarget.Call::instanceIds).toList();
  }

  private String journalFile() throws IOException {
    return Files.readString(state.resolve(ScaleInJournal.STATE_STORE_OWNER + ".json"));
  }

  @Test
  void run_targetWithNodePool_drainsTheChosenNodeAndTerminatesExactlyItsInstance() throws IOException {
    ManualScheduler scheduler = new ManualScheduler(clock);
    try (Agent agent = start(agentFile("in-memory", "in-memory"), Runnable::run, scheduler)) {
      scheduler.advance(Duration.ofMinutes(1));
    }

    assertThat(pool.calls()).containsExactly("drain n2");
    assertThat(terminated()).containsExactly(List.of("default-2"));
    assertThat(target.scaleActions()).isEmpty();
    assertThat(target.instances(InMemoryTarget.DEFAULT_GROUP)).containsExactly("default-1", "default-3");
    assertThat(pool.isClosed()).isTrue();
    assertThat(target.isClosed()).isTrue();
  }

  @Test
  void run_crashWhileDraining_journalInStateDirIsRolledBackByTheNextAgent() throws IOException {
    List<Runnable> neverRun = new ArrayList<>();
    ManualScheduler first = new ManualScheduler(clock);
    try (Agent agent = start(agentFile("in-memory", "in-memory"), neverRun::add, first)) {
      first.advance(Duration.ofMinutes(1));
      assertThat(journalFile()).contains("DRAINING").contains("n2").contains("default-2");
    }
    assertThat(neverRun).hasSize(1);
    assertThat(pool.calls()).isEmpty();

    ManualScheduler second = new ManualScheduler(clock);
    try (Agent agent = start(agentFile("in-memory", "in-memory"), Runnable::run, second)) {
      second.advance(Duration.ofMinutes(1));
    }

    assertThat(pool.calls()).containsExactly("eligible n2 true", "drain n2");
    assertThat(terminated()).containsExactly(List.of("default-2"));
    assertThat(journalFile()).doesNotContain("n2");
  }

  @Test
  void start_targetThatIsNotAnInstanceGroup_failsNamingFileBlockAndPool() throws IOException {
    Path file = agentFile("in-memory-resize-only", "in-memory");

    assertThatThrownBy(() -> start(file, Runnable::run, new ManualScheduler(clock)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid agent file " + file + ": target \"cloud\": driver 'in-memory-resize-only' cannot "
            + "terminate chosen instances (it is not an InstanceGroup), so it cannot scale in through node_pool 'nomad'");
    assertThat(target.isClosed()).isTrue();
    assertThat(pool.isClosed()).isTrue();
  }

  @Test
  void start_unknownNodePoolDriver_listsTheAvailableOnes() throws IOException {
    Path file = agentFile("in-memory", "nomadx");

    assertThatThrownBy(() -> start(file, Runnable::run, new ManualScheduler(clock)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown node pool 'nomadx'; available: in-memory, nomad");
  }

  @Test
  void parse_targetNamingAnUndeclaredNodePool_failsNamingFileBlockAndName() {
    String hcl = """
        node_pool "consul" {
          driver = "in-memory"
        }
        target "cloud" {
          driver    = "in-memory"
          node_pool = "nomad"
        }
        """;

    assertThatThrownBy(() -> AgentConfig.parse(hcl, "agent.hcl"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid agent file agent.hcl: target \"cloud\": node_pool was 'nomad' but it must name a "
            + "node_pool block of this file; declared: consul");
  }

  @Test
  void parse_nodePoolOnAnotherKindOfBlock_isAnUnknownKey() {
    String hcl = """
        apm "prometheus" {
          driver    = "prometheus"
          node_pool = "nomad"
        }
        """;

    assertThatThrownBy(() -> AgentConfig.parse(hcl, "agent.hcl"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid agent file agent.hcl: apm \"prometheus\": 'node_pool' is not a known key; "
            + "known keys are args, config, driver");
  }

  @Test
  void parse_nodePoolBlocks_readByNameAndReferencedByTargets() {
    AgentConfig config = AgentConfig.parse("""
        node_pool "nomad" {
          driver = "nomad"
          config = { address = "http://127.0.0.1:4646" }
        }
        target "aws-asg" {
          driver    = "aws-asg"
          node_pool = "nomad"
        }
        target "gce-mig" {
          driver = "gce-mig"
        }
        """, "agent.hcl");

    assertThat(config.nodePools()).containsOnlyKeys("nomad");
    assertThat(config.nodePools().get("nomad").config()).containsEntry("address", "http://127.0.0.1:4646");
    assertThat(config.targets().get("aws-asg").nodePool()).contains("nomad");
    assertThat(config.targets().get("gce-mig").nodePool()).isEmpty();
    assertThat(config.origin()).isEqualTo("agent.hcl");
  }
}
