package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RunCommandTest {
  private final CliRun cli = new CliRun();

  @TempDir
  Path policies;
  @TempDir
  Path state;

  @Test
  void run_negativeReloadInterval_isAUsageErrorBeforeAnythingStarts() {
    int status = cli.execute("run", "--policy-dir", policies.toString(), "--state-dir", state.toString(),
        "--http-bind-port", "0", "--reload-interval", "-1s");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("--reload-interval").contains("'-1s'").doesNotContain("Exception");
  }
}
