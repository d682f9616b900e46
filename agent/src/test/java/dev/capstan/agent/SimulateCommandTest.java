package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SimulateCommandTest {
  private final CliRun cli = new CliRun();

  @TempDir
  Path dir;

  private int simulate(String... args) {
    return cli.execute("simulate", args);
  }

  @Test
  void simulate_examples_printsTheTableAndWritesTheReport() throws Exception {
    Path report = dir.resolve("out/report.html");

    int status = simulate("--duration", "12h", "--seed", "7", "--output", report.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains("Simulated 12h0m0s").contains("(seed 7)")
        .contains("aws_burst").contains("gce_burst").contains("azure_burst")
        .contains("Report: " + report.toAbsolutePath());
    assertThat(cli.err()).contains("simulating aws_burst").contains("100%");
    String html = Files.readString(report);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<td>aws_burst</td>");
    assertThat(html.split("<svg ", -1)).hasSize(4);
  }

  @Test
  void simulate_policyFile_runsOnlyThatPolicy() {
    int status = simulate("--duration", "2h", "--policy", "../examples/policies/gce-burst.hcl",
        "--output", dir.resolve("r.html").toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains("gce_burst").doesNotContain("aws_burst");
  }

  @Test
  void simulate_brokenPolicyFile_printsItsProblemsAndFails() throws Exception {
    Path broken = Files.writeString(dir.resolve("b.hcl"), "scaling \"b\" {\n");

    int status = simulate("--policy", broken.toString(), "--output", dir.resolve("r.html").toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(broken + ":1:");
    assertThat(dir.resolve("r.html")).doesNotExist();
  }

  @Test
  void simulate_unknownStrategy_namesThePolicyAndFails() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.hcl"), Files.readString(Path.of("../examples/policies/aws-burst.hcl"))
        .replace("strategy \"target-value\"", "strategy \"target-velue\""));

    int status = simulate("--duration", "1h", "--policy", policy.toString(), "--output", dir.resolve("r.html").toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(policy + ": policy 'aws_burst'").contains("target-velue").contains("target-value");
  }

  @Test
  void simulate_fixedValuePolicy_needsNoMetricSource() throws Exception {
    Path policy = Files.writeString(dir.resolve("f.hcl"), """
        scaling "fixed" {
          max = 10
          policy {
            evaluation_interval = "1m"
            check "three" {
              strategy "fixed-value" { value = 3 }
            }
            target "aws-asg" { aws_asg_name = "g" }
          }
        }
        """);

    int status = simulate("--duration", "1h", "--policy", policy.toString(), "--output", dir.resolve("r.html").toString());

    assertThat(status).isZero();
    assertThat(cli.out()).containsPattern("fixed +aws-asg +t4g.large +1 +1 +0 ");
  }

  @Test
  void simulate_badDuration_isAUsageError() {
    assertThat(simulate("--duration", "soon")).isEqualTo(2);
    assertThat(cli.err()).contains("--duration");
    assertThat(simulate("--duration", "1m")).isEqualTo(2);
  }

  @Test
  void simulate_durationInDays_isAcceptedAsTheDocsSay() throws Exception {
    Path policy = Files.writeString(dir.resolve("f.hcl"), """
        scaling "fixed" {
          max = 10
          policy {
            evaluation_interval = "1h"
            check "three" {
              strategy "fixed-value" { value = 3 }
            }
            target "aws-asg" { aws_asg_name = "g" }
          }
        }
        """);

    int status = simulate("--duration", "7d", "--policy", policy.toString(), "--output", dir.resolve("r.html").toString());

    assertThat(cli.err()).doesNotContain("--duration");
    assertThat(status).isZero();
    assertThat(cli.out()).contains("Simulated 168h0m0s");
  }

  @Test
  void simulate_durationBeyond366Days_namesTheRangeNotTheUnit() {
    assertThat(simulate("--duration", "367d")).isEqualTo(2);
    assertThat(cli.err()).contains("--duration was '367d' but it must be between 10m and 366 days");
  }
}
