package dev.capstan.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.capstan.source.prometheus.PrometheusResponses;
import dev.capstan.spi.MetricSeries;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parses a 10,000-point {@code /api/v1/query_range} response (about 3 hours at a 1s step, the size a
 * long query_window gives) into a {@link MetricSeries}.
 *
 * <p>{@code baseline} only walks the same body's JSON tokens, the floor any streaming parse pays;
 * the gap to {@code parseRangeResponse} is the cost of reading timestamps and values and building
 * the series.
 *
 * <p>Run: {@code ./mvnw -B -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * PrometheusParseBenchmark -prof gc}. Results: {@code benchmarks/results/prometheus-parse.txt}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PrometheusParseBenchmark {
  static final int POINTS = 10_000;
  private static final JsonFactory JSON = new JsonFactory();

  private byte[] body;

  /** Builds the response once: whole-second timestamps and gauge-like values, as Prometheus writes them. */
  @Setup
  public void buildResponse() {
    SplittableRandom random = new SplittableRandom(42);
    StringBuilder json = new StringBuilder(POINTS * 32)
        .append("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[");
    long start = 1_795_608_000L;
    for (int i = 0; i < POINTS; i++) {
      json.append(i == 0 ? "" : ",").append('[').append(start + i).append(",\"")
          .append(Math.round(random.nextDouble(0, 100) * 1e6) / 1e6).append("\"]");
    }
    body = json.append("]}]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses the whole response into a series.
   *
   * @return the series, so the work is not eliminated
   */
  @Benchmark
  public MetricSeries parseRangeResponse() {
    return PrometheusResponses.parse(new ByteArrayInputStream(body), "sum(rate(http_requests_total[1m]))");
  }

  /**
   * Walks the tokens of the same body and nothing else.
   *
   * @return the token count, so the work is not eliminated
   * @throws IOException never, the body is in memory
   */
  @Benchmark
  public int baseline() throws IOException {
    int tokens = 0;
    try (JsonParser p = JSON.createParser(new ByteArrayInputStream(body))) {
      while (p.nextToken() != null) {
        tokens++;
      }
    }
    return tokens;
  }
}
