package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's lock, between two agents in one JVM (the JVM refuses a second lock on one
 * file) and between processes ({@link AgentProcessTest} starts a real second agent process).
 */
final class StateDirLockTest {
  @TempDir
  Path policies;
  @TempDir
  Path state;

  private final CliRun cli = new CliRun();

  private static AgentConfig noFile() {
    return new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "127.0.0.1", 0, Optional.empty(), List.of(), "agent.hcl");
  }

  private Agent agent() throws IOException {
    return new Agent(noFile(), new Agent.Options(policies, state, false, Duration.ZERO), b -> { });
  }

  @Test
  void acquire_heldInThisJvm_isRefusedNamingTheHolder() throws IOException {
    try (StateDirLock held = StateDirLock.acquire(state)) {
      assertThatThrownBy(() -> StateDirLock.acquire(state)).isInstanceOf(StateDirLock.LockedException.class)
          .hasMessageContaining("the state directory " + state + " is in use by another agent (pid "
              + ProcessHandle.current().pid() + " on ")
          .hasMessageContaining("give each agent its own -state-dir");
    }
  }

  @Test
  void acquire_writesPidAndHostIntoTheLockFile() throws IOException {
    try (StateDirLock held = StateDirLock.acquire(state)) {
      assertThat(Files.readString(state.resolve(StateDirLock.FILE)))
          .startsWith("pid " + ProcessHandle.current().pid() + " on ");
    }
  }

  @Test
  void acquire_afterTheHolderClosed_succeedsAndRewritesTheHolder() throws IOException {
    StateDirLock.acquire(state).close();
    // A longer text left by an earlier holder must not survive behind the new one.
    Files.writeString(state.resolve(StateDirLock.FILE), "x".repeat(300));

    try (StateDirLock again = StateDirLock.acquire(state)) {
      assertThat(Files.readString(state.resolve(StateDirLock.FILE))).doesNotContain("x").endsWith("\n");
    }
  }

  @Test
  void agent_secondOnTheSameStateDirectory_refusesToStart() throws IOException {
    try (Agent first = agent()) {
      assertThatThrownBy(this::agent).isInstanceOf(StateDirLock.LockedException.class)
          .hasMessageContaining("in use by another agent");
    }
    agent().close();
  }

  @Test
  void cli_stateDirectoryHeld_isOneLineExit1NamingTheHolder() throws IOException {
    try (StateDirLock held = StateDirLock.acquire(state)) {
      int status = cli.execute("agent", "-policy-dir", policies.toString(), "-state-dir", state.toString(),
          "-http-bind-port", "0");

      assertThat(status).isEqualTo(1);
      assertThat(cli.err()).contains("capstan agent cannot start: the state directory")
          .contains("pid " + ProcessHandle.current().pid()).hasLineCount(1);
    }
  }

  @Test
  void acquire_stateDirIsAFile_saysWhy() throws IOException {
    Path file = Files.writeString(state.resolve("not-a-dir"), "");

    assertThatThrownBy(() -> StateDirLock.acquire(file)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("the state directory " + file + " cannot be locked: ");
  }
}
