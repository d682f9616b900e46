package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BacktestCommandTest {
  private static final String SAMPLE = "../examples/backtest/history.csv";
  private static final String CHECK = "cloud_cpu_allocated_percentage";

  @TempDir
  Path dir;

  @Test
  void help_namesEveryGroupModelAndCheckKindFlag() {
    CliRun cli = new CliRun();

    assertThat(cli.execute("backtest", "--help")).isZero();
    assertThat(cli.out()).contains("--utilization-check", "--capacity-independent-check", "--recorded-size-column",
        "--recorded-size-query", "--boot-delay", "--starting-count", "--capacity-per-instance", "--price-per-hour",
        "--sweep", "--json", "--prometheus", "--csv", "--step", "--from", "--to");
  }

  @Test
  void backtest_sampleHistoryWithSweep_printsOneRowPerValueAndWritesReports() throws Exception {
    CliRun cli = new CliRun();
    Path html = dir.resolve("r.html");
    Path json = dir.resolve("r.json");

    int status = cli.execute("backtest", "--csv", SAMPLE, "--policy", "../examples/policies/aws-burst.hcl",
        "--utilization-check", CHECK, "--recorded-size-column", "cloud_instances", "--sweep", "target=50,90",
        "--output", html.toString(), "--json", json.toString());

    assertThat(status).as(cli.err()).isZero();
    assertThat(cli.out()).contains("aws_burst target=50", "aws_burst target=90", "min under capacity");
    assertThat(Files.readString(html)).contains("<svg", "Cost against minutes under capacity").doesNotContain("<script");
    assertThat(Files.readString(json)).contains("\"variant\":\"target=50\"", "\"decisions\"", "\"outcome\"");
  }

  @Test
  void backtest_repeatedSweep_printsOneRowPerCombination() throws Exception {
    CliRun cli = new CliRun();
    Path html = dir.resolve("r.html");

    int status = cli.execute("backtest", "--csv", SAMPLE, "--policy", "../examples/policies/aws-burst.hcl",
        "--utilization-check", CHECK, "--recorded-size-column", "cloud_instances", "--sweep", "target=50,90",
        "--sweep", "cooldown=5m,20m", "--output", html.toString());

    assertThat(status).as(cli.err()).isZero();
    assertThat(cli.out()).contains("aws_burst target=50 cooldown=5m", "aws_burst target=50 cooldown=20m",
        "aws_burst target=90 cooldown=5m", "aws_burst target=90 cooldown=20m");
    // With several attributes the trade-off chart labels each dot with its whole combination.
    assertThat(Files.readString(html)).contains(">target=90 cooldown=20m</text>");
  }

  @Test
  void backtest_undeclaredCheck_failsNamingItAndTheFlags() {
    CliRun cli = new CliRun();

    int status = cli.execute("backtest", "--csv", SAMPLE, "--recorded-size-column", "cloud_instances",
        "--output", dir.resolve("r.html").toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("check '" + CHECK + "'", "utilization", "capacity-independent");
  }

  @Test
  void backtest_badCsvCell_failsNamingLineAndColumn() throws Exception {
    Path csv = Files.writeString(dir.resolve("h.csv"), "timestamp," + CHECK + "\n2026-03-02T00:00:00Z,1\n"
        + "2026-03-02T00:01:00Z,x\n");
    CliRun cli = new CliRun();

    int status = cli.execute("backtest", "--csv", csv.toString(), "--capacity-independent-check", CHECK);

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("line 3, column 2 (" + CHECK + "): 'x' is not a number");
  }

  @Test
  void backtest_bothSources_isAUsageError() {
    CliRun cli = new CliRun();

    assertThat(cli.execute("backtest", "--csv", SAMPLE, "--prometheus", "http://127.0.0.1:9")).isEqualTo(2);
  }
}
