package dev.capstan.source.prometheus;

import dev.capstan.config.Durations;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * A {@link MetricSource} over the Prometheus HTTP API, on the JDK's {@link HttpClient}.
 *
 * <p>A window runs as a range query ({@code /api/v1/query_range}); a window of zero length runs as an
 * instant query ({@code /api/v1/query}). Queries are sent as form posts, so long PromQL never hits
 * a URL length limit. Thread-safe.
 */
final class PrometheusSource implements MetricSource {
  /** Prometheus refuses a range query of more than 11,000 points per series. */
  static final long MAX_POINTS = 11_000;
  /** The peer's fixed step, and the finest we ask for. */
  static final long MIN_STEP_MILLIS = 1_000;
  /** How much of an unexpected error body goes into a message. */
  private static final int BODY_EXCERPT = 300;

  private final PrometheusConfig config;
  private final ExecutorService executor;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  PrometheusSource(PrometheusConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "capstan-prometheus");
      t.setDaemon(true);
      return t;
    });
    HttpClient.Builder builder = HttpClient.newBuilder()
        // Prometheus speaks HTTP/1.1 in the clear; skipping the h2c upgrade saves a round of headers.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.timeout())
        // Not followed: the client would repeat the Authorization header to wherever it is sent.
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor);
    config.sslContext().ifPresent(builder::sslContext);
    this.client = builder.build();
  }

  @Override
  public MetricSeries query(String query, Instant from, Instant to) {
    Objects.requireNonNull(query, "query");
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("from " + from + " is after to " + to + " for query '" + query + "'");
    }
    if (closed.get()) {
      throw new IllegalStateException("this Prometheus source (" + config.address() + ") was closed");
    }
    long fromMs = from.toEpochMilli();
    long toMs = to.toEpochMilli();
    if (fromMs == toMs) {
      String where = "Prometheus at " + config.address() + ", query '" + query + "'";
      String form = "query=" + encode(query) + "&time=" + seconds(toMs);
      return send(request("/api/v1/query", form), where, "the instant " + to, 1, false);
    }
    long step = stepMillis(fromMs, toMs);
    String window = from + " .. " + to + " (step " + Durations.format(java.time.Duration.ofMillis(step)) + ")";
    return range(query, alignedStart(fromMs, toMs, step), toMs, step, window, false);
  }

  /**
   * Runs one {@code query_range} at exactly {@code stepMs} from {@code startMs} to {@code endMs}
   * (both inclusive, epoch millis); the caller keeps it within {@value #MAX_POINTS} points.
   *
   * @param window the window as messages name it
   * @param emptyIsOk whether a range without data is an empty series rather than an error
   */
  MetricSeries range(String query, long startMs, long endMs, long stepMs, String window, boolean emptyIsOk) {
    if (closed.get()) {
      throw new IllegalStateException("this Prometheus source (" + config.address() + ") was closed");
    }
    String where = "Prometheus at " + config.address() + ", query '" + query + "'";
    String form = "query=" + encode(query) + "&start=" + seconds(startMs) + "&end=" + seconds(endMs)
        + "&step=" + seconds(stepMs);
    int expected = (int) ((endMs - startMs) / stepMs + 1);
    return send(request("/api/v1/query_range", form), where, window, expected, emptyIsOk);
  }

  private HttpRequest request(String path, String form) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.address() + path))
        .timeout(config.timeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    config.authorization().ifPresent(a -> request.header("Authorization", a));
    config.headers().forEach(request::header);
    return request.build();
  }

  private MetricSeries send(HttpRequest request, String where, String window, int expected, boolean emptyIsOk) {
    long deadline = System.nanoTime() + config.timeout().toNanos();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new MetricSourceException(where + ": could not connect within " + Durations.format(config.timeout())
          + "; check that Prometheus runs there and that address is right", e);
    } catch (HttpTimeoutException e) {
      throw new MetricSourceException(where + ": no answer within " + Durations.format(config.timeout())
          + "; make the query cheaper (e.g. a shorter query_window) or raise timeout", e);
    } catch (SSLException e) {
      throw new MetricSourceException(where + ": TLS failed (" + describe(e) + "); set ca_file to the PEM of the CA"
          + " that signed the server's certificate", e);
    } catch (ConnectException e) {
      throw new MetricSourceException(where + ": could not connect (" + describe(e)
          + "); check that Prometheus runs there and that address is right", e);
    } catch (IOException e) {
      throw new MetricSourceException(where + ": the request failed (" + describe(e) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricSourceException(where + ": interrupted while waiting for the answer", e);
    }
    // The client's timeout ends with the response headers; a body that stalls after them would block
    // this thread for good, so the stream is closed at the deadline and the read fails.
    InputStream stream = response.body();
    AtomicBoolean late = new AtomicBoolean();
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
      late.set(true);
      closeQuietly(stream);
    }, CompletableFuture.delayedExecutor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS, executor));
    try (InputStream body = stream) {
      int status = response.statusCode();
      boolean json = response.headers().firstValue("Content-Type").orElse("").contains("json");
      if (status / 100 != 2 && !json) {
        throw new MetricSourceException(where + ": HTTP " + status + " " + excerpt(body) + advice(status));
      }
      PrometheusResponses.Parsed parsed;
      try {
        parsed = PrometheusResponses.parse(body, expected);
      } catch (IOException | IllegalArgumentException e) {
        if (late.get()) {
          throw bodyTimeout(where, e);
        }
        throw new MetricSourceException(where + ": HTTP " + status
            + ", but the body is not a Prometheus API response (" + e.getMessage() + "); check that address points at Prometheus", e);
      }
      if (!parsed.isSuccess() || status / 100 != 2) {
        String type = parsed.errorType().orElse("error");
        throw new MetricSourceException(where + ": HTTP " + status + ", " + type + ": "
            + parsed.error().orElse("(no message)") + advice(status, type));
      }
      if (emptyIsOk && parsed.seriesCount() == 0) {
        return MetricSeries.empty();
      }
      return parsed.singleSeries(where, window);
    } catch (IOException e) {
      if (late.get()) {
        throw bodyTimeout(where, e);
      }
      throw new MetricSourceException(where + ": reading the answer failed (" + describe(e) + ")", e);
    } finally {
      watchdog.cancel(false);
    }
  }

  private MetricSourceException bodyTimeout(String where, Exception e) {
    return new MetricSourceException(where + ": no answer within " + Durations.format(config.timeout())
        + " (the body stopped arriving); make the query cheaper (e.g. a shorter query_window) or raise timeout", e);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // The reader sees the stream closed either way.
    }
  }

  /**
   * Returns the step for a range query: whole seconds, at least one (the peer's fixed step), and
   * coarse enough that the window holds at most {@value #MAX_POINTS} points.
   */
  static long stepMillis(long fromMs, long toMs) {
    long window = toMs - fromMs;
    long seconds = Math.max(1, ceilDiv(window, (MAX_POINTS - 1) * MIN_STEP_MILLIS));
    return seconds * MIN_STEP_MILLIS;
  }

  /**
   * Returns the first evaluation time: the window's start rounded up to a multiple of the step, so
   * evaluations a few (jittered) milliseconds apart see the same points; the start itself when the
   * window is shorter than that.
   */
  static long alignedStart(long fromMs, long toMs, long step) {
    long aligned = ceilDiv(fromMs, step) * step;
    return aligned <= toMs ? aligned : fromMs;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  /** Formats epoch millis as the decimal seconds the API takes. */
  static String seconds(long millis) {
    long s = Math.floorDiv(millis, 1000);
    long ms = Math.floorMod(millis, 1000);
    return ms == 0 ? Long.toString(s) : s + "." + String.format("%03d", ms);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String excerpt(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(BODY_EXCERPT + 1);
    String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    if (text.isEmpty()) {
      return "with an empty body";
    }
    return "'" + (text.length() > BODY_EXCERPT ? text.substring(0, BODY_EXCERPT) + "..." : text) + "'";
  }

  private static String advice(int status) {
    if (status == 401 || status == 403) {
      return "; check basic_auth_user, basic_auth_password and the header.* settings";
    }
    if (status / 100 == 3) {
      return "; the server redirects, set address to where it points (e.g. https)";
    }
    if (status == 404) {
      return "; check that address points at Prometheus (including any path prefix)";
    }
    if (status / 100 == 5) {
      return "; Prometheus or a proxy in front of it is failing, check its health";
    }
    return "";
  }

  private static String advice(int status, String errorType) {
    return switch (errorType) {
      case "bad_data" -> "; fix the query";
      case "timeout" -> "; make the query cheaper (e.g. a shorter query_window)";
      case "execution" -> "; check the query against the data";
      default -> advice(status);
    };
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "PrometheusSource[" + config + "]";
  }
}
