package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.LocalHttpServer;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a Nomad fake: job policies, the inherited {@code nomad {}} block, short queries. */
final class AgentNomadTest {
  private static final String SECRET = "agent-s3cret";
  private static final String FIXED = """
      {"evaluation_interval": "1m", "cooldown": "1m",
       "check": [{"fixed": [{"strategy": [{"fixed-value": [{"value": %d}]}]}]}]}""";

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeNomad nomad = new FakeNomad();
  private final HttpClient http = HttpClient.newHttpClient();
  private LocalHttpServer server;
  private Agent agent;

  @TempDir
  Path policies;
  @TempDir
  Path state;

  @BeforeEach
  void setUp() {
    nomad.addJob("apps", "web", Map.of("frontend", 2L));
    nomad.acl(SECRET, true);
    server = LocalHttpServer.start(nomad);
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    server.close();
  }

  /** Starts the agent over an agent file pointed at the fake; returns once it has read Nomad's policies. */
  private void start(String extra) throws Exception {
    AgentConfig config = AgentConfig.parse("""
        nomad {
          address   = "%s"
          token     = "%s"
          namespace = "apps"
        }
        http { bind_port = 0 }
        %s
        """.formatted(server.uri(), SECRET, extra), "agent.hcl");
    CompletableFuture<Void> read = nomad.policiesWatched();
    agent = new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0));
    read.get(30, TimeUnit.SECONDS);
  }

  /** Returns once the agent has taken every policy change made so far. */
  private void awaitNomad() throws Exception {
    nomad.policiesWatched().get(30, TimeUnit.SECONDS);
  }

  private String health() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void jobPolicy_isEvaluated_andScalesThroughTheNomadTargetWithTheInheritedToken() throws Exception {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, FIXED.formatted(3));

    start("");

    assertThat(agent.policies().values()).extracting(ScalingPolicy::name).containsExactly("apps/web/frontend");
    scheduler.advance(Duration.ofMinutes(1));
    // 3.0 from Nomad is the fixed-value count; the undeclared target "nomad" used the nomad block's token.
    assertThat(nomad.count("apps", "web", "frontend")).isEqualTo(3);
    assertThat(health()).contains("\"status\" : \"ok\"").contains("apps/web/frontend").doesNotContain(SECRET);
  }

  @Test
  void jobPolicy_change_invalidVersion_andDeletion_reachTheEngine() throws Exception {
    String id = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, FIXED.formatted(3));
    start("");

    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, FIXED.formatted(5));
    awaitNomad();
    ScalingPolicy changed = agent.policies().values().iterator().next();
    assertThat(changed.checks().get(0).strategy().config()).containsEntry("value", "5");

    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, FIXED.formatted(6).replace("\"1m\"", "\"soon\""));
    awaitNomad();
    assertThat(agent.policies()).containsExactly(Map.entry(changed.id(), changed));
    assertThat(health()).contains("\"status\" : \"degraded\"").contains("nomad scaling policy " + id)
        .contains("soon");
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(nomad.count("apps", "web", "frontend")).as("the old version still runs").isEqualTo(5);

    nomad.purgeJob("apps", "web");
    awaitNomad();
    assertThat(agent.policies()).isEmpty();
    assertThat(health()).contains("\"status\" : \"ok\"").doesNotContain("nomad scaling policy");
  }

  @Test
  void filePolicy_shortNomadQuery_isExpanded_andTheUndeclaredMetricSourceInheritsTheBlock() throws Exception {
    nomad.addNode(FakeNomad.NodeSpec.of("n1"));
    for (int i = 0; i < 2; i++) {
      String alloc = nomad.addAllocation("n1", "apps", "web", "frontend", 500, 256);
      nomad.setAllocationStats(alloc, 100, 500, 0);
    }
    Files.writeString(policies.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          min = 1
          max = 10
          policy {
            evaluation_interval = "1m"
            check "cpu" {
              source = "nomad-apm"
              query  = "avg_cpu"
              strategy "target-value" { target = 50 }
            }
            target "nomad" {
              Job       = "web"
              Group     = "frontend"
              Namespace = "apps"
            }
          }
        }
        """);

    start("");

    ScalingPolicy web = agent.policies().values().iterator().next();
    assertThat(web.checks().get(0).query()).isEqualTo("taskgroup_avg_cpu/frontend/web@apps");
    scheduler.advance(Duration.ofMinutes(1));
    // 100 % against a target of 50 % doubles the group: the source and the target both got the token.
    assertThat(nomad.count("apps", "web", "frontend")).isEqualTo(4);
  }

  @Test
  void declaredNomadPlugins_inheritKeyByKey_ownSettingsWin() throws Exception {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, FIXED.formatted(3));

    // The target's own token is wrong, so its scale is refused: its own setting won over the block's.
    start("""
        target "nomad" {
          driver = "nomad"
          config = { nomad_token = "wrong" }
        }
        """);
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(nomad.count("apps", "web", "frontend")).isEqualTo(2);
    assertThat(health()).contains("ACL token not found").doesNotContain(SECRET);
  }

  @Test
  void badNomadBlockValue_stopsTheStart_namingTheFileAndTheBlock_neverTheToken() {
    AgentConfig config = AgentConfig.parse("""
        nomad {
          address = "ftp://nomad:4646"
          token   = "%s"
        }
        http { bind_port = 0 }
        """.formatted(SECRET), "agent.hcl");

    assertThatThrownBy(() -> new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("agent.hcl")
        .hasMessageContaining("nomad block: address was 'ftp://nomad:4646'").hasMessageNotContaining(SECRET);
  }

  @Test
  void nodePoolWithoutConfig_inheritsTheBlock_itsNodeReadsCarryTheToken() throws Exception {
    String id = java.util.UUID.randomUUID().toString();
    InMemoryPlugins.register(id, InMemoryTarget.withCount(3));
    nomad.addNode(FakeNomad.NodeSpec.of("n1").withClass("hashistack"));
    Files.writeString(policies.resolve("cloud.hcl"), """
        scaling "cloud" {
          enabled = true
          min = 0
          max = 5
          policy {
            evaluation_interval = "1m"
            check "fixed" {
              strategy "fixed-value" { value = 2 }
            }
            target "cloud" { node_class = "hashistack" }
          }
        }
        """);

    start("""
        node_pool "nomad" {
          driver = "nomad"
        }
        target "cloud" {
          driver    = "in-memory"
          node_pool = "nomad"
          config    = { id = "%s" }
        }
        """.formatted(id));
    scheduler.advance(Duration.ofMinutes(1));

    // The scale-in asked the pool for nodes: through the nomad block's address, with its token.
    assertThat(server.requests()).filteredOn(r -> r.path().equals("/v1/nodes")).isNotEmpty()
        .allSatisfy(r -> assertThat(r.header("X-Nomad-Token")).isEqualTo(SECRET));
  }
}
