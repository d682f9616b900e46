package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.policy.PolicyException;
import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code capstan run}: the agent, until it is stopped (Ctrl-C or SIGTERM). */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the agent: reads the agent file (nomad-autoscaler's shape), evaluates the policies in",
        "the policy directory on their intervals, reloads them when a file changes or on SIGHUP, and serves",
        "/v1/health, /v1/metrics and /v1/decisions."})
final class RunCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "The agent file (HCL).")
  private Path configFile;

  @Option(names = "--policy-dir", paramLabel = "DIR",
      description = "The policy directory (default: the agent file's policy.dir).")
  private Path policyDir;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where cooldowns are kept across restarts (default: the agent file's state_dir, else capstan-state).")
  private Path stateDir;

  @Option(names = "--http-bind-address", paramLabel = "ADDRESS",
      description = "Address of the HTTP API (default: the agent file's, else 127.0.0.1).")
  private String bindAddress;

  @Option(names = "--http-bind-port", paramLabel = "PORT",
      description = "Port of the HTTP API (default: the agent file's, else 8080).")
  private Integer bindPort;

  @Option(names = "--dry-run", description = "Decide and report, but never scale.")
  private boolean dryRun;

  @Option(names = "--reload-interval", paramLabel = "DURATION", defaultValue = "5s",
      description = "How often the policy directory is checked for changes; 0 turns it off (default: ${DEFAULT-VALUE}).")
  private String reloadInterval;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentConfig config;
    try {
      config = configFile == null ? AgentConfig.defaults() : AgentConfig.parse(configFile);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 1;
    }
    config = withOverrides(config);
    Path dir = policyDir != null ? policyDir : config.policyDir().orElseThrow(() -> new ParameterException(
        spec.commandLine(), "no policy directory: give --policy-dir or set policy { dir = \"...\" } in the agent file"));
    Duration interval;
    try {
      interval = Durations.parse(reloadInterval);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--reload-interval: " + e.getMessage());
    }
    if (interval.isNegative()) {
      throw new ParameterException(spec.commandLine(),
          "--reload-interval: '" + reloadInterval + "' is negative but it must be 0 (off) or a positive duration");
    }
    Agent.Options options = new Agent.Options(dir, stateDir != null ? stateDir
        : config.stateDir().orElse(Path.of("capstan-state")), dryRun, interval);
    if (!config.ignored().isEmpty()) {
      err.println("note: these nomad-autoscaler settings do not apply to Capstan and are ignored: "
          + String.join(", ", config.ignored()));
    }
    Agent agent;
    try {
      agent = new Agent(config, options, b -> { });
    } catch (ConfigException | PolicyException e) {
      err.println(e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "capstan-shutdown"));
    boolean hup = Signals.onHangup(agent::reload);
    out.println("capstan agent running: " + agent.policies().size() + " policies from " + dir
        + "; HTTP API on http://" + config.bindAddress() + ":" + agent.httpPort() + "/v1/health"
        + (hup ? "; SIGHUP reloads policies" : "") + (dryRun ? "; dry-run" : ""));
    out.flush();
    stopped.await();
    return 0;
  }

  private AgentConfig withOverrides(AgentConfig c) {
    return new AgentConfig(c.apms(), c.targets(), c.strategies(), c.nodePools(), c.policyDir(), c.defaultCooldown(),
        c.defaultEvaluationInterval(), bindAddress != null ? bindAddress : c.bindAddress(),
        bindPort != null ? bindPort : c.bindPort(), c.stateDir(), c.ignored(), c.origin());
  }
}
