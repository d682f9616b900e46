package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Start-up failures: one line with the cause, the stack trace only when debugging was asked for. */
final class StartFailureTest {
  private final CliRun cli = new CliRun();

  @TempDir
  Path policies;
  @TempDir
  Path state;

  @AfterEach
  void resetLogging() {
    AgentLog.reset();
  }

  @Test
  void busyPort_withLogLevelDebug_addsTheStackTrace() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int status = cli.execute("agent", "-policy-dir", policies.toString(), "-state-dir", state.toString(),
          "-http-bind-port", String.valueOf(taken.getLocalPort()), "-log-level=debug");

      assertThat(status).isEqualTo(1);
      assertThat(cli.err()).contains("capstan agent cannot start: cannot bind the HTTP API").contains("\tat ");
    }
  }

  @Test
  void describe_unexpectedFailure_namesItsCauses() {
    RuntimeException e = new IllegalStateException("ZooKeeper client failed to start",
        new UncheckedIOException(new AccessDeniedException("/var/lib/zk")));

    assertThat(StartFailure.describe(e)).isEqualTo("ZooKeeper client failed to start: permission denied");
  }

  @Test
  void describe_failureWithoutMessage_namesItsKind() {
    assertThat(StartFailure.describe(new NullPointerException())).isEqualTo("NullPointerException");
  }

  private static AgentCommand parse(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "agent";
    System.arraycopy(args, 0, all, 1, args.length);
    return (AgentCommand) Main.commandLine().parseArgs(all).subcommand().commandSpec().userObject();
  }

  @Test
  void observabilityFlags_turnTheFilesSettingsOn() {
    AgentConfig c = parse("-log-json", "-log-include-location", "-telemetry-prometheus-metrics")
        .withFlags(AgentConfig.defaults());

    assertThat(c.observability()).isEqualTo(new AgentConfig.Observability(true, true, true));
  }

  @Test
  void observabilityFlagsFalse_leaveTheFilesSettingsOnAsThePeerMerges() {
    AgentConfig file = AgentConfig.parse("log_json = true\ntelemetry {\n  prometheus_metrics = true\n}\n", "a.hcl");

    AgentConfig c = parse("-log-json=false", "-telemetry-prometheus-metrics=false").withFlags(file);

    assertThat(c.observability()).isEqualTo(new AgentConfig.Observability(true, false, true));
  }

  @Test
  void unknownFlag_isExit2() {
    assertThat(cli.execute("agent", "-log-jsonn")).isEqualTo(CommandLine.ExitCode.USAGE);
  }
}
