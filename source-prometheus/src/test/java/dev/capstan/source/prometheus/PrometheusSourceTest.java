package dev.capstan.source.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import dev.capstan.testkit.MetricSourceContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The client against a local server answering as Prometheus does, for the paths a healthy server rarely takes. */
final class PrometheusSourceTest {
  private static final String PASSWORD = "pa55-w0rd-never-shown";
  private static final Instant FROM = Instant.parse("2026-11-25T12:00:00.250Z");
  private static final Instant TO = Instant.parse("2026-11-25T12:05:00Z");
  private static final String ONE_SERIES = """
      {"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"job":"web"},"values":[[1795608001,"1"],[1795608002.5,"2.25"],[1795608003,"-3e2"]]}]}}""";

  private LocalHttpServer server;
  private MetricSource source;

  @BeforeEach
  void start() {
    server = LocalHttpServer.start(req -> Response.json(200, ONE_SERIES));
    source = source(Map.of());
  }

  @AfterEach
  void stop() {
    source.close();
    server.close();
  }

  private MetricSource source(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(Map.of("address", server.uri().toString(), "timeout", "5s"));
    config.putAll(extra);
    return new PrometheusSourceProvider().create(config);
  }

  @Test
  void query_matrix_parsesEveryPointExactly() {
    MetricSeries series = source.query("up", FROM, TO);

    assertThat(series).isEqualTo(MetricSeries.of(new long[] {1795608001000L, 1795608002500L, 1795608003000L},
        new double[] {1, 2.25, -300}));
  }

  @Test
  void query_window_postsRangeQueryWithAlignedStartAndOneSecondStep() {
    source.query("sum(rate(http_requests_total[1m]))", FROM, TO);

    RecordedRequest request = server.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/api/v1/query_range");
    assertThat(request.header("Accept")).isEqualTo("application/json");
    assertThat(request.formParams()).containsExactly(
        Map.entry("query", "sum(rate(http_requests_total[1m]))"),
        Map.entry("start", Long.toString(FROM.getEpochSecond() + 1)),
        Map.entry("end", Long.toString(TO.getEpochSecond())),
        Map.entry("step", "1"));
  }

  @Test
  void query_dayLongWindow_coarsensStepBelowElevenThousandPoints() {
    Instant to = FROM.plusSeconds(86_400);
    source.query("up", FROM, to);

    Map<String, String> form = server.requests().get(0).formParams();
    // 86,400 s / 10,999 intervals = 7.9 s, rounded up to whole seconds; start on a multiple of the step.
    assertThat(form.get("step")).isEqualTo("8");
    long start = Long.parseLong(form.get("start"));
    assertThat(start % 8).isZero();
    assertThat(start).isBetween(FROM.getEpochSecond(), FROM.getEpochSecond() + 8);
    assertThat((to.getEpochSecond() - start) / 8 + 1).isLessThanOrEqualTo(11_000);
  }

  @Test
  void query_zeroLengthWindow_postsInstantQueryWithMillisecondTime() {
    server.handler(req -> Response.json(200, """
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795608000.25,"42"]}]}}"""));

    MetricSeries series = source.query("up", FROM, FROM);

    RecordedRequest request = server.requests().get(0);
    assertThat(request.path()).isEqualTo("/api/v1/query");
    assertThat(request.formParams()).containsExactly(Map.entry("query", "up"), Map.entry("time", "1795608000.250"));
    assertThat(series).isEqualTo(MetricSeries.of(1795608000250L, 42));
  }

  @Test
  void query_basicAuthAndHeaders_sendsThem() {
    try (MetricSource auth = source(Map.of("basic_auth_user", "scaler", "basic_auth_password", PASSWORD,
        "header.X-Scope-OrgID", "tenant-1"))) {
      auth.query("up", FROM, TO);
    }

    RecordedRequest request = server.requests().get(0);
    assertThat(request.header("Authorization")).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString(("scaler:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    assertThat(request.header("X-Scope-OrgID")).isEqualTo("tenant-1");
  }

  @Test
  void query_badData_throwsWithPrometheusOwnMessage() {
    server.handler(req -> Response.json(400,
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:4: parse error: unclosed left parenthesis\"}"));

    assertThatThrownBy(() -> source.query("sum(up", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessage("Prometheus at " + server.uri() + ", query 'sum(up': HTTP 400, bad_data: "
            + "1:4: parse error: unclosed left parenthesis; fix the query");
  }

  @Test
  void query_queryTimeoutInPrometheus_suggestsACheaperQuery() {
    server.handler(req -> Response.json(503,
        "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in expression evaluation\"}"));

    assertThatThrownBy(() -> source.query("up", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("HTTP 503, timeout: query timed out in expression evaluation")
        .hasMessageContaining("make the query cheaper");
  }

  @Test
  void query_serviceUnavailableFromProxy_throwsWithStatusAndBody() {
    server.handler(req -> Response.text(503, "upstream connect error\n"));

    assertThatThrownBy(() -> source.query("up", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'up': HTTP 503 'upstream connect error'")
        .hasMessageContaining("check its health");
  }

  @Test
  void query_redirect_isNotFollowedSoCredentialsStay() {
    server.handler(req -> Response.text(301, "").withHeader("Location", "https://elsewhere.example/api/v1/query_range"));

    try (MetricSource auth = source(Map.of("basic_auth_user", "scaler", "basic_auth_password", PASSWORD))) {
      assertThatThrownBy(() -> auth.query("up", FROM, TO))
          .isInstanceOf(MetricSourceException.class)
          .hasMessageContaining("HTTP 301")
          .hasMessageContaining("set address to where it points");
    }
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void query_unauthorized_pointsAtCredentialsWithoutShowingThem() {
    server.handler(req -> Response.text(401, "Unauthorized"));

    try (MetricSource auth = source(Map.of("basic_auth_user", "scaler", "basic_auth_password", PASSWORD))) {
      assertThatThrownBy(() -> auth.query("up", FROM, TO))
          .isInstanceOf(MetricSourceException.class)
          .hasMessageContaining("HTTP 401")
          .hasMessageContaining("check basic_auth_user, basic_auth_password")
          .hasMessageNotContaining(PASSWORD);
    }
  }

  @Test
  void query_slowerThanTimeout_throwsTimeout() {
    CountDownLatch release = new CountDownLatch(1);
    server.handler(req -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Response.json(200, ONE_SERIES);
    });
    try (MetricSource impatient = source(Map.of("timeout", "150ms"))) {
      assertThatThrownBy(() -> impatient.query("up", FROM, TO))
          .isInstanceOf(MetricSourceException.class)
          .hasMessageContaining("query 'up': no answer within 150ms")
          .hasMessageContaining("raise timeout");
    } finally {
      release.countDown();
    }
  }

  @Test
  void query_bodyStallsAfterHeaders_throwsTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket stalling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread peer = new Thread(() -> {
        try (var socket = stalling.accept()) {
          socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              + "Content-Length: 100000\r\n\r\n{\"status\":\"success\",\"data\":{").getBytes(StandardCharsets.UTF_8));
          socket.getOutputStream().flush();
          release.await(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
          // The test is over either way.
        }
      }, "stalling-peer");
      peer.setDaemon(true);
      peer.start();
      try (MetricSource impatient = new PrometheusSourceProvider().create(Map.of(
          // 1 s, not less: the timeout also bounds the connect, which a loaded 2-core CI box can delay.
          "address", "http://127.0.0.1:" + stalling.getLocalPort(), "timeout", "1s"))) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> impatient.query("up", FROM, TO))
            .isInstanceOf(MetricSourceException.class)
            .hasMessageContaining("query 'up': no answer within 1s"));
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void query_nothingListening_namesTheAddressButNotThePassword() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try (MetricSource down = new PrometheusSourceProvider().create(Map.of("address", "http://127.0.0.1:" + port,
        "basic_auth_user", "scaler", "basic_auth_password", PASSWORD))) {
      assertThatThrownBy(() -> down.query("up", FROM, TO))
          .isInstanceOf(MetricSourceException.class)
          .hasMessageContaining("Prometheus at http://127.0.0.1:" + port + ", query 'up': could not connect")
          .hasMessageContaining("check that Prometheus runs there")
          .hasMessageNotContaining(PASSWORD);
    }
  }

  @Test
  void query_threeSeries_asksForAggregation() {
    server.handler(req -> Response.json(200, """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"up","job":"a"},"values":[[1795608001,"1"]]},
          {"metric":{"__name__":"up","job":"b"},"values":[[1795608001,"1"]]},
          {"metric":{"__name__":"up","job":"c","instance":"x:1"},"values":[[1795608001,"0"]]}]}}"""));

    assertThatThrownBy(() -> source.query("up", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageEndingWith("query 'up': the query returned 3 series (up{job=\"a\"}, up{job=\"b\"}, "
            + "up{job=\"c\", instance=\"x:1\"}); aggregate it into one, e.g. sum(...) or max(...)");
  }

  @Test
  void query_emptyResult_throwsNoDataWithWindowAndWarnings() {
    server.handler(req -> Response.json(200, """
        {"status":"success","data":{"resultType":"matrix","result":[]},"warnings":["remote read timed out"]}"""));

    assertThatThrownBy(() -> source.query("nope", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'nope': no data in " + FROM + " .. " + TO + " (step 1s)")
        .hasMessageContaining("widen query_window")
        .hasMessageContaining("Prometheus warned: remote read timed out");
  }

  @Test
  void query_nanAndInfinities_areDropped() {
    server.handler(req -> Response.json(200, """
        {"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[
          [1795608001,"NaN"],[1795608002,"+Inf"],[1795608003,"7.5"],[1795608004,"-Inf"]]}]}}"""));

    assertThat(source.query("up", FROM, TO)).isEqualTo(MetricSeries.of(1795608003000L, 7.5));
  }

  @Test
  void query_onlyNaN_throwsSayingSo() {
    server.handler(req -> Response.json(200, """
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795608001,"NaN"]}]}}"""));

    assertThatThrownBy(() -> source.query("a / b", FROM, FROM))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'a / b': all 1 samples in the instant " + FROM + " were NaN or infinite");
  }

  @Test
  void query_notPrometheus_saysTheAddressMayBeWrong() {
    server.handler(req -> new Response(200, Map.of("Content-Type", "text/html"), "<html>Grafana</html>"));

    assertThatThrownBy(() -> source.query("up", FROM, TO))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("not a Prometheus API response")
        .hasMessageContaining("check that address points at Prometheus");
  }

  @Test
  void query_afterClose_isRejected() {
    source.close();

    assertThatThrownBy(() -> source.query("up", FROM, TO)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toString_withPassword_hidesIt() {
    try (MetricSource auth = source(Map.of("basic_auth_user", "scaler", "basic_auth_password", PASSWORD,
        "header.Authorization-Token", "tok-123"))) {
      assertThat(auth.toString()).contains("scaler", "<hidden>").doesNotContain(PASSWORD, "tok-123");
    }
  }

  /** The testkit contract against a server that answers every range query with one point per step. */
  @Nested
  final class Contract extends MetricSourceContract {
    private LocalHttpServer stepServer;

    @Override
    protected MetricSource createSource() {
      stepServer = LocalHttpServer.start(PrometheusSourceTest::everyStep);
      return new PrometheusSourceProvider().create(Map.of("address", stepServer.uri().toString()));
    }

    @AfterEach
    void stopStepServer() {
      stepServer.close();
    }

    @Override
    protected String queryWithData() {
      return "vector(1)";
    }

    @Override
    protected Instant from() {
      return FROM;
    }

    @Override
    protected Instant to() {
      return TO;
    }
  }

  /** Answers a range query as Prometheus would for {@code vector(1)}: the value 1 at every step. */
  private static Response everyStep(RecordedRequest request) {
    Map<String, String> form = request.formParams();
    long start = Long.parseLong(form.get("start"));
    long end = Long.parseLong(form.get("end"));
    long step = Long.parseLong(form.get("step"));
    StringBuilder values = new StringBuilder();
    for (long t = start; t <= end; t += step) {
      values.append(values.length() == 0 ? "" : ",").append("[").append(t).append(",\"1\"]");
    }
    return Response.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
        + "[{\"metric\":{},\"values\":[" + values + "]}]}}");
  }
}
