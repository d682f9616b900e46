package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.OperatorOverride;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/policy/{id}/override} over real HTTP, and the CLI commands that call it. */
final class OverrideApiTest {
  private static final ScalingPolicy WEB = ScalingPolicy.builder().name("web").min(1).max(10)
      .check(Check.of("cpu", "src", "q", PluginRef.of("fixed", Map.of())))
      .target(PluginRef.of("in-memory", Map.of())).build();

  private static final String SECRET = "0123456789abcdef0123";

  @TempDir
  Path dir;
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final HttpClient client = HttpClient.newHttpClient();
  private Autoscaler autoscaler;
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    autoscaler = Autoscaler.builder().clock(clock).executor(Runnable::run).lookupPlugins(false)
        .strategy("fixed", c -> (current, metrics) -> current).target("in-memory", InMemoryTarget.withCount(2))
        .policy(WEB).build();
    server = new AgentHttpServer("127.0.0.1", 0, new AgentHttpServer.Content(() -> "{}", () -> "", () -> "[]",
        new OverrideApi(autoscaler)));
  }

  @AfterEach
  void stop() {
    server.close();
    autoscaler.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(server, method, path, body, null);
  }

  private HttpResponse<String> send(AgentHttpServer to, String method, String path, String body, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A server over the same engine whose mutating requests need {@link #SECRET}. */
  private AgentHttpServer guarded() throws Exception {
    HttpToken token = HttpToken.read(Files.writeString(dir.resolve("token"), SECRET + "\n"));
    return new AgentHttpServer("127.0.0.1", 0, new AgentHttpServer.Content(() -> "{}", () -> "", () -> "[]",
        new OverrideApi(autoscaler)), Optional.of(token));
  }

  @Test
  void token_putOrDeleteWithoutTheToken_401AndNothingChanges() throws Exception {
    autoscaler.override(WEB.id(), OperatorOverride.hold(4));
    try (AgentHttpServer guarded = guarded()) {
      HttpResponse<String> put = send(guarded, "PUT", "/v1/policy/web/override", "{\"kind\":\"pause\"}", null);
      HttpResponse<String> delete = send(guarded, "DELETE", "/v1/policy/web/override", null, "Bearer wrong-token-000000");

      assertThat(put.statusCode()).isEqualTo(401);
      assertThat(put.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"capstan\"");
      assertThat(put.body()).contains("needs the agent's HTTP token").doesNotContain(SECRET);
      assertThat(delete.statusCode()).isEqualTo(401);
      assertThat(delete.body()).doesNotContain("wrong-token");
      assertThat(autoscaler.override(WEB.id())).get().extracting(OperatorOverride::kind)
          .isEqualTo(OperatorOverride.Kind.HOLD);
    }
  }

  @Test
  void token_reloadWithoutTheToken_401AndNotReloaded() throws Exception {
    java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();
    HttpToken token = HttpToken.read(Files.writeString(dir.resolve("token"), SECRET));
    try (AgentHttpServer guarded = new AgentHttpServer("127.0.0.1", 0, new AgentHttpServer.Content(() -> "{}",
        q -> new AgentHttpServer.Reply(200, "text/plain", ""), () -> "[]", new OverrideApi(autoscaler), () -> {
          reloads.incrementAndGet();
          return new OverrideApi.Answer(200, "{}");
        }), Optional.of(token))) {
      HttpResponse<String> without = send(guarded, "PUT", "/v1/agent/reload", null, null);
      HttpResponse<String> with = send(guarded, "PUT", "/v1/agent/reload", null, "Bearer " + SECRET);

      assertThat(without.statusCode()).isEqualTo(401);
      assertThat(with.statusCode()).isEqualTo(200);
      assertThat(reloads).hasValue(1);
    }
  }

  @Test
  void token_rightBearerChanges_andReadsNeedNone() throws Exception {
    try (AgentHttpServer guarded = guarded()) {
      HttpResponse<String> put = send(guarded, "PUT", "/v1/policy/web/override", "{\"kind\":\"pause\"}",
          "Bearer " + SECRET);
      HttpResponse<String> get = send(guarded, "GET", "/v1/policy/web/override", null, null);

      assertThat(put.statusCode()).isEqualTo(200);
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).contains("\"kind\" : \"pause\"");
    }
  }

  @Test
  void token_cliWithTokenFileSucceeds_withoutItFailsSayingWhy() throws Exception {
    try (AgentHttpServer guarded = guarded()) {
      String address = "http://127.0.0.1:" + guarded.port();
      CliRun without = new CliRun();
      assertThat(without.execute("pause", "web", "--address", address)).isEqualTo(1);
      assertThat(without.err()).contains("needs the agent's HTTP token");

      CliRun with = new CliRun();
      assertThat(with.execute("pause", "web", "--address", address, "--token-file", dir.resolve("token").toString()))
          .as(with.err()).isZero();
      assertThat(autoscaler.override(WEB.id())).isPresent();
    }
  }

  @Test
  void put_pauseForTwoHours_storedAndAnsweredByGet() throws Exception {
    HttpResponse<String> put = send("PUT", "/v1/policy/web/override",
        "{\"kind\":\"pause_scale_in\",\"for\":\"2h\",\"reason\":\"incident 42\",\"author\":\"alice\"}");

    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(autoscaler.override(WEB.id())).get().satisfies(o -> {
      assertThat(o.kind()).isEqualTo(OperatorOverride.Kind.PAUSE_SCALE_IN);
      assertThat(o.until()).contains(clock.instant().plus(Duration.ofHours(2)));
      assertThat(o.author()).isEqualTo("alice");
    });
    HttpResponse<String> get = send("GET", "/v1/policy/" + WEB.id() + "/override", null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(get.body()).contains("\"kind\" : \"pause_scale_in\"").contains("\"until\" : \"2026-01-01T02:00:00Z\"");
  }

  @Test
  void delete_removesTheOverride() throws Exception {
    autoscaler.override(WEB.id(), OperatorOverride.hold(4));

    HttpResponse<String> delete = send("DELETE", "/v1/policy/web/override", null);

    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(delete.body()).contains("\"override\" : null").contains("\"previous\"");
    assertThat(autoscaler.override(WEB.id())).isEmpty();
  }

  @Test
  void put_badInput_400NamingTheField() throws Exception {
    assertThat(send("PUT", "/v1/policy/web/override", "{\"kind\":\"pause\",\"for\":\"soon\"}").body())
        .contains("for was 'soon' but it");
    assertThat(send("PUT", "/v1/policy/web/override", "{\"kind\":\"hold\"}").body())
        .contains("count is missing but it must be given to hold");
    assertThat(send("PUT", "/v1/policy/web/override", "{\"kind\":\"stop\"}").body()).contains("kind was 'stop'");
    assertThat(send("PUT", "/v1/policy/web/override", "{\"kind\":\"pause\",\"until\":\"monday\"}").body())
        .contains("until was 'monday' but it must be an ISO-8601 instant");
    assertThat(send("PUT", "/v1/policy/web/override", "{\"kind\":\"pause\",\"colour\":\"red\"}").body())
        .contains("colour");
    HttpResponse<String> notJson = send("PUT", "/v1/policy/web/override", "pause please");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(autoscaler.override(WEB.id())).isEmpty();
  }

  @Test
  void unknownPolicyOrMethod_404And405() throws Exception {
    assertThat(send("GET", "/v1/policy/nope/override", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/v1/policy/web/overrides", null).statusCode()).isEqualTo(404);
    HttpResponse<String> post = send("POST", "/v1/policy/web/override", "{}");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, PUT, DELETE");
  }

  @Test
  void nameSharedByTwoFiles_409ListingTheIds_andTheIdStillWorks() {
    ScalingPolicy other = WEB.toBuilder().origin("other.hcl").build();
    try (Autoscaler two = Autoscaler.builder().clock(clock).executor(Runnable::run).lookupPlugins(false)
        .strategy("fixed", c -> (current, metrics) -> current).target("in-memory", InMemoryTarget.withCount(2))
        .policy(WEB).policy(other).build()) {
      OverrideApi api = new OverrideApi(two);

      OverrideApi.Answer byName = api.handle("PUT", "web", "{\"kind\":\"pause\"}");
      OverrideApi.Answer byId = api.handle("PUT", other.id(), "{\"kind\":\"pause\"}");

      assertThat(byName.status()).isEqualTo(409);
      assertThat(byName.json()).contains("policy name 'web' is ambiguous").contains(WEB.id()).contains(other.id());
      assertThat(byId.status()).isEqualTo(200);
      assertThat(two.override(other.id())).isPresent();
      assertThat(two.override(WEB.id())).isEmpty();
    }
  }

  @Test
  void cli_pauseHoldResume_againstTheAgent() {
    String address = "http://127.0.0.1:" + server.port();
    CliRun pause = new CliRun();
    assertThat(pause.execute("pause", "web", "--scale-in", "--for", "2h", "--reason", "incident", "--author", "bob",
        "--address", address)).as(pause.err()).isZero();
    assertThat(autoscaler.override(WEB.id())).get().extracting(OperatorOverride::kind, OperatorOverride::reason)
        .containsExactly(OperatorOverride.Kind.PAUSE_SCALE_IN, "incident");

    CliRun hold = new CliRun();
    assertThat(hold.execute("hold", "web", "--count", "10", "--until", "2026-01-05T09:00:00Z", "--address", address))
        .as(hold.err()).isZero();
    assertThat(autoscaler.override(WEB.id())).get().extracting(OperatorOverride::count)
        .isEqualTo(java.util.OptionalLong.of(10));

    CliRun resume = new CliRun();
    assertThat(resume.execute("resume", "web", "--address", address)).isZero();
    assertThat(autoscaler.override(WEB.id())).isEmpty();

    CliRun bad = new CliRun();
    assertThat(bad.execute("pause", "nope", "--address", address)).isEqualTo(1);
    assertThat(bad.err()).contains("no policy has the id or name 'nope'");
  }
}
