package dev.capstan.target.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP client every Azure request of this target goes through (Resource Manager and Entra ID
 * alike): the JDK's {@link java.net.http.HttpClient}, with whole bodies in memory (Resource Manager and
 * token answers are small JSON documents).
 *
 * <p>Why not azure-core-http-jdk-httpclient's client: it passes the SDK's {@code Content-Length} header
 * to the JDK, which forbids setting it, and logs a WARN line for every request with a body (each
 * token request, capacity change and deletion), so a healthy agent's log filled with warnings. Here a
 * body is sent with its exact length and the restricted headers are simply not copied.
 */
final class JdkTransport implements HttpClient {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final java.net.http.HttpClient client;
  private final Duration responseTimeout;

  /**
   * Wraps a JDK client.
   *
   * @param client sends the requests (its TLS context decides which servers are trusted)
   * @param responseTimeout the longest wait for one response
   */
  JdkTransport(java.net.http.HttpClient client, Duration responseTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.responseTimeout = Objects.requireNonNull(responseTimeout, "responseTimeout");
  }

  /** The production transport: system TLS trust, 10 s to connect, 60 s for a response. */
  static JdkTransport standard() {
    return new JdkTransport(java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        Duration.ofSeconds(60));
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    return Mono.defer(() -> Mono.fromFuture(client.sendAsync(toJdk(request),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray()))).map(r -> new Response(request, r));
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request, Context context) {
    return send(request);
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    CompletableFuture<java.net.http.HttpResponse<byte[]>> future = client.sendAsync(toJdk(request),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    try {
      return new Response(request, future.get());
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + request.getHttpMethod() + " "
          + request.getUrl().getHost(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    }
  }

  private java.net.http.HttpRequest toJdk(HttpRequest request) {
    BinaryData body = request.getBodyAsBinaryData();
    java.net.http.HttpRequest.BodyPublisher publisher = body == null
        ? java.net.http.HttpRequest.BodyPublishers.noBody()
        : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toBytes());
    java.net.http.HttpRequest.Builder builder;
    try {
      builder = java.net.http.HttpRequest.newBuilder(request.getUrl().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid request URL: " + request.getUrl(), e);
    }
    builder.method(request.getHttpMethod().name(), publisher).timeout(responseTimeout);
    for (HttpHeader header : request.getHeaders()) {
      if (!RESTRICTED.contains(header.getName().toLowerCase(Locale.ROOT))) {
        header.getValuesList().forEach(value -> builder.header(header.getName(), value));
      }
    }
    return builder.build();
  }

  /** A response whose body has been read whole. */
  private static final class Response extends HttpResponse {
    private final int status;
    private final HttpHeaders headers = new HttpHeaders();
    private final byte[] body;

    Response(HttpRequest request, java.net.http.HttpResponse<byte[]> response) {
      super(request);
      this.status = response.statusCode();
      for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
        // HTTP/2 pseudo-headers are not headers to the SDK.
        if (!header.getKey().startsWith(":")) {
          headers.set(com.azure.core.http.HttpHeaderName.fromString(header.getKey()), header.getValue());
        }
      }
      this.body = response.body() == null ? new byte[0] : response.body();
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    @SuppressWarnings("deprecation")
    public String getHeaderValue(String name) {
      return headers.getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return body.length == 0 ? Flux.empty() : Flux.defer(() -> Flux.just(ByteBuffer.wrap(body).asReadOnlyBuffer()));
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return BinaryData.fromBytes(body);
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return body.length == 0 ? Mono.empty() : Mono.just(body.clone());
    }

    @Override
    public Mono<String> getBodyAsString() {
      return getBodyAsString(charset());
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return body.length == 0 ? Mono.empty() : Mono.just(new String(body, charset));
    }

    private Charset charset() {
      String type = headers.getValue(com.azure.core.http.HttpHeaderName.CONTENT_TYPE);
      if (type != null) {
        for (String part : type.split(";")) {
          String p = part.strip();
          if (p.regionMatches(true, 0, "charset=", 0, 8)) {
            try {
              return Charset.forName(p.substring(8).replace("\"", ""));
            } catch (IllegalArgumentException e) {
              break;
            }
          }
        }
      }
      return StandardCharsets.UTF_8;
    }
  }
}
