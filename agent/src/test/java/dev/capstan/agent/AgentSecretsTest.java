package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets by reference ({@code env("NAME")}, {@code file("PATH")}) never leave the plug-in that needs them. */
final class AgentSecretsTest {
  private static final String SECRET = "s3cr3t-Agent-4417";

  @TempDir
  Path dir;

  private Path secretFile(String content) throws IOException {
    return Files.writeString(dir.resolve("secret-" + content.length()), content + "\n");
  }

  /** A target that, like a careless plug-in, quotes its configuration in its errors. */
  private static final class QuotingTarget implements Target {
    @Override
    public TargetStatus status(Map<String, String> config) {
      throw new TargetException("401 Unauthorized for token " + config.get("token"));
    }

    @Override
    public void scale(ScalingAction action, Map<String, String> config) {
      throw new TargetException("scale refused for token " + config.get("token"));
    }

    @Override
    public void close() {}
  }

  private static String read(Path root) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    return all.toString();
  }

  @Test
  void policyTargetSecret_reachesThePluginButNoLogHttpAnswerOrStateFile() throws Exception {
    Path token = secretFile(SECRET);
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.writeString(policies.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          max     = 5
          policy {
            evaluation_interval = "1m"
            check "fixed" {
              strategy "fixed-value" { value = 3 }
            }
            target "quoting" {
              token = file("%s")
            }
          }
        }
        """.formatted(token));
    AgentConfig config = portZero();
    ManualClock clock = ManualClock.startingAtEpochOf2026();
    ManualScheduler scheduler = new ManualScheduler(clock);
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    // The agent's own SLF4J provider writes the log; point it at a buffer for the test.
    AgentLog.writeTo(new PrintStream(logs, true, StandardCharsets.UTF_8), java.time.Clock.systemUTC());
    String health;
    String decisions;
    String metrics;
    try (Agent agent = new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0).target("quoting", new QuotingTarget()))) {
      assertThat(agent.policies().values()).singleElement()
          .satisfies(p -> assertThat(p.target().config()).containsEntry("token", SECRET))
          .satisfies(p -> assertThat(p.toString()).doesNotContain(SECRET));
      scheduler.advance(Duration.ofMinutes(1));
      HttpClient client = HttpClient.newHttpClient();
      health = get(client, agent, "/v1/health");
      decisions = get(client, agent, "/v1/decisions");
      metrics = get(client, agent, "/v1/metrics");
    } finally {
      AgentLog.reset();
    }

    assertThat(health).contains("\"degraded\"").contains("401 Unauthorized for token (secret)");
    assertThat(decisions).contains("401 Unauthorized for token (secret)");
    for (String output : new String[] {health, decisions, metrics, logs.toString(StandardCharsets.UTF_8), read(state)}) {
      assertThat(output).doesNotContain(SECRET);
    }
    assertThat(logs.toString(StandardCharsets.UTF_8)).contains("(secret)");
  }

  @Test
  void policyTargetSecret_isReadAgainOnReload() throws Exception {
    Path token = secretFile(SECRET);
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Files.writeString(policies.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          max     = 5
          policy {
            check "fixed" {
              strategy "fixed-value" { value = 3 }
            }
            target "quoting" {
              token = file("%s")
            }
          }
        }
        """.formatted(token));
    ManualClock clock = ManualClock.startingAtEpochOf2026();
    try (Agent agent = new Agent(portZero(), new Agent.Options(policies, dir.resolve("state"), true, Duration.ZERO),
        b -> b.clock(clock).scheduler(new ManualScheduler(clock)).executor(Runnable::run)
            .target("quoting", new QuotingTarget()))) {
      Files.writeString(token, "rotated-" + SECRET + "\n");

      agent.reload();

      assertThat(agent.policies().values()).singleElement()
          .satisfies(p -> assertThat(p.target().config()).containsEntry("token", "rotated-" + SECRET));
    }
  }

  /** The default agent configuration with its HTTP API on a free port. */
  private static AgentConfig portZero() {
    AgentConfig c = AgentConfig.defaults();
    return new AgentConfig(c.apms(), c.targets(), c.strategies(), c.nodePools(), c.policyDir(), c.defaultCooldown(),
        c.defaultEvaluationInterval(), "127.0.0.1", 0, c.stateDir(), c.ignored(), "agent.hcl", c.logLevel(),
        c.sources(), c.highAvailability());
  }

  private static String get(HttpClient client, Agent agent, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void agentFileSecret_refusedByThePlugin_isNamedByKeyWithoutItsValue() throws IOException {
    Path address = secretFile("not-a-url-" + SECRET);
    Path agentFile = Files.writeString(dir.resolve("agent.hcl"), """
        apm "prometheus" {
          driver = "prometheus"
          config = {
            address = file("%s")
          }
        }
        """.formatted(address));
    CliRun cli = new CliRun();

    int status = cli.execute("agent", "-config", agentFile.toString(), "-policy-dir", dir.toString(),
        "-state-dir", dir.resolve("state").toString(), "-http-bind-port", "0");

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("capstan agent cannot start").contains("address").contains("(secret)")
        .doesNotContain(SECRET);
  }

  @Test
  void agentFileSecret_unsetVariable_isAnErrorNamingKeyAndVariable() throws IOException {
    Path agentFile = Files.writeString(dir.resolve("agent.hcl"), """
        target "aws-asg" {
          driver = "aws-asg"
          config = {
            aws_region            = "eu-west-1"
            aws_secret_access_key = env("CAPSTAN_TEST_VARIABLE_NEVER_SET")
          }
        }
        """);
    CliRun cli = new CliRun();

    int status = cli.execute("agent", "-config", agentFile.toString(), "-policy-dir", dir.toString(),
        "-state-dir", dir.resolve("state").toString(), "-http-bind-port", "0");

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("agent file " + agentFile).contains("target \"aws-asg\": config: "
        + "aws_secret_access_key = env(\"CAPSTAN_TEST_VARIABLE_NEVER_SET\") has no value: the environment variable "
        + "CAPSTAN_TEST_VARIABLE_NEVER_SET is not set");
  }

  @Test
  void agentFileSecret_isResolvedAndHiddenFromToString() throws IOException {
    Path key = secretFile(SECRET);
    Path agentFile = Files.writeString(dir.resolve("agent.hcl"), """
        target "aws-asg" {
          driver = "aws-asg"
          config = {
            aws_region            = "eu-west-1"
            aws_access_key_id     = "AKIDEXAMPLE"
            aws_secret_access_key = file("%s")
          }
        }
        """.formatted(key));

    AgentConfig config = AgentConfig.parse(agentFile);

    AgentConfig.PluginBlock aws = config.targets().get("aws-asg");
    assertThat(aws.config()).containsEntry("aws_secret_access_key", SECRET);
    assertThat(aws.secretKeys()).containsExactly("aws_secret_access_key");
    assertThat(config.toString()).doesNotContain(SECRET).contains("aws_secret_access_key=(secret)");
  }

  @Test
  void validate_bindRefusalQuotingASecret_showsItRedacted() throws IOException {
    Path flag = secretFile(SECRET);
    Path policy = Files.writeString(dir.resolve("web.hcl"), """
        scaling "web" {
          enabled = true
          max     = 5
          policy {
            check "fixed" {
              strategy "fixed-value" { value = 3 }
            }
            target "aws-asg" {
              aws_asg_name        = "web"
              dry-run             = file("%s")
            }
          }
        }
        """.formatted(flag));
    CliRun cli = new CliRun();

    int status = cli.execute("validate", "-config", "src/test/resources/peer/demo-aws-agent.hcl", policy.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("policy 'web': target 'aws-asg': dry-run was '(secret)'").contains("(secret)")
        .doesNotContain(SECRET);
  }
}
