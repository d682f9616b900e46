package dev.capstan.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API, as nomad-autoscaler's: {@code GET /v1/health}, {@code GET /v1/metrics}
 * (Prometheus text format) and Capstan's {@code GET /v1/decisions} (recent decisions as JSON) and
 * {@code GET/PUT/DELETE /v1/policy/{id}/override} ({@link OverrideApi}).
 * Other paths answer 404, other methods 405. With an {@link HttpToken}, a PUT or DELETE of an override
 * without {@code Authorization: Bearer <token>} answers 401 and changes nothing; reads stay open (health
 * probes and dashboards need no secret). One daemon thread serves it; {@link #close()} stops it.
 */
final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final Optional<HttpToken> token;

  /**
   * The content the API serves, each read afresh per request.
   *
   * @param health the health document (JSON)
   * @param metrics the metrics in Prometheus text format
   * @param decisions the recent decisions (JSON)
   */
  record Content(Supplier<String> health, Supplier<String> metrics, Supplier<String> decisions,
      OverrideApi overrides) {
    Content {
      Objects.requireNonNull(health, "health");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(decisions, "decisions");
    }

    /** Content without the override API (it answers 404). */
    Content(Supplier<String> health, Supplier<String> metrics, Supplier<String> decisions) {
      this(health, metrics, decisions, null);
    }
  }

  /**
   * Binds and starts the server with no token: every request is served.
   *
   * @param port the port, 0 for a free one (see {@link #port()})
   * @throws IOException if the address cannot be bound; the message names it
   */
  AgentHttpServer(String address, int port, Content content) throws IOException {
    this(address, port, content, Optional.empty());
  }

  /**
   * Binds and starts the server.
   *
   * @param port the port, 0 for a free one (see {@link #port()})
   * @param token the token that mutating requests must carry, if any
   * @throws IOException if the address cannot be bound; the message names it
   */
  AgentHttpServer(String address, int port, Content content, Optional<HttpToken> token) throws IOException {
    this.token = Objects.requireNonNull(token, "token");
    try {
      server = HttpServer.create(new InetSocketAddress(address, port), 0);
    } catch (IOException e) {
      throw new IOException("cannot bind the HTTP API to " + address + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/v1/health", ex -> serve(ex, "application/json", content.health()));
    server.createContext("/v1/metrics", ex -> serve(ex, "text/plain; version=0.0.4; charset=utf-8", content.metrics()));
    server.createContext("/v1/decisions", ex -> serve(ex, "application/json", content.decisions()));
    if (content.overrides() != null) {
      server.createContext("/v1/policy/", ex -> override(ex, content.overrides()));
    }
    server.createContext("/", ex -> answer(ex, 404, "text/plain; charset=utf-8",
        "not found; try /v1/health, /v1/metrics or /v1/decisions\n"));
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "capstan-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** Returns the port the server listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  private static void serve(HttpExchange exchange, String type, Supplier<String> body) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals(exchange.getHttpContext().getPath())) {
      answer(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
    } else if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      answer(exchange, 405, "text/plain; charset=utf-8", exchange.getRequestMethod() + " is not allowed; use GET\n");
    } else {
      String text;
      try {
        text = body.get();
      } catch (RuntimeException e) {
        LOG.warn("serving {} failed", path, e);
        answer(exchange, 500, "text/plain; charset=utf-8", "internal error serving " + path + "\n");
        return;
      }
      answer(exchange, 200, type, text);
    }
  }

  /** {@code /v1/policy/{id}/override}; the policy id or name is one path segment. */
  private void override(HttpExchange exchange, OverrideApi api) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String rest = path.substring("/v1/policy/".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || !rest.substring(slash).equals("/override")) {
      answer(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "; try /v1/policy/{id}/override\n");
      return;
    }
    String body;
    try (var in = exchange.getRequestBody()) {
      // An override is a few hundred bytes; refuse to buffer more than 64 KiB from anyone.
      byte[] bytes = in.readNBytes(64 * 1024);
      body = new String(bytes, StandardCharsets.UTF_8);
    }
    String method = exchange.getRequestMethod();
    boolean mutates = method.equals("PUT") || method.equals("DELETE");
    if (mutates && token.isPresent() && !token.get().admits(exchange.getRequestHeaders().getFirst("Authorization"))) {
      // Neither the header nor the token is logged or echoed: a near miss would leak either.
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"capstan\"");
      answer(exchange, 401, "application/json", Json.write(Map.of("error", method + " " + path
          + " needs the agent's HTTP token: send the header Authorization: Bearer <token> (the token in the "
          + "agent's http { token_file }); capstan pause|hold|resume take --token-file")));
      return;
    }
    OverrideApi.Answer a;
    try {
      a = api.handle(exchange.getRequestMethod(), rest.substring(0, slash), body);
    } catch (RuntimeException e) {
      LOG.warn("serving {} failed", path, e);
      answer(exchange, 500, "text/plain; charset=utf-8", "internal error serving " + path + "\n");
      return;
    }
    if (a.status() == 405) {
      exchange.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
    }
    answer(exchange, a.status(), "application/json", a.json());
  }

  private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
