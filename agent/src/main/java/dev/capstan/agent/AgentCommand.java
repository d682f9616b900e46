package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.policy.PolicyException;
import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code capstan agent} (alias {@code run}): the agent, until it is stopped (Ctrl-C or SIGTERM), with
 * nomad-autoscaler's command line. Every flag is accepted in Go's syntax ({@code -flag value},
 * {@code -flag=value}, {@code --flag value}); each option is declared under both its one-dash and
 * two-dash name, so {@code -http-bind-address} is that flag and never a cluster of short options
 * starting with {@code -h}. As in Go, a flag given twice keeps its last value, except the repeatable
 * {@code -config}. The peer's flags that have no effect in Capstan are accepted, hidden from the help,
 * and named once at start; an unknown flag is a usage error (exit 2).
 */
@Command(name = "agent", aliases = "run", sortOptions = false, usageHelpWidth = 80,
    description = {"Runs the agent: reads the agent files (nomad-autoscaler's shape), evaluates the "
        + "policies in the policy directory on their intervals, reloads them when a file changes or on "
        + "SIGHUP, and serves /v1/health, /v1/metrics and /v1/decisions.",
        "Flags take nomad-autoscaler's Go syntax: -flag value, -flag=value or --flag value."},
    footer = {"", "Accepted for nomad-autoscaler compatibility, without effect (named at start): "
        + "-enable-debug, -plugin-dir, -policy-eval-*, the other -telemetry-* flags, "
        + "-high-availability-lock-*, -das-*."})
final class AgentCommand implements Callable<Integer> {
  /** nomad-autoscaler flags that take a value but do nothing in Capstan. */
  static final List<String> VALUE_FLAGS_WITHOUT_EFFECT = List.of("plugin-dir", "policy-eval-delivery-limit", "policy-eval-ack-timeout",
      "policy-eval-workers", "telemetry-collection-interval", "telemetry-statsite-address",
      "telemetry-statsd-address", "telemetry-dogstatsd-address", "telemetry-dogstatsd-tags",
      "telemetry-prometheus-retention-time", "telemetry-circonus-api-token", "telemetry-circonus-api-app",
      "telemetry-circonus-api-url", "telemetry-circonus-submission-interval", "telemetry-circonus-submission-url",
      "telemetry-circonus-check-id", "telemetry-circonus-check-force-metric-activation",
      "telemetry-circonus-check-instance-id", "telemetry-circonus-check-search-tag",
      "telemetry-circonus-check-tags", "telemetry-circonus-check-display-name", "telemetry-circonus-broker-id",
      "telemetry-circonus-broker-select-tag", "high-availability-lock-namespace", "high-availability-lock-path",
      "high-availability-lock-ttl", "high-availability-lock-delay", "das-evaluate-after",
      "das-metrics-preload-threshold", "das-namespace-label", "das-job-label", "das-group-label", "das-task-label",
      "das-cpu-metric", "das-memory-metric");
  /** nomad-autoscaler boolean flags that do nothing in Capstan. */
  static final List<String> BOOLEAN_FLAGS_WITHOUT_EFFECT = List.of(
      "enable-debug", "telemetry-disable-hostname", "telemetry-enable-hostname-label");

  @Spec
  private CommandSpec spec;

  @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Option(names = {"-config", "--config"}, paramLabel = "PATH",
      description = "An agent file, or a directory of .hcl/.json agent files; repeat to merge several in order.")
  private List<Path> configs = new ArrayList<>();

  @Option(names = {"-policy-dir", "--policy-dir"}, paramLabel = "DIR",
      description = "The policy directory (default: the agent file's policy.dir).")
  private Path policyDir;

  @Option(names = {"-http-bind-address", "--http-bind-address"}, paramLabel = "ADDRESS",
      description = "Address of the HTTP API (default: the agent file's, else 127.0.0.1).")
  private String bindAddress;

  @Option(names = {"-http-bind-port", "--http-bind-port"}, paramLabel = "PORT",
      description = "Port of the HTTP API (default: the agent file's, else 8080).")
  private Integer bindPort;

  @Option(names = {"-http-token-file", "--http-token-file"}, paramLabel = "FILE",
      description = "A file holding the token that changes through the HTTP API must carry (default: the agent "
          + "file's http.token_file, else none). Capstan's own.")
  private Path httpTokenFile;

  @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL",
      description = "TRACE, DEBUG, INFO (default), WARN or ERROR.")
  private String logLevel;

  @Option(names = {"-log-json", "--log-json"}, arity = "0..1",
      description = "Log one JSON object per line (else the agent file's log_json).")
  private boolean logJson;

  @Option(names = {"-log-include-location", "--log-include-location"}, arity = "0..1",
      description = "Name the class and line of each log line (else the file's log_include_location).")
  private boolean logIncludeLocation;

  @Option(names = {"-telemetry-prometheus-metrics", "--telemetry-prometheus-metrics"}, arity = "0..1",
      description = "Serve /v1/metrics?format=prometheus (else the file's telemetry.prometheus_metrics).")
  private boolean prometheusMetrics;

  @Option(names = {"-policy-default-cooldown", "--policy-default-cooldown"}, paramLabel = "DURATION",
      description = "Cooldown of policies that set none.")
  private String defaultCooldown;

  @Option(names = {"-policy-default-evaluation-interval", "--policy-default-evaluation-interval"},
      paramLabel = "DURATION", description = "Evaluation interval of policies that set none.")
  private String defaultInterval;

  @Option(names = {"-policy-source-disable-file", "--policy-source-disable-file"}, arity = "0..1",
      description = "Load no policy files.")
  private boolean disableFileSource;

  @Option(names = {"-policy-source-disable-nomad", "--policy-source-disable-nomad"}, arity = "0..1",
      description = "Read no Nomad job scaling policies.")
  private boolean disableNomadSource;

  @picocli.CommandLine.Mixin
  private NomadFlags nomadFlags = new NomadFlags();

  @Option(names = {"-state-dir", "--state-dir"}, paramLabel = "DIR",
      description = "Where cooldowns are kept across restarts (default: the agent file's state_dir, "
          + "else capstan-state). Capstan's own.")
  private Path stateDir;

  @Option(names = {"-dry-run", "--dry-run"}, arity = "0..1",
      description = "Decide and report, but never scale. Capstan's own.")
  private boolean dryRun;

  @Option(names = {"-high-availability-enabled", "--high-availability-enabled"}, arity = "0..1",
      description = "Join the ZooKeeper group of the agent file's high_availability block (its "
          + "-high-availability-lock-* flags are the peer's Nomad lock and have no effect).")
  private Boolean haEnabled;

  @Option(names = {"-high-availability-zookeeper", "--high-availability-zookeeper"}, paramLabel = "HOSTS",
      description = "ZooKeeper connect string, h1:2181,h2:2181 (default: the block's zookeeper). Capstan's own.")
  private String haZookeeper;

  @Option(names = {"-high-availability-member-id", "--high-availability-member-id"}, paramLabel = "ID",
      description = "This agent's id in the group (default: the block's member_id, else <host>-<pid>). "
          + "Capstan's own.")
  private String haMemberId;

  @Option(names = {"-reload-interval", "--reload-interval"}, paramLabel = "DURATION", defaultValue = "5s",
      description = "How often the policy directory is checked for changes; 0 turns it off "
          + "(default: ${DEFAULT-VALUE}). Capstan's own.")
  private String reloadInterval;

  /**
   * Returns the command line of {@code capstan agent}: the annotated options plus the peer's flags that
   * have no effect, each under {@code -name} and {@code --name}.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new AgentCommand());
    CommandSpec spec = cli.getCommandSpec();
    for (String name : VALUE_FLAGS_WITHOUT_EFFECT) {
      spec.addOption(OptionSpec.builder("-" + name, "--" + name).type(String.class).arity("1").hidden(true).build());
    }
    for (String name : BOOLEAN_FLAGS_WITHOUT_EFFECT) {
      spec.addOption(OptionSpec.builder("-" + name, "--" + name).type(boolean.class).arity("0..1").hidden(true)
          .build());
    }
    // Go's flag package keeps the last of a repeated flag; picocli refuses repeats unless told.
    cli.setOverwrittenOptionsAllowed(true);
    return cli;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentConfig config;
    try {
      config = configs.isEmpty() ? AgentConfig.defaults() : AgentConfig.load(configs);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 1;
    }
    config = withFlags(config);
    Optional<String> level = Optional.ofNullable(logLevel).map(l -> l.toUpperCase(Locale.ROOT))
        .or(config::logLevel);
    AgentLog.configure(level.map(org.slf4j.event.Level::valueOf).orElse(org.slf4j.event.Level.INFO),
        config.observability().logJson(), config.observability().logIncludeLocation());
    Path dir = policyDir != null ? policyDir : config.policyDir().orElse(null);
    if (dir == null && config.sources().file() && config.nomadPolicies()) {
      // As the peer: without a directory the file source is simply not set up.
      AgentConfig.PolicySources s = config.sources();
      config = config.withSources(new AgentConfig.PolicySources(false, s.nomad(), s.nomadConfigured()));
    } else if (dir == null && config.sources().file()) {
      throw new ParameterException(spec.commandLine(),
          "no policy directory: give -policy-dir or set policy { dir = \"...\" } in the agent file");
    }
    Duration interval = duration("-reload-interval", reloadInterval);
    if (interval.isNegative()) {
      throw new ParameterException(spec.commandLine(),
          "-reload-interval was '" + reloadInterval + "' but it must be 0 (off) or a positive duration");
    }
    Agent.Options options = new Agent.Options(dir != null ? dir : Path.of("."), stateDir != null ? stateDir
        : config.stateDir().orElse(Path.of("capstan-state")), dryRun, interval);
    List<String> without = withoutEffect();
    if (!config.ignored().isEmpty() || !without.isEmpty()) {
      List<String> all = new ArrayList<>(config.ignored());
      without.forEach(f -> all.add("-" + f));
      err.println("note: these nomad-autoscaler settings have no effect in Capstan and are ignored: "
          + String.join(", ", all));
    }
    if (!config.sources().file()) {
      err.println("note: the file policy source is disabled, so no policy file is loaded");
    }
    Agent agent;
    try {
      agent = new Agent(config, () -> withFlags(configs.isEmpty() ? AgentConfig.defaults() : AgentConfig.load(configs)),
          options, b -> { });
    } catch (IOException | RuntimeException e) {
      // One line with its cause; a stack trace would only bury it, unless debugging was asked for.
      err.println("capstan agent cannot start: " + StartFailure.describe(e));
      if (level.filter(l -> l.equals("DEBUG") || l.equals("TRACE")).isPresent()) {
        e.printStackTrace(err);
      }
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "capstan-shutdown"));
    boolean hup = Signals.onHangup(agent::reloadAgent);
    out.println("capstan agent running: " + agent.policies().size() + " policies from "
        + (config.sources().file() ? dir : "no directory") + (config.nomadPolicies() ? " and Nomad's jobs" : "")
        + "; HTTP API on http://" + config.bindAddress() + ":" + agent.httpPort() + "/v1/health"
        + (hup ? "; SIGHUP reloads the agent files and policies" : "") + (dryRun ? "; dry-run" : ""));
    out.flush();
    stopped.await();
    return 0;
  }

  List<Path> configs() {
    return configs;
  }

  Path policyDir() {
    return policyDir;
  }

  String bindAddress() {
    return bindAddress;
  }

  Integer bindPort() {
    return bindPort;
  }

  String logLevel() {
    return logLevel;
  }

  String defaultCooldown() {
    return defaultCooldown;
  }

  String defaultInterval() {
    return defaultInterval;
  }

  boolean disableNomadSource() {
    return disableNomadSource;
  }

  boolean dryRun() {
    return dryRun;
  }

  boolean logJson() {
    return logJson;
  }

  boolean logIncludeLocation() {
    return logIncludeLocation;
  }

  boolean prometheusMetrics() {
    return prometheusMetrics;
  }

  /** The agent files' settings with the flags in their place, for tests of the flags. */
  AgentConfig effectiveConfig(AgentConfig fromFiles) {
    return withFlags(fromFiles);
  }

  /** The no-effect flags given on this command line, without their dash, in declaration order. */
  private List<String> withoutEffect() {
    ParseResult parsed = spec.commandLine().getParseResult();
    List<String> given = new ArrayList<>();
    for (String name : VALUE_FLAGS_WITHOUT_EFFECT) {
      if (parsed.hasMatchedOption("--" + name)) {
        given.add(name);
      }
    }
    for (String name : BOOLEAN_FLAGS_WITHOUT_EFFECT) {
      if (parsed.hasMatchedOption("--" + name)) {
        given.add(name);
      }
    }
    return given;
  }

  private Duration duration(String flag, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
    }
  }

  /** The agent files' settings with the flags given on the command line in their place. */
  AgentConfig withFlags(AgentConfig c) {
    if (logLevel != null && !AgentConfig.LOG_LEVELS.contains(logLevel.toUpperCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(),
          "-log-level was '" + logLevel + "' but it must be one of TRACE, DEBUG, INFO, WARN, ERROR");
    }
    if (bindPort != null && (bindPort < 0 || bindPort > 65_535)) {
      throw new ParameterException(spec.commandLine(),
          "-http-bind-port was '" + bindPort + "' but it must be between 0 and 65535");
    }
    Optional<Duration> cooldown = defaultCooldown == null ? c.defaultCooldown()
        : Optional.of(duration("-policy-default-cooldown", defaultCooldown));
    Optional<Duration> evaluation = defaultInterval == null ? c.defaultEvaluationInterval()
        : Optional.of(duration("-policy-default-evaluation-interval", defaultInterval));
    if (evaluation.isPresent() && (evaluation.get().isZero() || evaluation.get().isNegative())) {
      throw new ParameterException(spec.commandLine(),
          "-policy-default-evaluation-interval was '" + defaultInterval + "' but it must be positive");
    }
    AgentConfig.PolicySources s = c.sources();
    AgentConfig.PolicySources sources = new AgentConfig.PolicySources(s.file() && !disableFileSource,
        s.nomad() && !disableNomadSource, s.nomadConfigured());
    AgentConfig flagged = new AgentConfig(c.apms(), c.targets(), c.strategies(), c.nodePools(), c.policyDir(), cooldown,
        evaluation, bindAddress != null ? bindAddress : c.bindAddress(), bindPort != null ? bindPort : c.bindPort(),
        c.stateDir(), c.ignored(), c.origin(), c.logLevel(), sources, c.highAvailabilityBlock(),
        c.observability().or(logJson, logIncludeLocation, prometheusMetrics),
        nomadFlags.applyTo(c.nomad(), spec.commandLine()),
        httpTokenFile != null ? Optional.of(httpTokenFile) : c.httpTokenFile());
    try {
      return flagged.withHighAvailabilityFlags(haEnabled, haZookeeper, haMemberId);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
