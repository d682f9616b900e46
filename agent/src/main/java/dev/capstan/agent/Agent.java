package dev.capstan.agent;

import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.StateStore;
import dev.capstan.ha.zookeeper.ZooKeeperCoordination;
import dev.capstan.nomad.NomadAgentBlock;
import dev.capstan.nomad.NomadPolicySource;
import dev.capstan.nomad.NomadShortQueries;
import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: plug-ins from the agent file, policies from a directory (reloaded when a file
 * changes and on demand), the engine on its own schedule, the HTTP API, and per-policy state in files
 * so a restart keeps cooldowns. With {@code high_availability} enabled the agent joins a ZooKeeper
 * group instead: it evaluates only the policies it owns and keeps their state in ZooKeeper, so they
 * move with it to another member. When the agent is pointed at Nomad ({@link AgentConfig#nomadPolicies()})
 * it also reads the job scaling policies of Nomad's jobs ({@link NomadPolicySource}) and evaluates them
 * beside the files' policies. Nomad plug-ins inherit the agent file's {@code nomad {}} block
 * ({@link NomadAgentBlock}). {@link #close()} stops everything.
 */
final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final Supplier<AgentConfig> reread;
  private final Options options;
  private final Consumer<Autoscaler.Builder> customize;
  private final Optional<StateDirLock> lock;
  private final StateStore state;
  private final ScaleInJournal journal;
  private final PolicyDirectory policies;
  /** The agent files in force; a reload replaces it only with files that loaded and whose plug-ins were created. */
  private volatile AgentConfig config;
  private AgentPlugins plugins;
  /** Replaced when a reload recreates plug-ins; read by the HTTP API's thread. */
  private volatile Autoscaler autoscaler;
  /** Why the agent files last failed to reload, while the previous ones stay in force. */
  private Optional<String> agentFileProblem = Optional.empty();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DecisionLog decisions = new DecisionLog(500);
  private final AgentHttpServer http;
  private final Optional<ZooKeeperCoordination> coordination;
  private final ScheduledExecutorService poller;
  private final Map<String, ScalingPolicy> loaded = new LinkedHashMap<>();
  private final Map<Path, List<String>> failures = new LinkedHashMap<>();
  /** How the log names each policy (name and file); read by the engine's threads, so concurrent. */
  private final Map<String, String> descriptions = new ConcurrentHashMap<>();
  private final FailureLog failureLog = new FailureLog(LOG::warn, LOG::info,
      id -> descriptions.getOrDefault(id, "policy " + id));
  /** File policies without {@code enabled = true}, skipped as nomad-autoscaler skips them. */
  private final Map<String, ScalingPolicy> disabled = new LinkedHashMap<>();
  /** The check sources that are the Nomad metric source, whose short queries are expanded. */
  private final Set<String> nomadSources;
  /** Nomad's job policies in force, by id, with the agent's defaults applied, and their problems by origin. */
  private final Map<String, ScalingPolicy> nomadPolicies = new LinkedHashMap<>();
  private final Map<String, List<String>> nomadProblems = new LinkedHashMap<>();
  private Optional<NomadPolicySource> nomadSource = Optional.empty();

  /**
   * What the command line adds to the agent file.
   *
   * @param policyDir the policy directory
   * @param stateDir where per-policy state is kept
   * @param dryRun decide and report, but never scale
   * @param reloadInterval how often the policy directory is checked for changes; zero turns it off
   * @param scaleInExecutor runs the drains of cluster scale-ins; empty gives each cluster target a
   *     thread pool of its own (tests pass one that runs on the calling thread)
   */
  record Options(Path policyDir, Path stateDir, boolean dryRun, Duration reloadInterval,
      Optional<Executor> scaleInExecutor) {

    /**
     * Options whose cluster targets drain on threads of their own.
     *
     * @param policyDir the policy directory
     * @param stateDir where per-policy state is kept
     * @param dryRun decide and report, but never scale
     * @param reloadInterval how often the policy directory is checked for changes; zero turns it off
     */
    Options(Path policyDir, Path stateDir, boolean dryRun, Duration reloadInterval) {
      this(policyDir, stateDir, dryRun, reloadInterval, Optional.empty());
    }
  }

  /**
   * Builds the plug-ins, loads the policies, starts the engine and the HTTP API.
   *
   * @param customize last changes to the engine's builder (tests give their own plug-ins here)
   * @throws dev.capstan.spi.ConfigException if a plug-in's configuration is invalid or names no provider
   * @throws PolicyException if the policy directory cannot be read
   * @throws IOException if the HTTP API cannot bind
   */
  Agent(AgentConfig config, Options options, Consumer<Autoscaler.Builder> customize) throws IOException {
    this(config, () -> config, options, customize);
  }

  /**
   * Builds the plug-ins, loads the policies, starts the engine and the HTTP API; {@link #reloadAgent()}
   * reads the agent files again through {@code reread}.
   *
   * @param reread reads the agent files again, with the command line's flags applied as at start
   * @param customize last changes to the engine's builder (tests give their own plug-ins here); applied
   *     again to every engine a reload builds
   * @throws dev.capstan.spi.ConfigException if a plug-in's configuration is invalid or names no provider
   * @throws PolicyException if the policy directory cannot be read
   * @throws StateDirLock.LockedException if another agent holds the state directory
   * @throws IOException if the HTTP API cannot bind or the state directory cannot be locked
   */
  Agent(AgentConfig config, Supplier<AgentConfig> reread, Options options, Consumer<Autoscaler.Builder> customize)
      throws IOException {
    this.config = config;
    // Read first: a bad token file stops the agent before any plug-in is created. Read once: a reload of
    // the agent files does not rebind the HTTP API, so neither does it change its token.
    Optional<HttpToken> token = config.httpTokenFile().map(HttpToken::read);
    this.reread = reread;
    this.options = options;
    this.customize = customize;
    this.policies = new PolicyDirectory(options.policyDir());
    // Two agents writing one state directory would each overwrite the other's cooldowns; under HA the
    // state is in ZooKeeper and the group itself keeps members apart.
    this.lock = config.highAvailability().isPresent() ? Optional.empty()
        : Optional.of(StateDirLock.acquire(options.stateDir()));
    try {
      this.coordination = config.highAvailability().map(this::join);
    } catch (RuntimeException e) {
      lock.ifPresent(StateDirLock::close);
      throw e;
    }
    // Under HA the state lives next to the ownership, so a policy's cooldown and scale-in journal move
    // with it to the next owner; state_dir is not used then.
    this.state = coordination.<StateStore>map(ZooKeeperCoordination::stateStore)
        .orElseGet(() -> StateStore.file(options.stateDir()));
    // The journal shares the engine's store, so a scale-in cut short by a crash is finished or
    // rolled back after the restart.
    this.journal = ScaleInJournal.in(state);
    this.nomadSources = nomadSources(config);
    Autoscaler engine = null;
    try {
      plugins = AgentPlugins.create(config, AgentPlugins.none(), journal, options.scaleInExecutor());
      engine = engine(plugins);
      autoscaler = engine;
      reload();
      if (config.nomadPolicies()) {
        NomadPolicySource source;
        try {
          source = NomadPolicySource.builder(config.nomadBlock()).parser(Policies::parse)
              .listener(this::nomadChanged).metricSources(nomadSources).build();
        } catch (ConfigException e) {
          throw new ConfigException("agent file " + config.origin(), e.problems().stream()
              .map(p -> "nomad block: " + p).toList());
        }
        nomadSource = Optional.of(source);
        LOG.info("reading job scaling policies from {}", source);
        source.start();
      }
      http = new AgentHttpServer(config.bindAddress(), config.bindPort(),
          new AgentHttpServer.Content(this::healthJson,
              new MetricsEndpoint(registry, () -> this.config.observability().prometheusMetrics(),
                  java.time.Clock.systemUTC())::answer, decisions::toJson,
              new OverrideApi(() -> autoscaler), this::reloadAnswer), token);
      HttpToken.exposureWarning(config.bindAddress(), token).ifPresent(LOG::warn);
    } catch (IOException | RuntimeException e) {
      nomadSource.ifPresent(NomadPolicySource::close);
      if (engine != null) {
        engine.close();
      }
      coordination.ifPresent(ZooKeeperCoordination::close);
      if (plugins != null) {
        plugins.close();
      }
      lock.ifPresent(StateDirLock::close);
      throw e;
    }
    autoscaler.start();
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "capstan-policy-reload");
      t.setDaemon(true);
      return t;
    });
    if (!options.reloadInterval().isZero()) {
      // At least 1 ms: an interval under a millisecond would be 0 ms, which the executor refuses.
      long ms = Math.max(1, options.reloadInterval().toMillis());
      poller.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** Builds an engine over {@code set}: the agent's listeners, store and coordination, then the test's changes. */
  private Autoscaler engine(AgentPlugins set) {
    Autoscaler.Builder builder = Autoscaler.builder()
        .meterRegistry(registry)
        .listener(decisions)
        .listener(failureLog)
        .stateStore(state)
        .dryRun(options.dryRun());
    coordination.ifPresent(builder::coordination);
    set.register(builder);
    // Nomad plug-ins the file does not declare are looked up by name; they inherit the nomad block too.
    for (String name : NomadAgentBlock.DRIVERS) {
      builder.pluginConfig(name, NomadAgentBlock.inherit(Map.of(), config.nomadBlock()));
    }
    customize.accept(builder);
    return builder.build();
  }

  /**
   * The names checks use for the Nomad metric source: {@code nomad} and {@code nomad-apm} unless the file
   * gives those names to another driver, and every {@code apm} block whose driver is a Nomad one.
   */
  private static Set<String> nomadSources(AgentConfig config) {
    Set<String> names = new HashSet<>();
    NomadShortQueries.DEFAULT_SOURCES.stream().filter(n -> !config.apms().containsKey(n)).forEach(names::add);
    config.apms().values().stream().filter(b -> NomadAgentBlock.DRIVERS.contains(b.driver()))
        .forEach(b -> names.add(b.name()));
    return Set.copyOf(names);
  }

  /** Starts this agent's membership of the ZooKeeper group; ownership follows as ZooKeeper answers. */
  private ZooKeeperCoordination join(AgentConfig.HighAvailability ha) {
    ZooKeeperCoordination.Builder b = ZooKeeperCoordination.builder().connectString(ha.zookeeper()).path(ha.path())
        .sessionTimeout(ha.sessionTimeout()).meterRegistry(registry);
    ha.memberId().ifPresent(b::memberId);
    ZooKeeperCoordination zk = b.build().start();
    LOG.info("member '{}' joins the ZooKeeper group at {} under {}", zk.memberId(), ha.zookeeper(), ha.path());
    return zk;
  }

  /** Returns the port of the HTTP API. */
  int httpPort() {
    return http.port();
  }

  Autoscaler autoscaler() {
    return autoscaler;
  }

  /** Returns the ZooKeeper group this agent is a member of, when {@code high_availability} is enabled. */
  Optional<ZooKeeperCoordination> coordination() {
    return coordination;
  }

  DecisionLog decisions() {
    return decisions;
  }

  /** Returns the policies in force, by name. */
  synchronized Map<String, ScalingPolicy> policies() {
    return Map.copyOf(loaded);
  }

  /**
   * What a reload of the agent files did.
   *
   * @param applied whether the new files are in force
   * @param recreated the plug-ins created anew, as {@code kind "name"}; the others were kept
   * @param problem why the new files were refused (the previous ones stay in force), if they were
   */
  record ReloadOutcome(boolean applied, List<String> recreated, Optional<String> problem) {}

  /**
   * Reads the agent files and the policy directory again, as SIGHUP and {@code PUT /v1/agent/reload}
   * ask. Plug-ins whose block is unchanged are kept; when any was created, removed or replaced, the
   * engine is rebuilt over the new set (after the old engine's evaluations in flight end, so no policy
   * runs twice at once; cooldowns and overrides live in the state store and carry over) and the
   * replaced plug-ins are closed. Files that do not load, or whose plug-ins cannot be created, leave the
   * previous ones in force: the problem is logged and shown by {@code /v1/health} until a reload
   * succeeds. The policies are reloaded either way. The HTTP address, the state directory and
   * {@code high_availability} take effect at the next start; a change to them is logged.
   *
   * @return what happened
   */
  synchronized ReloadOutcome reloadAgent() {
    LOG.info("reloading the agent files ({}) and the policies", config.origin());
    AgentConfig next;
    AgentPlugins nextPlugins;
    try {
      next = reread.get();
      nextPlugins = AgentPlugins.create(next, plugins, journal, options.scaleInExecutor());
    } catch (RuntimeException e) {
      agentFileProblem = Optional.of(String.valueOf(e.getMessage()));
      LOG.error("the agent files were not reloaded; the previous ones stay in force: {}", e.getMessage());
      reload();
      return new ReloadOutcome(false, List.of(), agentFileProblem);
    }
    agentFileProblem = Optional.empty();
    List<String> restartOnly = restartOnly(config, next);
    if (!restartOnly.isEmpty()) {
      LOG.warn("{} changed; the agent keeps the old value until it restarts", String.join(", ", restartOnly));
    }
    config = next;
    if (nextPlugins.differsFrom(plugins)) {
      Autoscaler old = autoscaler;
      Autoscaler fresh = engine(nextPlugins);
      old.close();
      loaded.values().forEach(fresh::putPolicy);
      autoscaler = fresh;
      reload();
      fresh.start();
      plugins.closeReplaced(nextPlugins);
      LOG.info("plug-ins recreated: {}", nextPlugins.created().isEmpty() ? "none (some were removed)"
          : String.join(", ", nextPlugins.created()));
    } else {
      reload();
    }
    plugins = nextPlugins;
    return new ReloadOutcome(true, nextPlugins.created(), Optional.empty());
  }

  /** The settings that differ between {@code before} and {@code after} but apply only at start. */
  private static List<String> restartOnly(AgentConfig before, AgentConfig after) {
    List<String> changed = new ArrayList<>();
    if (!before.bindAddress().equals(after.bindAddress()) || before.bindPort() != after.bindPort()) {
      changed.add("the HTTP address");
    }
    if (!before.stateDir().equals(after.stateDir())) {
      changed.add("state_dir");
    }
    if (!before.nomad().equals(after.nomad()) && before.nomadPolicies()) {
      // Declared Nomad plug-ins are recreated with the new block; the job-policy watch is not.
      changed.add("the nomad block's settings for reading job policies");
    }
    if (!before.highAvailability().equals(after.highAvailability())) {
      changed.add("high_availability");
    }
    // The logger is set up once, at start, as the peer's.
    if (!before.logLevel().equals(after.logLevel())) {
      changed.add("log_level");
    }
    if (before.observability().logJson() != after.observability().logJson()
        || before.observability().logIncludeLocation() != after.observability().logIncludeLocation()) {
      changed.add("log_json / log_include_location");
    }
    return changed;
  }

  /** {@code PUT} or {@code POST /v1/agent/reload}: 200 when the new files are in force, 500 naming the problem. */
  private OverrideApi.Answer reloadAnswer() {
    ReloadOutcome outcome = reloadAgent();
    Map<String, Object> body = new LinkedHashMap<>();
    if (outcome.applied()) {
      body.put("reloaded", true);
      body.put("recreated_plugins", outcome.recreated());
      body.put("policies", policies().size());
      return new OverrideApi.Answer(200, Json.write(body));
    }
    body.put("reloaded", false);
    body.put("error", "the agent files were not reloaded; the previous ones stay in force: "
        + outcome.problem().orElse(""));
    return new OverrideApi.Answer(500, Json.write(body));
  }

  /** Reloads the policies if a file in the directory changed; returns whether it reloaded. */
  boolean reloadIfChanged() {
    try {
      if (policies.changed()) {
        reload();
        return true;
      }
    } catch (RuntimeException e) {
      LOG.error("reloading policies from {} failed; the previous ones stay in force", policies.path(), e);
    }
    return false;
  }

  /**
   * Reads the policy directory again and brings the engine in line: new and changed policies are put,
   * policies whose file is gone are removed. A file that no longer parses keeps its previous policies
   * in force, so a typo saved mid-edit does not stop scaling; its problems are logged and shown by
   * {@code /v1/health}.
   */
  synchronized void reload() {
    // With the file source disabled (policy { source "file" { enabled = false } }) no file is read.
    LoadedPolicies result = config.sources().file() ? policies.load() : new LoadedPolicies(List.of(), Map.of());
    failures.clear();
    result.failures().forEach((file, e) -> {
      failures.put(file, e.problems());
      e.problems().forEach(p -> LOG.error("policy file problem: {}", p));
    });
    Set<String> failedOrigins = result.failures().keySet().stream().map(Path::toString).collect(Collectors.toSet());
    Map<String, ScalingPolicy> next = new LinkedHashMap<>();
    for (ScalingPolicy p : loaded.values()) {
      if (failedOrigins.contains(p.origin())) {
        next.put(p.id(), p);
      }
    }
    Map<String, ScalingPolicy> skipped = new LinkedHashMap<>();
    for (ScalingPolicy p : result.policies()) {
      // nomad-autoscaler's file source defaults enabled to false: a parked policy must not start scaling.
      if (!p.isSet(ScalingPolicy.Field.ENABLED)) {
        skipped.put(p.id(), p);
        if (!disabled.containsKey(p.id())) {
          LOG.info("policy {} from {} is disabled (no enabled = true), so it is not evaluated", p.name(), p.origin());
        }
        continue;
      }
      next.put(p.id(), withAgentDefaults(NomadShortQueries.expand(p, nomadSources)));
      descriptions.put(p.id(), "policy '" + p.name() + "' from " + p.origin());
    }
    disabled.clear();
    disabled.putAll(skipped);
    next.putAll(nomadPolicies);
    apply(next);
  }

  /**
   * Takes the Nomad policy source's news: its policies replace the previous ones (the files' stay), and
   * each problem that is new is logged once; the previous version of a policy whose new one is invalid is
   * still in the snapshot, so it stays in force.
   */
  synchronized void nomadChanged(NomadPolicySource.Snapshot snapshot) {
    snapshot.problems().forEach((origin, list) -> {
      if (!list.equals(nomadProblems.get(origin))) {
        if (origin.equals(NomadPolicySource.SOURCE_PROBLEM_KEY)) {
          LOG.warn("reading Nomad's job scaling policies failed, retrying; the policies read before stay in force: {}",
              list.get(0));
        } else {
          list.forEach(p -> LOG.error("nomad policy problem: {}", p));
        }
      }
    });
    if (nomadProblems.containsKey(NomadPolicySource.SOURCE_PROBLEM_KEY)
        && !snapshot.problems().containsKey(NomadPolicySource.SOURCE_PROBLEM_KEY)) {
      LOG.info("reading Nomad's job scaling policies works again");
    }
    nomadProblems.clear();
    nomadProblems.putAll(snapshot.problems());
    Map<String, ScalingPolicy> next = new LinkedHashMap<>(loaded);
    next.keySet().removeAll(nomadPolicies.keySet());
    nomadPolicies.clear();
    snapshot.policies().values().forEach(p -> {
      ScalingPolicy withDefaults = withAgentDefaults(p);
      nomadPolicies.put(p.id(), withDefaults);
      descriptions.put(p.id(), "policy '" + p.name() + "' from " + p.origin());
    });
    next.putAll(nomadPolicies);
    apply(next);
  }

  /** Brings the engine in line with {@code next}: policies not in it are removed, new and changed ones put. */
  private void apply(Map<String, ScalingPolicy> next) {
    for (String id : loaded.keySet()) {
      if (!next.containsKey(id)) {
        autoscaler.removePolicy(id);
        failureLog.forget(id);
        LOG.info("policy {} removed", loaded.get(id).name());
      }
    }
    for (ScalingPolicy p : next.values()) {
      if (!p.equals(loaded.get(p.id()))) {
        autoscaler.putPolicy(p);
        LOG.info("policy {} from {} {}", p.name(), p.origin(), loaded.containsKey(p.id()) ? "updated" : "loaded");
      }
    }
    loaded.clear();
    loaded.putAll(next);
  }

  /**
   * Applies the agent file's {@code default_cooldown} and {@code default_evaluation_interval} to the
   * policies whose file did not set that field (a policy that says {@code cooldown = "5m"} keeps it,
   * even though 5m is nomad's default). Every other field is kept, and an unset
   * {@code cooldown_on_scale_up} follows the new cooldown, as it would have followed one in the file.
   */
  private ScalingPolicy withAgentDefaults(ScalingPolicy p) {
    Optional<Duration> cooldown = config.defaultCooldown().filter(d -> !p.isSet(ScalingPolicy.Field.COOLDOWN));
    Optional<Duration> interval = config.defaultEvaluationInterval()
        .filter(d -> !p.isSet(ScalingPolicy.Field.EVALUATION_INTERVAL));
    if (cooldown.isEmpty() && interval.isEmpty()) {
      return p;
    }
    ScalingPolicy.Builder b = p.toBuilder();
    cooldown.ifPresent(b::cooldown);
    interval.ifPresent(b::evaluationInterval);
    return b.build();
  }

  private synchronized String healthJson() {
    Map<String, Object> health = new LinkedHashMap<>();
    Map<String, String> failing = failureLog.failing();
    health.put("status", failing.isEmpty() && failures.isEmpty() && agentFileProblem.isEmpty()
        && nomadProblems.isEmpty() ? "ok" : "degraded");
    health.put("policies", loaded.values().stream().map(ScalingPolicy::name).sorted().toList());
    health.put("failing_policies", failing);
    health.put("disabled_policies", disabled.values().stream()
        .map(p -> p.name() + " (" + p.origin() + ")").sorted().toList());
    Map<String, List<String>> problems = new HashMap<>();
    failures.forEach((file, list) -> problems.put(file.toString(), list));
    problems.putAll(nomadProblems);
    health.put("policy_problems", problems);
    health.put("agent_file_problems", agentFileProblem.stream().toList());
    // Read from the coordination's memory only, so health answers while ZooKeeper is away.
    coordination.ifPresent(zk -> {
      Set<String> owned = zk.owned();
      Map<String, Object> ha = new LinkedHashMap<>();
      ha.put("member", zk.memberId());
      ha.put("state", zk.state().name().toLowerCase(java.util.Locale.ROOT));
      ha.put("members", zk.members());
      ha.put("owned_policies", owned.size());
      ha.put("owned", owned.stream().sorted().toList());
      health.put("ha", ha);
    });
    return Json.write(health);
  }

  @Override
  public void close() {
    poller.shutdownNow();
    // First, so no Nomad policy arrives while the engine stops.
    nomadSource.ifPresent(NomadPolicySource::close);
    http.close();
    autoscaler.close();
    // After the engine, so no evaluation runs once the claims are given back.
    coordination.ifPresent(ZooKeeperCoordination::close);
    plugins.close();
    registry.close();
    lock.ifPresent(StateDirLock::close);
  }
}
