package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class SimulateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir
  Path dir;

  private int simulate(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "simulate";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  @Test
  void simulate_examples_printsTheTableAndWritesTheReport() throws Exception {
    Path report = dir.resolve("out/report.html");

    int status = simulate("--duration", "12h", "--seed", "7", "--output", report.toString());

    assertThat(status).isZero();
    assertThat(out.toString()).contains("Simulated 12h0m0s").contains("(seed 7)")
        .contains("aws_burst").contains("gce_burst").contains("azure_burst")
        .contains("Report: " + report.toAbsolutePath());
    assertThat(err.toString()).contains("simulating aws_burst").contains("100%");
    String html = Files.readString(report);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<td>aws_burst</td>");
    assertThat(html.split("<svg ", -1)).hasSize(4);
  }

  @Test
  void simulate_policyFile_runsOnlyThatPolicy() {
    int status = simulate("--duration", "2h", "--policy", "../examples/policies/gce-burst.hcl",
        "--output", dir.resolve("r.html").toString());

    assertThat(status).isZero();
    assertThat(out.toString()).contains("gce_burst").doesNotContain("aws_burst");
  }

  @Test
  void simulate_brokenPolicyFile_printsItsProblemsAndFails() throws Exception {
    Path broken = Files.writeString(dir.resolve("b.hcl"), "scaling \"b\" {\n");

    int status = simulate("--policy", broken.toString(), "--output", dir.resolve("r.html").toString());

    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains(broken + ":1:");
    assertThat(dir.resolve("r.html")).doesNotExist();
  }

  @Test
  void simulate_badDuration_isAUsageError() {
    assertThat(simulate("--duration", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("--duration");
    assertThat(simulate("--duration", "1m")).isEqualTo(2);
  }
}
