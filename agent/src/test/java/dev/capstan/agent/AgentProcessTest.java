package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a separate process, for what one JVM cannot show: a lock held by another process, and
 * a real SIGHUP delivered by the operating system. The process runs {@link Main} on this test's class
 * path; the test waits for the lines it prints (with a generous bound, never a fixed sleep).
 */
final class AgentProcessTest {
  private static final long WAIT_SECONDS = 60;

  @TempDir
  Path dir;

  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private void start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(reading the agent's output failed: " + e + ")");
      }
    }, "agent-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for the first line that matches, keeping every line seen for the failure message. */
  private String await(Predicate<String> wanted, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        break;
      }
      seen.add(line);
      if (wanted.test(line)) {
        return line;
      }
    }
    throw new AssertionError("the agent never printed " + what + "; it printed:\n" + String.join("\n", seen));
  }

  @Test
  void agentInAnotherProcess_holdsTheStateDirectoryAndSighupReloadsItsAgentFile() throws Exception {
    assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
        "SIGHUP and kill(1) need a POSIX system");
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Path state = dir.resolve("state");
    Path agentFile = Files.writeString(dir.resolve("agent.hcl"), "http { bind_port = 0 }\n");

    start("agent", "-config", agentFile.toString(), "-policy-dir", policies.toString(), "-state-dir",
        state.toString(), "-reload-interval", "0");
    String running = await(l -> l.startsWith("capstan agent running"), "its start line");
    Matcher port = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/").matcher(running);
    assertThat(port.find()).as(running).isTrue();

    // The lock is the other process's: this JVM holds nothing, so only the OS lock can refuse it.
    assertThatThrownBy(() -> StateDirLock.acquire(state)).isInstanceOf(StateDirLock.LockedException.class)
        .hasMessageContaining("(pid " + process.pid() + " on ");

    Files.writeString(agentFile, "http { bind_port = 0 }\nlog_level = \"LOUD\"\n");
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    await(l -> l.contains("the agent files were not reloaded"), "the refused reload");

    HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port.group(1) + "/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.body()).contains("\"status\" : \"degraded\"").contains("log_level was 'LOUD'");

    process.destroy();
    assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    // The operating system released the lock with the process.
    StateDirLock.acquire(state).close();
  }
}
