package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class AgentHttpServerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger decisionsServed = new AtomicInteger();
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = new AgentHttpServer("127.0.0.1", 0, new AgentHttpServer.Content(
        () -> "{\"status\":\"ok\"}",
        () -> "capstan_up 1\n",
        () -> "[" + decisionsServed.incrementAndGet() + "]"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void get_health_answersJson() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void get_metrics_answersPrometheusText() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(response.body()).isEqualTo("capstan_up 1\n");
  }

  @Test
  void get_decisions_readsFreshContentEachTime() throws Exception {
    assertThat(send("GET", "/v1/decisions").body()).isEqualTo("[1]");
    assertThat(send("GET", "/v1/decisions").body()).isEqualTo("[2]");
  }

  @Test
  void post_health_isNotAllowed() throws Exception {
    HttpResponse<String> response = send("POST", "/v1/health");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains("GET");
  }

  @Test
  void get_unknownPath_isNotFound() throws Exception {
    assertThat(send("GET", "/v1/healthz").statusCode()).isEqualTo(404);
    assertThat(send("GET", "/v2/anything").statusCode()).isEqualTo(404);
  }
}
