package dev.capstan.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code prometheus} process on a free loopback port, over a temp data directory backfilled
 * with known OpenMetrics samples through {@code promtool tsdb create-blocks-from openmetrics}, for
 * tests that run a metric client against the real server (Debian package {@code prometheus}).
 * Without the binaries the calling test is skipped with a clear message, or fails when integration
 * tests are required ({@code -Dcapstan.it.required=true} or {@code CAPSTAN_IT_REQUIRED=true}, as
 * {@code .ci/run} sets).
 */
public final class PrometheusServer implements AutoCloseable {
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  private final Path dir;
  private final Process process;
  private final URI address;

  private PrometheusServer(Path dir, Process process, URI address) {
    this.dir = dir;
    this.process = process;
    this.address = address;
  }

  /**
   * Backfills {@code openMetrics}, starts Prometheus over it and waits until it is ready; skips the
   * test (or fails it, when integration tests are required) if the binaries are missing.
   *
   * @param openMetrics the samples, in OpenMetrics text format ending with {@code # EOF}
   * @return the running server; close it to stop it and remove its data
   * @throws IOException if the directory, backfill or process could not be made
   * @throws InterruptedException if interrupted while waiting for readiness
   */
  public static PrometheusServer start(String openMetrics) throws IOException, InterruptedException {
    Path prometheus = PrometheusServer.require("prometheus");
    Path promtool = PrometheusServer.require("promtool");
    Path dir = Files.createTempDirectory("capstan-prometheus-it");
    Path data = Files.createDirectories(dir.resolve("data"));
    Path samples = Files.writeString(dir.resolve("samples.om"), openMetrics);
    run(dir, List.of(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
        samples.toString(), data.toString()));
    // No scrape jobs: the backfilled history is the only data, so every value is known.
    Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
    int port = ServerProcesses.freeLoopbackPort();
    Process process = new ProcessBuilder(prometheus.toString(),
        "--config.file=" + config,
        "--storage.tsdb.path=" + data,
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    PrometheusServer server = new PrometheusServer(dir, process, URI.create("http://127.0.0.1:" + port));
    try {
      server.awaitReady();
    } catch (RuntimeException | Error | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Returns where the server answers.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public URI address() {
    return address;
  }

  private void awaitReady() throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(address + "/-/ready")).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      // Waiting on the process both paces the poll and notices a Prometheus that exited early.
      if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
        fail("prometheus exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      try {
        if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
    }
    fail("prometheus was not ready within " + READY_WITHIN + ":\n" + log());
  }

  private String log() {
    try {
      String log = Files.readString(dir.resolve("prometheus.log"), StandardCharsets.UTF_8);
      return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
    Path out = dir.resolve("promtool.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish within 60s");
    }
    if (p.exitValue() != 0) {
      fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + Files.readString(out));
    }
  }

  /**
   * Stops the process and removes its data directory. An interrupt while waiting for the process
   * kills it at once and is kept on the thread.
   */
  @Override
  public void close() {
    ServerProcesses.stopAndRemove(process, dir);
  }


  /**
   * Returns a binary's path; skips or fails the calling test when it is not on the PATH.
   *
   * @param name {@code prometheus} or {@code promtool}
   * @return the executable
   */
  public static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isPresent()) {
      return found.get();
    }
    String message = "'" + name + "' is not on the PATH (" + System.getenv("PATH") + "); install the Debian package"
        + " 'prometheus' (apt-get install prometheus) to run the Prometheus integration tests";
    if (required()) {
      fail(message + ". They are required here (capstan.it.required / CAPSTAN_IT_REQUIRED is true).");
    }
    Assumptions.abort(message + ". Skipped; set -Dcapstan.it.required=true to make this a failure.");
    throw new AssertionError("unreachable");
  }

  /**
   * Returns whether integration tests must run here rather than skip.
   *
   * @return true when {@code capstan.it.required} or {@code CAPSTAN_IT_REQUIRED} is true
   */
  public static boolean required() {
    return isTrue(System.getProperty("capstan.it.required")) || isTrue(System.getenv("CAPSTAN_IT_REQUIRED"));
  }

  private static boolean isTrue(String value) {
    return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
  }

  private static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
