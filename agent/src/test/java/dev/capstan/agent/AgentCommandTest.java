package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class AgentCommandTest {
  private final CliRun cli = new CliRun();

  @TempDir
  Path policies;
  @TempDir
  Path state;

  /** Parses {@code capstan agent args...} without running it and returns the command's fields. */
  private static AgentCommand parse(String... args) {
    CommandLine top = Main.commandLine();
    String[] all = new String[args.length + 1];
    all[0] = "agent";
    System.arraycopy(args, 0, all, 1, args.length);
    CommandLine.ParseResult result = top.parseArgs(all);
    return (AgentCommand) result.subcommand().commandSpec().userObject();
  }

  @Test
  void agent_peerSeedCommandLine_readsEveryFlagInGoSyntax() {
    AgentCommand c = parse("-config", "a.hcl", "-http-bind-address", "0.0.0.0", "-policy-dir", "policies/");

    assertThat(c.configs()).containsExactly(Path.of("a.hcl"));
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.policyDir()).isEqualTo(Path.of("policies/"));
  }

  @Test
  void agent_equalsAndDoubleDashForms_areTheSameFlags() {
    AgentCommand c = parse("-config=a.hcl", "--config", "conf.d", "--config=b.json", "-http-bind-port=9999",
        "--log-level", "debug", "-policy-default-cooldown=12s", "-policy-default-evaluation-interval", "50m",
        "-policy-source-disable-nomad", "-dry-run=true");

    assertThat(c.configs()).containsExactly(Path.of("a.hcl"), Path.of("conf.d"), Path.of("b.json"));
    assertThat(c.bindPort()).isEqualTo(9999);
    assertThat(c.logLevel()).isEqualTo("debug");
    assertThat(c.defaultCooldown()).isEqualTo("12s");
    assertThat(c.defaultInterval()).isEqualTo("50m");
    assertThat(c.disableNomadSource()).isTrue();
    assertThat(c.dryRun()).isTrue();
  }

  @Test
  void agent_everyPeerFlagWithoutEffect_isAccepted() {
    for (String flag : AgentCommand.VALUE_FLAGS_WITHOUT_EFFECT) {
      parse("-" + flag, "x");
      parse("--" + flag + "=x");
    }
    for (String flag : AgentCommand.BOOLEAN_FLAGS_WITHOUT_EFFECT) {
      parse("-" + flag);
      parse("-" + flag + "=false");
    }
  }

  @Test
  void agent_repeatedSingleFlag_keepsTheLastAsGoDoes() {
    AgentCommand c = parse("-http-bind-port", "1", "-http-bind-port", "2", "-nomad-namespace", "a",
        "-nomad-namespace", "b");

    assertThat(c.bindPort()).isEqualTo(2);
  }

  @Test
  void nomadFlags_fillTheNomadBlock_overTheFilesValues() {
    AgentConfig file = AgentConfig.parse("nomad {\n  address = \"http://file:4646\"\n  region = \"file\"\n}\n",
        "a.hcl");
    AgentCommand c = parse("-nomad-address", "https://flag:4646", "-nomad-namespace", "apps", "--nomad-namespace=ops",
        "-nomad-token", "t0ken", "-nomad-http-auth", "u:p", "-nomad-ca-cert", "ca.pem", "-nomad-ca-path", "cas",
        "-nomad-client-cert", "c.pem", "-nomad-client-key", "k.pem", "-nomad-tls-server-name", "nomad.local",
        "-nomad-skip-verify", "-nomad-block-query-wait-time", "1m");

    AgentConfig effective = c.effectiveConfig(file);

    assertThat(effective.nomad()).contains(Map.ofEntries(Map.entry("address", "https://flag:4646"),
        Map.entry("region", "file"), Map.entry("namespace", "apps,ops"), Map.entry("token", "t0ken"),
        Map.entry("http_auth", "u:p"), Map.entry("ca_cert", "ca.pem"), Map.entry("ca_path", "cas"),
        Map.entry("client_cert", "c.pem"), Map.entry("client_key", "k.pem"),
        Map.entry("tls_server_name", "nomad.local"), Map.entry("skip_verify", "true"),
        Map.entry("block_query_wait_time", "1m")));
  }

  @Test
  void nomadFlags_noneGiven_leaveNoBlock_oneGiven_pointsTheAgentAtNomad() {
    AgentConfig none = AgentConfig.parse("http {\n  bind_port = 1\n}\n", "a.hcl");

    assertThat(parse().effectiveConfig(none).nomad()).isEmpty();
    assertThat(parse().effectiveConfig(none).nomadPolicies()).isFalse();
    assertThat(parse("-nomad-address", "http://n:4646").effectiveConfig(none).nomadPolicies()).isTrue();
  }

  @Test
  void policySourceDisableFlags_turnTheSourcesOff() {
    AgentConfig file = AgentConfig.parse("nomad {}\n", "a.hcl");

    assertThat(parse("-policy-source-disable-nomad").effectiveConfig(file).nomadPolicies()).isFalse();
    assertThat(parse("-policy-source-disable-file").effectiveConfig(file).sources().file()).isFalse();
    assertThat(parse().effectiveConfig(file).nomadPolicies()).isTrue();
  }

  @Test
  void nomadBlockQueryWaitTime_notADuration_isAUsageError() {
    int status = cli.execute("agent", "-policy-dir", policies.toString(), "-nomad-block-query-wait-time", "soon");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("-nomad-block-query-wait-time");
  }

  @Test
  void agent_unknownFlag_isAUsageErrorExit2() {
    int status = cli.execute("agent", "-policy-dir", policies.toString(), "-no-such-flag", "x");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("-no-such-flag").doesNotContain("Exception");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void run_httpFlagWithOneDash_isNeverReadAsHelp() {
    Path missing = policies.resolve("missing");

    int status = cli.execute("run", "-policy-dir", missing.toString(), "-state-dir", state.toString(),
        "-http-bind-address", "127.0.0.1", "-http-bind-port", "0");

    assertThat(status).isEqualTo(1);
    assertThat(cli.out()).doesNotContain("Usage");
    assertThat(cli.err()).contains("capstan agent cannot start").contains("missing").doesNotContain("\tat ");
  }

  @Test
  void agent_helpFlags_printHelpReadableIn80Columns() {
    for (String flag : new String[] {"-h", "-help", "--help"}) {
      CliRun run = new CliRun();

      assertThat(run.execute("agent", flag)).isZero();
      assertThat(run.out()).contains("-config").contains("-http-bind-address").contains("-telemetry-*");
      assertThat(run.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
    }
  }

  @Test
  void agent_noConfigAndNoPolicyDir_isAUsageError() {
    int status = cli.execute("agent", "-state-dir", state.toString());

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("no policy directory");
  }

  @Test
  void agent_badLogLevel_namesTheFlagAndValue() {
    int status = cli.execute("agent", "-policy-dir", policies.toString(), "-log-level", "LOUD");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("-log-level was 'LOUD' but it must be one of");
  }

  @Test
  void agent_badConfigPath_isOneLineWithItsCause() {
    int status = cli.execute("agent", "-config", policies.resolve("nope.hcl").toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("nope.hcl cannot be read: no such file").hasLineCount(1);
  }

  @Test
  void agent_busyPort_isOneLineExit1() throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Files.writeString(policies.resolve("none.txt"), "");

      int status = cli.execute("agent", "-policy-dir", policies.toString(), "-state-dir", state.toString(),
          "-http-bind-port", String.valueOf(taken.getLocalPort()));

      assertThat(status).isEqualTo(1);
      assertThat(cli.err()).contains("cannot start: cannot bind the HTTP API").doesNotContain("\tat ");
    }
  }

  @Test
  void agent_httpTokenFileTooShort_isOneLineExit1NamingTheFileNotItsContent() throws IOException {
    Path token = Files.writeString(state.resolve("token"), "hunter2\n");

    int status = cli.execute("agent", "-policy-dir", policies.toString(), "-state-dir", state.toString(),
        "-http-bind-port", "0", "-http-token-file", token.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("cannot start: http token_file '" + token + "' holds 7 characters")
        .doesNotContain("hunter2");
  }

  @Test
  void run_negativeReloadInterval_isAUsageErrorBeforeAnythingStarts() {
    int status = cli.execute("run", "--policy-dir", policies.toString(), "--state-dir", state.toString(),
        "--http-bind-port", "0", "--reload-interval", "-1s");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("-reload-interval").contains("'-1s'").doesNotContain("Exception");
  }

  @Test
  void agent_observabilityFlags_areReadInGoSyntax() {
    AgentCommand c = parse("-log-json", "--log-include-location=true", "-telemetry-prometheus-metrics");

    assertThat(c.logJson()).isTrue();
    assertThat(c.logIncludeLocation()).isTrue();
    assertThat(c.prometheusMetrics()).isTrue();
    assertThat(parse("-log-json=false").logJson()).isFalse();
  }

  @Test
  void agent_observabilityFlags_areNotListedAsWithoutEffect() {
    assertThat(AgentCommand.BOOLEAN_FLAGS_WITHOUT_EFFECT)
        .doesNotContain("log-json", "log-include-location", "telemetry-prometheus-metrics");
  }

  @Test
  void agent_highAvailabilityEnabledWithoutZookeeper_isAUsageErrorNamingTheFlag() {
    int status = cli.execute("agent", "-policy-dir", policies.toString(), "-high-availability-enabled",
        "-high-availability-lock-ttl", "15s");

    assertThat(status).isEqualTo(2);
    assertThat(cli.err()).contains("-high-availability-enabled needs a ZooKeeper");
  }
}
