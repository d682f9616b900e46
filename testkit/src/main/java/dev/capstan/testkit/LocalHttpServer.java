package dev.capstan.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTP server on a free loopback port that records every request and answers through a handler,
 * so a plug-in's real client (a cloud SDK, an HTTP client) can be tested against a local endpoint.
 *
 * <pre>{@code
 * try (LocalHttpServer server = LocalHttpServer.start(req -> LocalHttpServer.Response.json(200, "{}"))) {
 *   client = Client.builder().endpoint(server.uri()).build();
 *   ...
 *   assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly("/v1/x");
 * }
 * }</pre>
 *
 * <p>Only ever binds to 127.0.0.1. A handler that throws answers 500 with the exception's message.
 *
 * <p>{@link #startHttps} serves the same over TLS with a self-signed certificate for {@code 127.0.0.1}
 * and {@code localhost} that ships in this jar (a test-only key: never trust it outside tests). A
 * client trusts it through {@link #clientSslContext()}, for clients that refuse plain HTTP (Azure's
 * bearer-token policy, OAuth token endpoints).
 */
public final class LocalHttpServer implements AutoCloseable {

  /**
   * A request as the server received it.
   *
   * @param method the HTTP method, upper case
   * @param path the decoded path, e.g. {@code /api/v1/query}
   * @param rawQuery the raw query string, or {@code ""}
   * @param headers request headers, names lower-cased, first value of each
   * @param body the request body as UTF-8 text
   */
  public record RecordedRequest(String method, String path, String rawQuery, Map<String, String> headers,
      String body) {
    /**
     * Copies the headers.
     *
     * @param method the HTTP method, upper case
     * @param path the decoded path
     * @param rawQuery the raw query string, or {@code ""}
     * @param headers request headers, names lower-cased
     * @param body the request body as UTF-8 text
     */
    public RecordedRequest {
      headers = Map.copyOf(headers);
    }

    /**
     * Returns the query string's parameters, decoded; the first value of each name.
     *
     * @return an immutable map in order of appearance
     */
    public Map<String, String> queryParams() {
      return decodeForm(rawQuery);
    }

    /**
     * Returns the body's parameters when it is {@code application/x-www-form-urlencoded}.
     *
     * @return an immutable map in order of appearance, first value of each name
     */
    public Map<String, String> formParams() {
      return decodeForm(body);
    }

    /**
     * Returns a header's value.
     *
     * @param name the header name, any case
     * @return its first value, or {@code null}
     */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A response the handler gives.
   *
   * @param status the HTTP status
   * @param headers response headers
   * @param body the body as UTF-8 text; empty for none
   */
  public record Response(int status, Map<String, String> headers, String body) {
    /**
     * Copies the headers.
     *
     * @param status the HTTP status
     * @param headers response headers
     * @param body the body as UTF-8 text; empty for none
     */
    public Response {
      headers = Map.copyOf(headers);
      Objects.requireNonNull(body, "body");
    }

    /**
     * Returns a JSON response.
     *
     * @param status the HTTP status
     * @param json the body
     * @return a response with {@code Content-Type: application/json}
     */
    public static Response json(int status, String json) {
      return new Response(status, Map.of("Content-Type", "application/json"), json);
    }

    /**
     * Returns an XML response.
     *
     * @param status the HTTP status
     * @param xml the body
     * @return a response with {@code Content-Type: text/xml}
     */
    public static Response xml(int status, String xml) {
      return new Response(status, Map.of("Content-Type", "text/xml"), xml);
    }

    /**
     * Returns a plain-text response.
     *
     * @param status the HTTP status
     * @param text the body
     * @return a response with {@code Content-Type: text/plain}
     */
    public static Response text(int status, String text) {
      return new Response(status, Map.of("Content-Type", "text/plain; charset=utf-8"), text);
    }

    /**
     * Returns this response with one more header.
     *
     * @param name the header name
     * @param value its value
     * @return a new response
     */
    public Response withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Response(status, h, body);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Function<RecordedRequest, Response> handler;

  /** The bundled test-only key pair and certificate (PKCS#12); its password is not a secret. */
  private static final String KEY_STORE = "loopback-tls.p12";
  private static final char[] KEY_STORE_PASSWORD = "capstan-testkit-only".toCharArray();

  private final boolean tls;

  private LocalHttpServer(Function<RecordedRequest, Response> handler, boolean tls) throws IOException {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.tls = tls;
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls) {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(serverSslContext()));
      this.server = https;
    } else {
      this.server = HttpServer.create(loopback, 0);
    }
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "local-http-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @param handler answers each request
   * @return the running server; close it when done
   * @throws UncheckedIOException if no port could be bound
   */
  public static LocalHttpServer start(Function<RecordedRequest, Response> handler) {
    try {
      return new LocalHttpServer(handler, false);
    } catch (IOException e) {
      throw new UncheckedIOException("could not bind a loopback port", e);
    }
  }

  /**
   * Starts an HTTPS server on a free loopback port, with the bundled self-signed certificate for
   * {@code 127.0.0.1} and {@code localhost}; clients trust it through {@link #clientSslContext()}.
   *
   * @param handler answers each request
   * @return the running server; its {@link #uri()} is {@code https://127.0.0.1:PORT}
   * @throws UncheckedIOException if no port could be bound
   */
  public static LocalHttpServer startHttps(Function<RecordedRequest, Response> handler) {
    try {
      return new LocalHttpServer(handler, true);
    } catch (IOException e) {
      throw new UncheckedIOException("could not bind a loopback port", e);
    }
  }

  /**
   * Returns a TLS context that trusts exactly the certificate of {@link #startHttps} servers (and no
   * public CA), for the client under test: {@code HttpClient.newBuilder().sslContext(...)}.
   *
   * @return a new client-side context
   * @throws IllegalStateException if the bundled certificate cannot be read (a broken jar)
   */
  public static SSLContext clientSslContext() {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      Certificate certificate = keyStore().getCertificate("loopback");
      trusted.setCertificateEntry("loopback", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("testkit's loopback TLS certificate could not be loaded", e);
    }
  }

  private static SSLContext serverSslContext() throws IOException {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore(), KEY_STORE_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("testkit's loopback TLS key could not be loaded", e);
    }
  }

  private static KeyStore keyStore() throws IOException, GeneralSecurityException {
    try (InputStream in = LocalHttpServer.class.getResourceAsStream(KEY_STORE)) {
      if (in == null) {
        throw new IOException(KEY_STORE + " is missing from capstan-testkit");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, KEY_STORE_PASSWORD);
      return store;
    }
  }

  /**
   * Replaces the handler for requests that arrive from now on.
   *
   * @param handler the new handler
   */
  public void handler(Function<RecordedRequest, Response> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Returns the base URI, e.g. {@code http://127.0.0.1:41234} ({@code https://} for
   * {@link #startHttps}), without a trailing slash.
   *
   * @return the base URI
   */
  public URI uri() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Returns every request received so far, in arrival order.
   *
   * @return an immutable copy
   */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the requests recorded so far. */
  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      URI uri = exchange.getRequestURI();
      RecordedRequest request = new RecordedRequest(exchange.getRequestMethod().toUpperCase(Locale.ROOT),
          uri.getPath(), uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers, body);
      requests.add(request);
      Response response;
      try {
        response = handler.apply(request);
      } catch (RuntimeException e) {
        response = Response.text(500, "test handler failed: " + e);
      }
      byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      boolean noBody = bytes.length == 0 || request.method().equals("HEAD") || response.status() == 204;
      exchange.sendResponseHeaders(response.status(), noBody ? -1 : bytes.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  private static Map<String, String> decodeForm(String encoded) {
    Map<String, String> params = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return params;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(name, value);
    }
    return java.util.Collections.unmodifiableMap(params);
  }
}
