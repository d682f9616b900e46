package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.spi.TargetException;
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
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AgentTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final InMemoryTarget target = InMemoryTarget.withCount(2);
  private final HttpClient client = HttpClient.newHttpClient();

  @TempDir
  Path policies;
  @TempDir
  Path state;

  private Agent agent;
  private int writes;

  private static String policy(String name, long value) {
    return """
        scaling "%s" {
          enabled = true
          min = 0
          max = 20
          policy {
            evaluation_interval = "1m"
            cooldown            = "1m"
            check "fixed" {
              strategy "fixed-value" { value = %d }
            }
            target "mem" {}
          }
        }
        """.formatted(name, value);
  }

  private void write(String file, String text) throws IOException {
    Path path = Files.writeString(policies.resolve(file), text);
    // Each write gets a later modification time, whatever the file system's time resolution.
    writes++;
    Files.setLastModifiedTime(path, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(10L * writes)));
  }

  @BeforeEach
  void start() throws IOException {
    write("web.hcl", policy("web", 5));
    AgentConfig config = new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "127.0.0.1", 0, Optional.empty(), List.of(), "agent.hcl");
    agent = new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0).target("mem", target));
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void agent_reloadIntervalUnderAMillisecond_starts(@TempDir Path otherState) throws IOException {
    AgentConfig config = new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "127.0.0.1", 0, Optional.empty(), List.of(), "agent.hcl");

    try (Agent fast = new Agent(config, new Agent.Options(policies, otherState, false, Duration.ofNanos(500_000)),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0).target("mem", target))) {
      assertThat(fast.policies()).containsOnlyKeys(agent.policies().keySet());
    }
  }

  @Test
  void health_listsTheLoadedPolicies() throws Exception {
    HttpResponse<String> response = get("/v1/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\" : \"ok\"").contains("\"web\"");
  }

  @Test
  void decisions_afterAnEvaluation_showItsOutcomeAndAction() throws Exception {
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(target.count()).isEqualTo(5);
    String body = get("/v1/decisions").body();
    assertThat(body).contains("\"policy\" : \"web\"").contains("\"outcome\" : \"SCALED\"")
        .contains("\"count\" : 5").contains("\"direction\" : \"UP\"");
  }

  @Test
  void metrics_afterAnEvaluation_areTheJsonSummaryAsThePeerServesThem() throws Exception {
    scheduler.advance(Duration.ofMinutes(1));

    HttpResponse<String> response = get("/v1/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).contains("\"Counters\"").containsPattern(
        "\"Name\" : \"capstan.evaluations\",\\s+\"Count\" : 1.0,\\s+\"Labels\" : \\{\\s+\"outcome\" : \"scaled\"");
  }

  @Test
  void metrics_prometheusFormatWithoutPrometheusMetrics_is415AsThePeer() throws Exception {
    HttpResponse<String> response = get("/v1/metrics?format=prometheus");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.body()).startsWith("Prometheus is not enabled").contains("prometheus_metrics = true");
  }

  @Test
  void metrics_prometheusFormatWithPrometheusMetrics_isPrometheusText(@TempDir Path otherState) throws Exception {
    AgentConfig config = new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "127.0.0.1", 0, Optional.empty(), List.of(), "agent.hcl")
        .withObservability(new AgentConfig.Observability(false, false, true));
    try (Agent prometheus = new Agent(config, new Agent.Options(policies, otherState, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0).target("mem", target))) {
      scheduler.advance(Duration.ofMinutes(1));

      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + prometheus.httpPort() + "/v1/metrics?format=prometheus")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("# TYPE capstan_evaluations_total counter")
          .contains("capstan_evaluations_total{outcome=\"scaled\"}");
    }
  }

  @Test
  void reload_changedFile_replacesThePolicyAndTheEngineUsesIt() throws Exception {
    write("web.hcl", policy("web", 12));

    assertThat(agent.reloadIfChanged()).isTrue();
    assertThat(agent.reloadIfChanged()).isFalse();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(target.count()).isEqualTo(12);
  }

  @Test
  void reload_newAndRemovedFiles_addAndRemovePolicies() throws Exception {
    write("api.hcl", policy("api", 3));
    assertThat(agent.reloadIfChanged()).isTrue();
    assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactlyInAnyOrder("web", "api");

    Files.delete(policies.resolve("web.hcl"));
    assertThat(agent.reloadIfChanged()).isTrue();
    assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactly("api");
    assertThat(agent.autoscaler().policies()).extracting(p -> p.name()).containsExactly("api");
  }

  @Test
  void reload_brokenFile_keepsItsPreviousPolicyAndReportsTheProblem() throws Exception {
    write("web.hcl", "scaling \"web\" {\n  min = 1\n");

    assertThat(agent.reloadIfChanged()).isTrue();
    assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactly("web");
    assertThat(get("/v1/health").body()).contains("web.hcl:").contains("never closed");
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(target.count()).isEqualTo(5);
  }

  @Test
  void health_policyKeepsFailing_isDegradedNamingThePolicyAndItsLastError() throws Exception {
    target.failNext(InMemoryTarget.Operation.STATUS, new TargetException("no credentials"));

    scheduler.advance(Duration.ofMinutes(1));

    String body = get("/v1/health").body();
    assertThat(body).contains("\"status\" : \"degraded\"").contains("\"failing_policies\"")
        .contains("web (").contains("target 'mem'").contains("no credentials");
  }

  @Test
  void health_afterRecovery_isOkAgain() throws Exception {
    target.failNext(InMemoryTarget.Operation.STATUS, new TargetException("no credentials"));
    scheduler.advance(Duration.ofMinutes(1));

    scheduler.advance(Duration.ofMinutes(1));

    assertThat(get("/v1/health").body()).contains("\"status\" : \"ok\"").doesNotContain("no credentials");
  }

  @Test
  void reload_policyWithoutEnabledTrue_isSkippedAsThePeerDoes() throws Exception {
    write("parked.hcl", policy("parked", 9).replace("enabled = true", ""));

    assertThat(agent.reloadIfChanged()).isTrue();

    assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactly("web");
    assertThat(get("/v1/health").body()).contains("\"disabled_policies\"").contains("parked (");
  }

  @Test
  void reload_sameNameInTwoFiles_bothLoadWithTheirOwnIds() throws Exception {
    write("web-copy.hcl", policy("web", 7));

    assertThat(agent.reloadIfChanged()).isTrue();

    assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactly("web", "web");
    assertThat(agent.policies().values()).extracting(p -> p.origin()).anySatisfy(o -> assertThat(o).endsWith("web-copy.hcl"));
  }
}
