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
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API, as nomad-autoscaler's: {@code GET /v1/health}, {@code GET /v1/metrics}
 * (Prometheus text format) and Capstan's {@code GET /v1/decisions} (recent decisions as JSON) and
 * {@code GET/PUT/DELETE /v1/policy/{id}/override} ({@link OverrideApi}), and the peer's
 * {@code PUT /v1/agent/reload}.
 * Other paths answer 404, other methods 405. With an {@link HttpToken}, a request that changes something
 * (PUT or DELETE of an override, PUT or POST of a reload) without {@code Authorization: Bearer <token>}
 * answers 401 and changes nothing; reads stay open (health probes and dashboards need no secret). One
 * daemon thread serves it; {@link #close()} stops it.
 */
final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

  /** The content type of Prometheus's text exposition format. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * An answer: status, content type and body.
   *
   * @param status the HTTP status
   * @param contentType the {@code Content-Type}
   * @param body the body
   */
  record Reply(int status, String contentType, String body) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final Optional<HttpToken> token;

  /**
   * The content the API serves, each read afresh per request.
   *
   * @param health the health document (JSON)
   * @param metrics answers {@code GET /v1/metrics} from its query string (null when none)
   * @param decisions the recent decisions (JSON)
   * @param overrides the override API, or null (it answers 404)
   * @param reload reloads the agent files and answers, or null (it answers 404)
   */
  record Content(Supplier<String> health, Function<String, Reply> metrics, Supplier<String> decisions,
      OverrideApi overrides, Supplier<OverrideApi.Answer> reload) {
    Content {
      Objects.requireNonNull(health, "health");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(decisions, "decisions");
    }

    /** Content without the override API and the reload endpoint (they answer 404). */
    Content(Supplier<String> health, Supplier<String> metrics, Supplier<String> decisions) {
      this(health, prometheusText(metrics), decisions, null, null);
    }

    /** Content without the reload endpoint (it answers 404). */
    Content(Supplier<String> health, Supplier<String> metrics, Supplier<String> decisions, OverrideApi overrides) {
      this(health, prometheusText(metrics), decisions, overrides, null);
    }

    /** Metrics that are always {@code text} in Prometheus's format, whatever the query. */
    private static Function<String, Reply> prometheusText(Supplier<String> text) {
      Objects.requireNonNull(text, "metrics");
      return query -> new Reply(200, PROMETHEUS_TEXT, text.get());
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
   * @param token the token that requests changing something must carry, if any
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
    server.createContext("/v1/metrics", ex -> serve(ex, content.metrics()));
    server.createContext("/v1/decisions", ex -> serve(ex, "application/json", content.decisions()));
    if (content.overrides() != null) {
      server.createContext("/v1/policy/", ex -> override(ex, content.overrides()));
    }
    if (content.reload() != null) {
      server.createContext("/v1/agent/reload", ex -> reload(ex, content.reload()));
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
    serve(exchange, query -> new Reply(200, type, body.get()));
  }

  private static void serve(HttpExchange exchange, Function<String, Reply> reply) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals(exchange.getHttpContext().getPath())) {
      answer(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
    } else if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      answer(exchange, 405, "text/plain; charset=utf-8", exchange.getRequestMethod() + " is not allowed; use GET\n");
    } else {
      Reply r;
      try {
        r = reply.apply(exchange.getRequestURI().getRawQuery());
      } catch (RuntimeException e) {
        LOG.warn("serving {} failed", path, e);
        answer(exchange, 500, "text/plain; charset=utf-8", "internal error serving " + path + "\n");
        return;
      }
      answer(exchange, r.status(), r.contentType(), r.body());
    }
  }

  /**
   * {@code PUT /v1/agent/reload}, as nomad-autoscaler's: {@code PUT} or {@code POST} reload, any other
   * method is 405. The peer answers 200 with no body; Capstan adds what was recreated, and answers 500
   * naming the problem when the new files were refused (the peer exits then).
   */
  private void reload(HttpExchange exchange, Supplier<OverrideApi.Answer> reload) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (!path.equals("/v1/agent/reload")) {
      answer(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
    } else if (!method.equals("PUT") && !method.equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "PUT, POST");
      answer(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed; use PUT\n");
    } else if (!refusedWithoutToken(exchange, method, path)) {
      OverrideApi.Answer a;
      try {
        a = reload.get();
      } catch (RuntimeException e) {
        LOG.warn("serving {} failed", path, e);
        answer(exchange, 500, "text/plain; charset=utf-8", "internal error serving " + path + "\n");
        return;
      }
      answer(exchange, a.status(), "application/json", a.json());
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
    if ((method.equals("PUT") || method.equals("DELETE")) && refusedWithoutToken(exchange, method, path)) {
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

  /** Answers 401 and returns true when the agent has a token and the request does not carry it. */
  private boolean refusedWithoutToken(HttpExchange exchange, String method, String path) throws IOException {
    if (token.isEmpty() || token.get().admits(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return false;
    }
    // Neither the header nor the token is logged or echoed: a near miss would leak either.
    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"capstan\"");
    answer(exchange, 401, "application/json", Json.write(Map.of("error", method + " " + path
        + " needs the agent's HTTP token: send the header Authorization: Bearer <token> (the token in the "
        + "agent's http { token_file }); capstan pause|hold|resume take --token-file")));
    return true;
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
