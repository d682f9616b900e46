package dev.capstan.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real standalone ZooKeeper server process from Debian's {@code zookeeper} package
 * ({@code /usr/share/zookeeper/bin/zkServer.sh start-foreground}) on a free loopback port, over a temp
 * data directory, for tests that run several processes against one ZooKeeper. Its tick is 500 ms, so
 * it grants sessions from 1 s to 60 s. Without the package the calling test is skipped with a clear
 * message, or fails when integration tests are required ({@link PrometheusServer#required()}:
 * {@code -Dcapstan.it.required=true} or {@code CAPSTAN_IT_REQUIRED=true}, as {@code .ci/run} sets).
 */
public final class ZooKeeperServer implements AutoCloseable {
  /** Where Debian's package puts the server script. */
  public static final Path SCRIPT = Path.of("/usr/share/zookeeper/bin/zkServer.sh");
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  private final Path dir;
  private final Process process;
  private final int port;

  private ZooKeeperServer(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the server and waits until it answers {@code srvr}; skips the test (or fails it, when
   * integration tests are required) if the package is not installed.
   *
   * @return the running server; close it to stop it and remove its data
   * @throws IOException if the directory or process could not be made
   * @throws InterruptedException if interrupted while waiting for readiness
   */
  public static ZooKeeperServer start() throws IOException, InterruptedException {
    if (!Files.isExecutable(SCRIPT)) {
      String message = SCRIPT + " is missing; install the Debian package 'zookeeper' (apt-get install zookeeper)"
          + " to run the multi-process ZooKeeper tests";
      if (PrometheusServer.required()) {
        fail(message + ". They are required here (capstan.it.required / CAPSTAN_IT_REQUIRED is true).");
      }
      Assumptions.abort(message + ". Skipped; set -Dcapstan.it.required=true to make this a failure.");
    }
    Path dir = Files.createTempDirectory("capstan-zookeeper-it");
    Path data = Files.createDirectories(dir.resolve("data"));
    int port = ServerProcesses.freeLoopbackPort();
    Path config = Files.writeString(dir.resolve("zoo.cfg"), String.join("\n",
        "tickTime=500", "dataDir=" + data, "clientPort=" + port, "clientPortAddress=127.0.0.1",
        "maxSessionTimeout=60000", "admin.enableServer=false", "4lw.commands.whitelist=srvr", ""));
    ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "start-foreground", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("zookeeper.log").toFile());
    // The script execs java, so this process is the server itself.
    pb.environment().put("ZOO_LOG_DIR", dir.toString());
    ZooKeeperServer server = new ZooKeeperServer(dir, pb.start(), port);
    try {
      server.awaitReady();
    } catch (RuntimeException | Error | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Returns the connect string of this server.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      // Waiting on the process both paces the poll and notices a server that exited early.
      if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
        fail("zookeeper exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      if (srvr().contains("Mode: standalone")) {
        return;
      }
    }
    fail("zookeeper was not ready within " + READY_WITHIN + ":\n" + log());
  }

  /** The server's answer to the {@code srvr} command, or "" while it does not listen. */
  private String srvr() {
    try (Socket s = new Socket()) {
      // A server still starting may accept the connection and never answer: never wait long on it.
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write("srvr".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException notYet) {
      return "";
    }
  }

  private String log() {
    try {
      String log = Files.readString(dir.resolve("zookeeper.log"), StandardCharsets.UTF_8);
      return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    } catch (IOException e) {
      return "(no log: " + e + ")";
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
}
