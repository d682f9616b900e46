package dev.capstan.agent;

import dev.capstan.config.ConfigReader;
import dev.capstan.internal.Hcl;
import dev.capstan.internal.IoReasons;
import dev.capstan.policy.PluginRef;
import dev.capstan.spi.ConfigException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The agent file, in nomad-autoscaler's shape:
 *
 * <pre>{@code
 * apm "prometheus"     { driver = "prometheus"  config = { address = "http://127.0.0.1:9090" } }
 * target "aws-asg"     { driver = "aws-asg"     node_pool = "nomad"  config = { aws_region = "eu-west-1" } }
 * node_pool "nomad"    { driver = "nomad"       config = { address = "http://127.0.0.1:4646" } }
 * strategy "target-value" { driver = "target-value" }
 * policy { dir = "policies"  default_cooldown = "5m"  default_evaluation_interval = "1m" }
 * http   { bind_address = "127.0.0.1"  bind_port = 8080  token_file = "/etc/capstan/http-token" }
 * state_dir = "capstan-state"   # Capstan's addition: where cooldowns survive a restart
 * nomad  { address = "https://nomad.example:4646"  namespace = ["apps", "ops"]  token = "..." }
 * high_availability { enabled = true  zookeeper = "h1:2181,h2:2181"  path = "/capstan"  session_timeout = "10s"  member_id = "a" }
 * }</pre>
 *
 * <p>A plug-in block's label is the name policies use; its {@code driver} names the provider. Blocks
 * of nomad-autoscaler that Capstan has no use for ({@code telemetry}, {@code policy_eval}, ...) are
 * accepted and listed in {@link #ignored()}; the {@code nomad} block is inherited by the Nomad plug-ins
 * and read by the Nomad policy source. A target that names a {@code node_pool} block scales its cluster
 * in by draining chosen nodes first ({@link dev.capstan.cluster.ClusterTarget}); the name must be
 * declared in the same file. Every problem of the file is reported at once.
 *
 * @param apms metric sources by name
 * @param targets targets by name
 * @param strategies strategies by name
 * @param nodePools scheduler node pools by name, which targets name in {@code node_pool}
 * @param policyDir the policy directory, if the file names one
 * @param defaultCooldown the cooldown of policies that set none, if given
 * @param defaultEvaluationInterval the evaluation interval of policies that set none, if given
 * @param bindAddress the HTTP API's address (default {@value #DEFAULT_BIND_ADDRESS})
 * @param bindPort the HTTP API's port (default {@value #DEFAULT_BIND_PORT}; 0 picks a free one)
 * @param stateDir where per-policy state is kept, if given
 * @param ignored the nomad-autoscaler settings present in the file that Capstan does not use
 * @param origin the file it was read from, for messages about its blocks
 * @param logLevel the file's {@code log_level} (TRACE, DEBUG, INFO, WARN or ERROR), if given
 * @param sources which policy sources are on ({@code policy { source "file" { enabled = false } }})
 * @param highAvailabilityBlock the file's {@code high_availability} block as read, enabled or not
 *     (present when it names a {@code zookeeper}); {@link #highAvailability()} is the one in force
 * @param observability {@code log_json}, {@code log_include_location} and
 *     {@code telemetry { prometheus_metrics }}
 * @param nomad the {@code nomad {}} block (with the {@code -nomad-*} flags over it), keys in the block's
 *     spelling, if the file has one or a flag set one: how Nomad plug-ins without settings of their own
 *     and the Nomad policy source reach Nomad
 * @param httpTokenFile the file holding the token the HTTP API's requests that change something must carry
 *     ({@code http { token_file }}, Capstan's own), if given; read when the agent starts ({@link HttpToken})
 */
record AgentConfig(Map<String, PluginBlock> apms, Map<String, PluginBlock> targets,
    Map<String, PluginBlock> strategies, Map<String, PluginBlock> nodePools, Optional<Path> policyDir, Optional<Duration> defaultCooldown,
    Optional<Duration> defaultEvaluationInterval, String bindAddress, int bindPort, Optional<Path> stateDir,
    List<String> ignored, String origin, Optional<String> logLevel, PolicySources sources,
    Optional<HighAvailability> highAvailabilityBlock, Observability observability, Optional<Map<String, String>> nomad,
    Optional<Path> httpTokenFile) {

  static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  static final int DEFAULT_BIND_PORT = 8080;
  /** The log levels of nomad-autoscaler's {@code log_level} and {@code -log-level}. */
  static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
  // The peer's plug-ins are Go binaries, so plugin_dir cannot apply; the rest is its runtime.
  private static final Set<String> IGNORED = Set.of("enable_debug", "plugin_dir",
      "policy_eval", "dynamic_application_sizing");
  private static final Set<String> KNOWN = Set.of("apm", "target", "strategy", "node_pool", "policy", "http",
      "state_dir", "log_level", "high_availability", "log_json", "log_include_location", "telemetry", "nomad");
  /** nomad-autoscaler's high_availability keys: its lock lives in Nomad variables, which Capstan does not use. */
  private static final Set<String> PEER_LOCK_KEYS = Set.of("lock_namespace", "lock_path", "lock_ttl", "lock_delay");
  /** Top-level blocks whose labelled entries a later file replaces whole, as nomad-autoscaler merges. */
  private static final Set<String> PLUGIN_KINDS = Set.of("apm", "target", "strategy", "node_pool");
  private static final Set<String> POLICY_SOURCES = Set.of("file", "nomad");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PLUGIN_KEYS = Set.of("driver", "config", "args");

  /**
   * A configured plug-in.
   *
   * @param name the block's label, which policies use
   * @param driver the provider's name
   * @param config the provider's configuration, secrets given by reference resolved
   * @param nodePool the {@code node_pool} block a target scales in through, if it names one
   * @param secretKeys the keys of {@code config} given as {@code env("NAME")} or {@code file("PATH")},
   *     whose values {@link #toString()} and {@link #redact} never show
   */
  record PluginBlock(String name, String driver, Map<String, String> config, Optional<String> nodePool,
      Set<String> secretKeys) {
    PluginBlock {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(driver, "driver");
      config = Map.copyOf(config);
      Objects.requireNonNull(nodePool, "nodePool");
      secretKeys = Set.copyOf(secretKeys);
    }

    /** A block without secrets. */
    PluginBlock(String name, String driver, Map<String, String> config, Optional<String> nodePool) {
      this(name, driver, config, nodePool, Set.of());
    }

    /** A block that names no node pool and has no secrets. */
    PluginBlock(String name, String driver, Map<String, String> config) {
      this(name, driver, config, Optional.empty(), Set.of());
    }

    /** Returns {@code text} with this block's secret values replaced, for a plug-in's message about its config. */
    String redact(String text) {
      return new PluginRef(name, config, secretKeys).redact(text);
    }

    @Override
    public String toString() {
      Map<String, String> shown = new java.util.TreeMap<>(config);
      secretKeys.forEach(k -> shown.put(k, PluginRef.REDACTED));
      return "PluginBlock[name=" + name + ", driver=" + driver + ", config=" + shown + ", nodePool=" + nodePool + "]";
    }
  }

  /**
   * The policy sources of the {@code policy} block.
   *
   * @param file whether policy files are read (default true)
   * @param nomad whether Nomad job policies may be read (default true, as nomad-autoscaler's; they are
   *     read only when the agent is pointed at Nomad, see {@link AgentConfig#nomadPolicies()})
   * @param nomadConfigured whether the file has a {@code source "nomad"} block at all
   */
  record PolicySources(boolean file, boolean nomad, boolean nomadConfigured) {
    /** Both sources on, as nomad-autoscaler's default, with no {@code source "nomad"} block. */
    static final PolicySources DEFAULT = new PolicySources(true, true, false);
  }

  /**
   * The agent's {@code high_availability} block when enabled: the ZooKeeper group it joins.
   *
   * @param zookeeper the connect string, {@code host:port} pairs separated by commas
   * @param path the group's root node (default {@value #DEFAULT_HA_PATH}); agents sharing policies share it
   * @param sessionTimeout the ZooKeeper session timeout (default 10 s): a killed agent's policies move
   *     after about this long
   * @param memberId this agent's id in the group ({@code member_id}); empty gives {@code <host>-<pid>}
   * @param enabled whether the agent joins the group ({@code enabled}, or the flag
   *     {@code -high-availability-enabled})
   */
  record HighAvailability(String zookeeper, String path, Duration sessionTimeout, Optional<String> memberId,
      boolean enabled) {
    /** The root node when the block sets no {@code path}. */
    static final String DEFAULT_HA_PATH = "/capstan";
    /** The session timeout when the block sets no {@code session_timeout}. */
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    HighAvailability {
      Objects.requireNonNull(zookeeper, "zookeeper");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sessionTimeout, "sessionTimeout");
      Objects.requireNonNull(memberId, "memberId");
    }

    /** An enabled group. */
    HighAvailability(String zookeeper, String path, Duration sessionTimeout, Optional<String> memberId) {
      this(zookeeper, path, sessionTimeout, memberId, true);
    }
  }

  /**
   * Returns the ZooKeeper group this agent shares its policies with, when high availability is enabled.
   *
   * @return the group in force, or empty for a single agent
   */
  Optional<HighAvailability> highAvailability() {
    return highAvailabilityBlock.filter(HighAvailability::enabled);
  }

  /**
   * Returns this configuration with the {@code -high-availability-*} flags over the file's block, as
   * nomad-autoscaler lets flags override files: {@code -high-availability-enabled} switches the group
   * on, {@code -high-availability-zookeeper} and {@code -high-availability-member-id} (Capstan's own)
   * replace those keys. Null means the flag was not given.
   *
   * @return the copy
   * @throws IllegalArgumentException naming the flag, when a value is bad or HA is enabled without a
   *     ZooKeeper connect string
   */
  AgentConfig withHighAvailabilityFlags(Boolean enabled, String zookeeper, String memberId) {
    if (enabled == null && zookeeper == null && memberId == null) {
      return this;
    }
    if (zookeeper != null && !isConnectString(zookeeper)) {
      throw new IllegalArgumentException("-high-availability-zookeeper was '" + zookeeper
          + "' but it must list host:port pairs separated by commas, e.g. h1:2181,h2:2181");
    }
    if (memberId != null && memberId.isBlank()) {
      throw new IllegalArgumentException("-high-availability-member-id was '" + memberId + "' but it must not be blank");
    }
    Optional<HighAvailability> block = highAvailabilityBlock;
    String connect = zookeeper != null ? zookeeper : block.map(HighAvailability::zookeeper).orElse(null);
    boolean on = Boolean.TRUE.equals(enabled) || (enabled == null && block.map(HighAvailability::enabled).orElse(false));
    if (connect == null) {
      if (on) {
        throw new IllegalArgumentException("-high-availability-enabled needs a ZooKeeper: set high_availability "
            + "{ zookeeper = \"h1:2181\" } in the agent file or give -high-availability-zookeeper");
      }
      return this;
    }
    HighAvailability ha = new HighAvailability(connect, block.map(HighAvailability::path).orElse(HighAvailability.DEFAULT_HA_PATH),
        block.map(HighAvailability::sessionTimeout).orElse(HighAvailability.DEFAULT_SESSION_TIMEOUT),
        memberId != null ? Optional.of(memberId) : block.flatMap(HighAvailability::memberId), on);
    return withHighAvailability(Optional.of(ha));
  }

  /**
   * How the agent reports on itself, as nomad-autoscaler's settings of the same names.
   *
   * @param logJson {@code log_json}: one JSON object per log line (default false)
   * @param logIncludeLocation {@code log_include_location}: each line names the class and line that
   *     logged it (default false)
   * @param prometheusMetrics {@code telemetry { prometheus_metrics }}: {@code /v1/metrics?format=prometheus}
   *     answers Prometheus's text format (default false, as the peer)
   */
  record Observability(boolean logJson, boolean logIncludeLocation, boolean prometheusMetrics) {
    /** Plain text logs without locations, no Prometheus format: the peer's defaults. */
    static final Observability DEFAULT = new Observability(false, false, false);

    /**
     * Returns these settings with the command line's flags; as the peer merges them, a flag can turn a
     * setting on but not off.
     */
    Observability or(boolean json, boolean location, boolean prometheus) {
      return new Observability(logJson || json, logIncludeLocation || location, prometheusMetrics || prometheus);
    }
  }

  /** The configuration before observability was read: the peer's defaults, no Nomad, no HTTP token. */
  AgentConfig(Map<String, PluginBlock> apms, Map<String, PluginBlock> targets,
      Map<String, PluginBlock> strategies, Map<String, PluginBlock> nodePools, Optional<Path> policyDir,
      Optional<Duration> defaultCooldown, Optional<Duration> defaultEvaluationInterval, String bindAddress,
      int bindPort, Optional<Path> stateDir, List<String> ignored, String origin, Optional<String> logLevel,
      PolicySources sources, Optional<HighAvailability> highAvailability) {
    this(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval, bindAddress,
        bindPort, stateDir, ignored, origin, logLevel, sources, highAvailability, Observability.DEFAULT);
  }

  /** The configuration before log_level and policy sources were read: logs at the default level, both sources on. */
  AgentConfig(Map<String, PluginBlock> apms, Map<String, PluginBlock> targets,
      Map<String, PluginBlock> strategies, Map<String, PluginBlock> nodePools, Optional<Path> policyDir,
      Optional<Duration> defaultCooldown, Optional<Duration> defaultEvaluationInterval, String bindAddress,
      int bindPort, Optional<Path> stateDir, List<String> ignored, String origin) {
    this(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval, bindAddress,
        bindPort, stateDir, ignored, origin, Optional.empty(), PolicySources.DEFAULT, Optional.empty());
  }

  /** The configuration without a {@code nomad} block or an HTTP token file. */
  AgentConfig(Map<String, PluginBlock> apms, Map<String, PluginBlock> targets,
      Map<String, PluginBlock> strategies, Map<String, PluginBlock> nodePools, Optional<Path> policyDir,
      Optional<Duration> defaultCooldown, Optional<Duration> defaultEvaluationInterval, String bindAddress,
      int bindPort, Optional<Path> stateDir, List<String> ignored, String origin, Optional<String> logLevel,
      PolicySources sources, Optional<HighAvailability> highAvailability, Observability observability) {
    this(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval, bindAddress,
        bindPort, stateDir, ignored, origin, logLevel, sources, highAvailability, observability, Optional.empty(),
        Optional.empty());
  }

  AgentConfig {
    Objects.requireNonNull(httpTokenFile, "httpTokenFile");
    Objects.requireNonNull(observability, "observability");
    Objects.requireNonNull(highAvailabilityBlock, "highAvailabilityBlock");
    nomad = nomad.map(Map::copyOf);
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(sources, "sources");
    apms = Map.copyOf(apms);
    targets = Map.copyOf(targets);
    strategies = Map.copyOf(strategies);
    nodePools = Map.copyOf(nodePools);
    ignored = List.copyOf(ignored);
  }

  /** Returns the configuration of an agent with no file: no plug-ins configured, default address. */
  static AgentConfig defaults() {
    return new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), DEFAULT_BIND_ADDRESS, DEFAULT_BIND_PORT, Optional.empty(), List.of(), "(none)",
        Optional.empty(), PolicySources.DEFAULT, Optional.empty(), Observability.DEFAULT, Optional.empty(),
        Optional.empty());
  }

  /**
   * Returns this configuration with another {@code high_availability} setting.
   *
   * @param ha the group to join, or empty for a single agent
   * @return the copy
   */
  AgentConfig withHighAvailability(Optional<HighAvailability> ha) {
    return new AgentConfig(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval,
        bindAddress, bindPort, stateDir, ignored, origin, logLevel, sources, ha, observability, nomad, httpTokenFile);
  }

  /**
   * Returns this configuration with another HTTP token file ({@code -http-token-file}).
   *
   * @param file the token file, or empty for none
   * @return the copy
   */
  AgentConfig withHttpTokenFile(Optional<Path> file) {
    return new AgentConfig(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval,
        bindAddress, bindPort, stateDir, ignored, origin, logLevel, sources, highAvailabilityBlock, observability, nomad, file);
  }

  /**
   * Returns this configuration with other observability settings.
   *
   * @param o the settings
   * @return the copy
   */
  AgentConfig withObservability(Observability o) {
    return new AgentConfig(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval,
        bindAddress, bindPort, stateDir, ignored, origin, logLevel, sources, highAvailabilityBlock, o, nomad, httpTokenFile);
  }

  /**
   * Returns this configuration with another {@code nomad {}} block.
   *
   * @param block the block's keys, in its spelling, or empty for none
   * @return the copy
   */
  AgentConfig withNomad(Optional<Map<String, String>> block) {
    return new AgentConfig(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval,
        bindAddress, bindPort, stateDir, ignored, origin, logLevel, sources, highAvailabilityBlock, observability, block, httpTokenFile);
  }

  /**
   * Returns this configuration with the policy sources given.
   *
   * @param policySources which sources are on
   * @return the copy
   */
  AgentConfig withSources(PolicySources policySources) {
    return new AgentConfig(apms, targets, strategies, nodePools, policyDir, defaultCooldown, defaultEvaluationInterval,
        bindAddress, bindPort, stateDir, ignored, origin, logLevel, policySources, highAvailabilityBlock, observability, nomad, httpTokenFile);
  }

  /**
   * Returns whether the agent reads Nomad's job scaling policies: the {@code nomad} source is on and the
   * agent is pointed at Nomad, by a {@code source "nomad"} block, a {@code nomad {}} block or a
   * {@code -nomad-*} flag. nomad-autoscaler always reads them; Capstan also runs without Nomad, so an
   * agent file that never mentions Nomad does not try to reach one.
   */
  boolean nomadPolicies() {
    return sources.nomad() && (sources.nomadConfigured() || nomad.isPresent());
  }

  /** Returns the {@code nomad {}} block, empty when there is none. */
  Map<String, String> nomadBlock() {
    return nomad.orElse(Map.of());
  }

  /**
   * Reads an agent file. Relative directories in it stay relative to the working directory, as in
   * nomad-autoscaler.
   *
   * @throws ConfigException naming the file and every problem in it
   */
  static AgentConfig parse(Path file) {
    return load(List.of(file));
  }

  /**
   * Reads agent files and directories as nomad-autoscaler's repeated {@code -config} does: a directory
   * stands for its {@code .hcl} and {@code .json} files in name order; the files are merged in order.
   * A later file's setting replaces an earlier one, blocks ({@code http}, {@code policy}, ...) merge
   * key by key, and a plug-in block ({@code apm "x"}, {@code target "x"}, ...) replaces the earlier
   * block of the same label whole.
   *
   * @param paths the files and directories, in command-line order
   * @throws ConfigException naming the file and every problem in it
   */
  static AgentConfig load(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> listing = Files.list(path)) {
          listing.filter(AgentConfig::isAgentFile).sorted().forEach(files::add);
        } catch (IOException | UncheckedIOException e) {
          throw new ConfigException("agent directory " + path + " cannot be listed: " + IoReasons.of(e));
        }
      } else {
        files.add(path);
      }
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException("agent file " + file + " cannot be read: " + IoReasons.of(e));
      }
      merge(merged, tree(text, file.toString()));
    }
    String origin = files.isEmpty() ? paths.stream().map(Path::toString).collect(Collectors.joining(", "))
        : files.stream().map(Path::toString).collect(Collectors.joining(", "));
    return parse(merged, origin);
  }

  private static boolean isAgentFile(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && (name.endsWith(".hcl") || name.endsWith(".json")) && Files.isRegularFile(p);
  }

  /** Merges {@code next} into {@code into} in nomad-autoscaler's order: see {@link #load(List)}. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> next) {
    next.forEach((key, value) -> {
      Object old = into.get(key);
      if (old instanceof Map<?, ?> a && value instanceof Map<?, ?> b) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) a);
        if (PLUGIN_KINDS.contains(key)) {
          copy.putAll((Map<String, Object>) b);
        } else {
          merge(copy, (Map<String, Object>) b);
        }
        into.put(key, copy);
      } else {
        into.put(key, value);
      }
    });
  }

  /** Reads the text of one agent file, HCL or its JSON form, into a tree. */
  private static Map<String, Object> tree(String text, String origin) {
    String body = text.strip();
    if (body.startsWith("{")) {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.readValue(body, Map.class);
        return map;
      } catch (IOException e) {
        throw new ConfigException("agent file " + origin, List.of("malformed JSON: " + e.getMessage()));
      }
    }
    try {
      return Hcl.parse(text);
    } catch (Hcl.Problem e) {
      throw new ConfigException("agent file " + origin + ":" + e.line() + ":" + e.column(), List.of(e.what()));
    } catch (Exception e) {
      // hcl4j reports syntax errors with their line and column in the message.
      throw new ConfigException("agent file " + origin, List.of("malformed HCL: " + e.getMessage()));
    }
  }

  /**
   * Parses the text of an agent file.
   *
   * @param origin the file name, for messages
   * @throws ConfigException naming {@code origin} and every problem
   */
  static AgentConfig parse(String hcl, String origin) {
    return parse(tree(hcl, origin), origin);
  }

  private static AgentConfig parse(Map<String, Object> root, String origin) {
    List<String> problems = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String key : root.keySet()) {
      if (IGNORED.contains(key)) {
        ignored.add(key);
      } else if (!KNOWN.contains(key)) {
        problems.add("'" + key + "' is not a known setting; known settings are " + String.join(", ", new TreeSet<>(KNOWN)));
      }
    }
    Map<String, PluginBlock> apms = plugins(root, "apm", problems);
    Map<String, PluginBlock> targets = plugins(root, "target", problems);
    Map<String, PluginBlock> strategies = plugins(root, "strategy", problems);
    Map<String, PluginBlock> nodePools = plugins(root, "node_pool", problems);
    for (PluginBlock t : targets.values()) {
      t.nodePool().filter(p -> !nodePools.containsKey(p))
          .ifPresent(p -> problems.add("target \"" + t.name() + "\": " + undeclaredNodePool(p, nodePools.keySet())));
    }

    Map<String, Object> policyRoot = new LinkedHashMap<>();
    if (root.get("policy") instanceof Map<?, ?> p) {
      p.forEach((k, v) -> policyRoot.put(String.valueOf(k), v));
    }
    PolicySources sources = sources(policyRoot.remove("source"), problems);
    if (root.containsKey("policy") && root.get("policy") instanceof Map) {
      root = new LinkedHashMap<>(root);
      root.put("policy", policyRoot);
    }
    ConfigReader policy = ConfigReader.of(block(root, "policy", problems), "policy block");
    Optional<Path> dir = policy.optionalString("dir").map(Path::of);
    Optional<Duration> cooldown = policy.optionalDuration("default_cooldown");
    Optional<Duration> interval = policy.optionalDuration("default_evaluation_interval");
    interval.filter(d -> d.isZero() || d.isNegative())
        .ifPresent(d -> policy.problem("default_evaluation_interval", "must be positive"));
    policy.rejectUnknownKeys();
    prefixed("policy block: ", policy.problems(), problems);

    ConfigReader http = ConfigReader.of(block(root, "http", problems), "http block");
    String address = http.string("bind_address", DEFAULT_BIND_ADDRESS);
    long port = http.longValue("bind_port", DEFAULT_BIND_PORT);
    if (port < 0 || port > 65_535) {
      http.problem("bind_port", "must be between 0 and 65535");
    }
    Optional<Path> tokenFile = http.optionalString("token_file").map(Path::of);
    http.rejectUnknownKeys();
    prefixed("http block: ", http.problems(), problems);

    Optional<Path> stateDir = Optional.empty();
    Object state = root.get("state_dir");
    if (state instanceof String s && !s.isBlank()) {
      stateDir = Optional.of(Path.of(s));
    } else if (state != null) {
      problems.add("state_dir was '" + state + "' but it must be a directory path");
    }
    Optional<String> logLevel = Optional.empty();
    Object level = root.get("log_level");
    if (level instanceof String l && LOG_LEVELS.contains(l.toUpperCase(Locale.ROOT))) {
      logLevel = Optional.of(l.toUpperCase(Locale.ROOT));
    } else if (level != null) {
      problems.add("log_level was '" + level + "' but it must be one of DEBUG, ERROR, INFO, TRACE, WARN");
    }
    Optional<HighAvailability> ha = highAvailability(root.get("high_availability"), ignored, problems);
    Observability observability = new Observability(flag(root, "log_json", problems),
        flag(root, "log_include_location", problems), telemetry(root.get("telemetry"), ignored, problems));
    Optional<Map<String, String>> nomad = nomad(root.get("nomad"), problems);
    if (!problems.isEmpty()) {
      throw new ConfigException("agent file " + origin, problems);
    }
    return new AgentConfig(apms, targets, strategies, nodePools, dir, cooldown, interval, address, (int) port,
        stateDir, ignored, origin, logLevel, sources, ha, observability, nomad, tokenFile);
  }

  /** Reads a top-level boolean setting such as {@code log_json = true} (default false). */
  private static boolean flag(Map<String, Object> root, String key, List<String> problems) {
    Object value = root.get(key);
    if (value == null || value instanceof Boolean b && !b || "false".equals(value)) {
      return false;
    }
    if (Boolean.TRUE.equals(value) || "true".equals(value)) {
      return true;
    }
    problems.add(key + " was '" + value + "' but it must be true or false");
    return false;
  }

  /**
   * Reads the {@code telemetry} block: {@code prometheus_metrics} drives {@code /v1/metrics}; the
   * peer's other keys (statsd, circonus, ... sinks) are accepted and listed as {@code telemetry.<key>}.
   */
  private static boolean telemetry(Object value, List<String> ignored, List<String> problems) {
    if (value == null) {
      return false;
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("'telemetry' must be a block: telemetry { prometheus_metrics = true }");
      return false;
    }
    Map<String, String> values = new LinkedHashMap<>(strings(map, "telemetry block", problems));
    new TreeSet<>(values.keySet()).stream().filter(k -> !k.equals("prometheus_metrics"))
        .forEach(k -> ignored.add("telemetry." + k));
    values.keySet().retainAll(Set.of("prometheus_metrics"));
    ConfigReader r = ConfigReader.of(values, "telemetry block");
    boolean prometheus = r.booleanValue("prometheus_metrics", false);
    prefixed("telemetry block: ", r.problems(), problems);
    return prometheus;

  }

  /**
   * Reads the {@code nomad {}} block: nomad-autoscaler's keys, {@code namespace} a name or a list of them
   * (kept as a comma list). Values are checked when the Nomad plug-ins and the policy source read them.
   */
  private static Optional<Map<String, String>> nomad(Object value, List<String> problems) {
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("'nomad' must be a block: nomad { address = \"http://127.0.0.1:4646\" }");
      return Optional.empty();
    }
    Map<Object, Object> scalars = new LinkedHashMap<>(map);
    Object namespace = scalars.get("namespace");
    if (namespace instanceof List<?> list) {
      scalars.put("namespace", list.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    Map<String, String> block = strings(scalars, "nomad block", problems);
    for (String key : block.keySet()) {
      if (!dev.capstan.nomad.NomadAgentBlock.KEYS.contains(key)) {
        problems.add("nomad block: '" + key + "' is not a known key; known keys are "
            + String.join(", ", new TreeSet<>(dev.capstan.nomad.NomadAgentBlock.KEYS)));
      }
    }
    return Optional.of(block);
  }

  /**
   * Reads the {@code high_availability} block. The peer's {@code lock_*} keys are accepted and listed in
   * {@code ignored}; a block that has them and no {@code zookeeper} is the peer's Nomad-lock form, which
   * Capstan cannot follow, so it leaves the agent single rather than failing a peer file.
   */
  private static Optional<HighAvailability> highAvailability(Object value, List<String> ignored, List<String> problems) {
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("'high_availability' must be a block: high_availability { enabled = true  zookeeper = \"h1:2181\" }");
      return Optional.empty();
    }
    String where = "high_availability block: ";
    Map<String, String> values = new LinkedHashMap<>(strings(map, "high_availability", problems));
    List<String> peerKeys = new ArrayList<>();
    for (String key : new TreeSet<>(PEER_LOCK_KEYS)) {
      if (values.remove(key) != null) {
        peerKeys.add("high_availability." + key);
      }
    }
    ConfigReader r = ConfigReader.of(values, "high_availability block");
    boolean enabled = r.booleanValue("enabled", false);
    Optional<String> zookeeper = r.optionalString("zookeeper");
    String path = r.string("path", HighAvailability.DEFAULT_HA_PATH);
    Duration timeout = r.duration("session_timeout", HighAvailability.DEFAULT_SESSION_TIMEOUT);
    Optional<String> memberId = r.optionalString("member_id");
    if (memberId.isPresent() && memberId.get().isBlank()) {
      r.problem("member_id", "must not be blank");
    }
    zookeeper.filter(z -> !isConnectString(z))
        .ifPresent(z -> r.problem("zookeeper", "must list host:port pairs separated by commas, e.g. h1:2181,h2:2181"));
    if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/")) || path.contains("//")) {
      r.problem("path", "must be an absolute ZooKeeper path such as /capstan/prod");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      r.problem("session_timeout", "must be positive");
    }
    boolean peerForm = zookeeper.isEmpty() && !peerKeys.isEmpty();
    // The peer's block as a whole has no effect; next to a zookeeper key only its lock keys have none.
    ignored.addAll(peerForm ? List.of("high_availability") : peerKeys);
    if (enabled && zookeeper.isEmpty() && !peerForm) {
      r.problem("zookeeper", "must be set when enabled = true");
    }
    r.rejectUnknownKeys();
    prefixed(where, r.problems(), problems);
    if (zookeeper.isEmpty() || peerForm || !r.problems().isEmpty()) {
      return Optional.empty();
    }
    // A block that is not enabled is kept, so that -high-availability-enabled can switch it on.
    return Optional.of(new HighAvailability(zookeeper.get(), path, timeout, memberId, enabled));
  }

  /** Whether {@code s} is {@code host:port[,host:port...]} with ports 1 to 65535. */
  private static boolean isConnectString(String s) {
    for (String pair : s.split(",", -1)) {
      int colon = pair.strip().lastIndexOf(':');
      if (colon <= 0) {
        return false;
      }
      String port = pair.strip().substring(colon + 1);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
        return false;
      }
    }
    return true;
  }

  /** Reads {@code source "file" { enabled = false }} and {@code source "nomad" { ... }} of the policy block. */
  private static PolicySources sources(Object value, List<String> problems) {
    if (value == null) {
      return PolicySources.DEFAULT;
    }
    if (!(value instanceof Map<?, ?> byName)) {
      problems.add("policy block: source must be labelled blocks: source \"file\" { enabled = true }");
      return PolicySources.DEFAULT;
    }
    boolean file = true;
    boolean nomad = true;
    for (Map.Entry<?, ?> e : byName.entrySet()) {
      String name = String.valueOf(e.getKey());
      String where = "policy block: source \"" + name + "\": ";
      if (!POLICY_SOURCES.contains(name)) {
        problems.add(where + "the name was '" + name + "' but it must be file or nomad");
        continue;
      }
      if (!(e.getValue() instanceof Map<?, ?> body)) {
        problems.add(where + "it must be a block: source \"" + name + "\" { enabled = true }");
        continue;
      }
      ConfigReader r = ConfigReader.of(strings(body, where, problems), where);
      boolean enabled = r.booleanValue("enabled", true);
      r.rejectUnknownKeys();
      prefixed(where, r.problems(), problems);
      if (name.equals("file")) {
        file = enabled;
      } else {
        nomad = enabled;
      }
    }
    return new PolicySources(file, nomad, byName.containsKey("nomad"));
  }

  /** The problem of a target whose {@code node_pool} names no block of the file. */
  static String undeclaredNodePool(String name, Set<String> declared) {
    return "node_pool was '" + name + "' but it must name a node_pool block of this file; declared: "
        + (declared.isEmpty() ? "none" : String.join(", ", new TreeSet<>(declared)));
  }

  private static void prefixed(String prefix, List<String> from, List<String> to) {
    from.forEach(p -> to.add(prefix + p));
  }

  /** Reads a block without label that may appear once; values become strings. */
  private static Map<String, String> block(Map<String, Object> root, String key, List<String> problems) {
    Object value = root.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("'" + key + "' must be a block: " + key + " { ... }" + (value instanceof List ? ", given once" : ""));
      return Map.of();
    }
    return strings(map, key, problems);
  }

  private static Map<String, PluginBlock> plugins(Map<String, Object> root, String kind, List<String> problems) {
    Object value = root.get(kind);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> byName)) {
      problems.add("'" + kind + "' must be labelled blocks: " + kind + " \"<name>\" { driver = \"...\" }");
      return Map.of();
    }
    Map<String, PluginBlock> blocks = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : byName.entrySet()) {
      String name = String.valueOf(e.getKey());
      String where = kind + " \"" + name + "\": ";
      if (!(e.getValue() instanceof Map<?, ?> body)) {
        problems.add(where + "it must be a block: " + kind + " \"" + name + "\" { driver = \"...\" }");
        continue;
      }
      Object driver = body.get("driver");
      if (!(driver instanceof String d) || d.isBlank()) {
        problems.add(where + "driver is required but was " + (driver == null ? "missing" : "'" + driver + "'"));
        continue;
      }
      Map<String, String> config = Map.of();
      Set<String> secrets = new java.util.HashSet<>();
      Object raw = body.get("config");
      if (raw instanceof Map<?, ?> c) {
        config = strings(c, where + "config", problems, secrets);
      } else if (raw != null) {
        problems.add(where + "config must be a map: config = { key = \"value\" }");
      }
      // Only a target can scale in through a node pool.
      boolean target = kind.equals("target");
      Optional<String> nodePool = Optional.empty();
      Object pool = body.get("node_pool");
      if (target && pool instanceof String p && !p.isBlank()) {
        nodePool = Optional.of(p);
      } else if (target && pool != null) {
        problems.add(where + "node_pool was '" + pool + "' but it must be the name of a node_pool block");
      }
      for (Object key : body.keySet()) {
        String k = String.valueOf(key);
        if (!PLUGIN_KEYS.contains(k) && !(target && k.equals("node_pool"))) {
          problems.add(where + "'" + key + "' is not a known key; known keys are args, config, driver"
              + (target ? ", node_pool" : ""));
        }
      }
      blocks.put(name, new PluginBlock(name, d, config, nodePool, secrets));
    }
    return blocks;
  }

  private static Map<String, String> strings(Map<?, ?> map, String where, List<String> problems) {
    return strings(map, where, problems, new java.util.HashSet<>());
  }

  /**
   * Reads a block's values as strings; {@code env("NAME")} and {@code file("PATH")} are resolved here
   * (at every load, so also on reload) and their keys added to {@code secrets}. A reference without a
   * value is a problem naming the key and the variable or file, never a value.
   */
  private static Map<String, String> strings(Map<?, ?> map, String where, List<String> problems, Set<String> secrets) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Hcl.Reference ref) {
        try {
          out.put(String.valueOf(e.getKey()), ref.resolve(System::getenv));
          secrets.add(String.valueOf(e.getKey()));
        } catch (IllegalArgumentException missing) {
          problems.add(where + ": " + e.getKey() + " = " + missing.getMessage());
        }
      } else if (v instanceof Map || v instanceof List) {
        problems.add(where + ": " + e.getKey() + " must be a single value, not a block or list");
      } else if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
        // hcl4j reads every number as a double; 8080 must stay "8080", not "8080.0".
        out.put(String.valueOf(e.getKey()), Long.toString(d.longValue()));
      } else {
        out.put(String.valueOf(e.getKey()), String.valueOf(v));
      }
    }
    return out;
  }
}
