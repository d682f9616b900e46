package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the agent files: on demand (SIGHUP's code path), and through {@code PUT /v1/agent/reload}. */
final class AgentReloadTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final HttpClient client = HttpClient.newHttpClient();
  // Unique per test: the in-memory providers' registry is static.
  private final String keepId = "keep-" + UUID.randomUUID();
  private final String oldId = "old-" + UUID.randomUUID();
  private final String newId = "new-" + UUID.randomUUID();
  private final InMemoryTarget kept = InMemoryTarget.withCount(1);
  private final InMemoryTarget old = InMemoryTarget.withCount(1);
  private final InMemoryTarget replacement = InMemoryTarget.withCount(1);

  @TempDir
  Path dir;
  @TempDir
  Path policies;
  @TempDir
  Path state;

  private Path agentFile;
  private Agent agent;

  private String agentText(String changingId) {
    return """
        target "keep" {
          driver = "in-memory"
          config = { id = "%s" }
        }
        target "change" {
          driver = "in-memory"
          config = { id = "%s" }
        }
        http { bind_port = 0 }
        """.formatted(keepId, changingId);
  }

  @BeforeEach
  void start() throws IOException {
    InMemoryPlugins.register(keepId, kept);
    InMemoryPlugins.register(oldId, old);
    InMemoryPlugins.register(newId, replacement);
    Files.writeString(policies.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          min = 0
          max = 20
          policy {
            evaluation_interval = "1m"
            cooldown            = "1s"
            check "fixed" {
              strategy "fixed-value" { value = 5 }
            }
            target "change" {}
          }
        }
        """);
    agentFile = Files.writeString(dir.resolve("agent.hcl"), agentText(oldId));
    agent = new Agent(AgentConfig.parse(agentFile), () -> AgentConfig.parse(agentFile),
        new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0));
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void reloadAgent_changedTargetBlock_recreatesOnlyThatTargetAndTheEngineUsesIt() throws IOException {
    int keptBefore = InMemoryPlugins.created(keepId);
    Files.writeString(agentFile, agentText(newId));

    Agent.ReloadOutcome outcome = agent.reloadAgent();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(outcome.applied()).isTrue();
    assertThat(outcome.recreated()).containsExactly("target \"change\"");
    assertThat(InMemoryPlugins.created(keepId)).isEqualTo(keptBefore);
    assertThat(kept.isClosed()).isFalse();
    assertThat(old.isClosed()).isTrue();
    assertThat(replacement.count()).isEqualTo(5);
    assertThat(old.count()).isEqualTo(1);
  }

  @Test
  void reloadAgent_unchangedFiles_keepEveryPluginAndTheEngine() {
    var engine = agent.autoscaler();

    Agent.ReloadOutcome outcome = agent.reloadAgent();

    assertThat(outcome.applied()).isTrue();
    assertThat(outcome.recreated()).isEmpty();
    assertThat(agent.autoscaler()).isSameAs(engine);
    assertThat(old.isClosed()).isFalse();
  }

  @Test
  void reloadAgent_invalidNewFile_keepsTheOldOneAndHealthShowsTheProblemUntilFixed() throws Exception {
    Files.writeString(agentFile, agentText(newId) + "\nlog_level = \"LOUD\"\n");

    Agent.ReloadOutcome outcome = agent.reloadAgent();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(outcome.applied()).isFalse();
    assertThat(outcome.problem()).get().asString().contains(agentFile.toString()).contains("log_level was 'LOUD'");
    assertThat(old.count()).isEqualTo(5);
    assertThat(replacement.count()).isEqualTo(1);
    assertThat(old.isClosed()).isFalse();
    String health = send("GET", "/v1/health").body();
    assertThat(health).contains("\"status\" : \"degraded\"").contains("log_level was 'LOUD'");

    Files.writeString(agentFile, agentText(newId));
    assertThat(agent.reloadAgent().applied()).isTrue();
    assertThat(send("GET", "/v1/health").body()).contains("\"status\" : \"ok\"");
  }

  @Test
  void reloadAgent_newFileWithAnUnknownDriver_isRefusedNamingTheDriver() throws IOException {
    Files.writeString(agentFile, agentText(oldId) + "\napm \"p\" { driver = \"no-such-apm\" }\n");

    Agent.ReloadOutcome outcome = agent.reloadAgent();

    assertThat(outcome.applied()).isFalse();
    assertThat(outcome.problem()).get().asString().contains("no-such-apm");
    assertThat(old.isClosed()).isFalse();
  }

  @Test
  void reloadAgent_alsoReloadsThePolicies() throws IOException {
    Files.writeString(policies.resolve("web.hcl"), Files.readString(policies.resolve("web.hcl"))
        .replace("value = 5", "value = 7"));

    agent.reloadAgent();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(old.count()).isEqualTo(7);
  }

  @Test
  void httpReload_put_reloadsAndSaysWhatWasRecreated() throws Exception {
    Files.writeString(agentFile, agentText(newId));

    HttpResponse<String> response = send("PUT", "/v1/agent/reload");
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"reloaded\" : true").contains("target \\\"change\\\"");
    assertThat(replacement.count()).isEqualTo(5);
  }

  @Test
  void httpReload_postAsThePeerAccepts_reloads() throws Exception {
    assertThat(send("POST", "/v1/agent/reload").statusCode()).isEqualTo(200);
  }

  @Test
  void httpReload_invalidNewFile_is500NamingTheProblem() throws Exception {
    Files.writeString(agentFile, "target \"change\" { }\nhttp { bind_port = 0 }\n");

    HttpResponse<String> response = send("PUT", "/v1/agent/reload");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("\"reloaded\" : false").contains("previous ones stay in force")
        .contains("driver is required");
  }

  @Test
  void httpReload_get_is405AsThePeer() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/agent/reload");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("PUT, POST");
  }

  @Test
  void hangupHandler_runsTheReloadAndSurvivesOneThatThrows() {
    AtomicInteger runs = new AtomicInteger();
    Runnable handler = Signals.hangupHandler(() -> {
      if (runs.incrementAndGet() == 1) {
        throw new IllegalStateException("boom");
      }
    });

    handler.run();
    handler.run();

    assertThat(runs).hasValue(2);
  }

  @Test
  void reloadAgent_httpAddressChanged_keepsTheBoundPort() throws Exception {
    int port = agent.httpPort();
    Files.writeString(agentFile, agentText(oldId).replace("bind_port = 0", "bind_port = 1"));

    assertThat(agent.reloadAgent().applied()).isTrue();

    assertThat(agent.httpPort()).isEqualTo(port);
    assertThat(send("GET", "/v1/health").statusCode()).isEqualTo(200);
    assertThat(List.of(agent.policies().keySet().size())).containsExactly(1);
  }
}
