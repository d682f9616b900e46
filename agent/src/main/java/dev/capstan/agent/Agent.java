package dev.capstan.agent;

import dev.capstan.Plugins;
import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolProvider;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.StateStore;
import dev.capstan.ha.zookeeper.ZooKeeperCoordination;
import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.Target;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: plug-ins from the agent file, policies from a directory (reloaded when a file
 * changes and on demand), the engine on its own schedule, the HTTP API, and per-policy state in files
 * so a restart keeps cooldowns. With {@code high_availability} enabled the agent joins a ZooKeeper
 * group instead: it evaluates only the policies it owns and keeps their state in ZooKeeper, so they
 * move with it to another member. {@link #close()} stops everything.
 */
final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final PolicyDirectory policies;
  private final Autoscaler autoscaler;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DecisionLog decisions = new DecisionLog(500);
  private final List<AutoCloseable> plugins = new ArrayList<>();
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
    this.config = config;
    this.policies = new PolicyDirectory(options.policyDir());
    this.coordination = config.highAvailability().map(this::join);
    // Under HA the state lives next to the ownership, so a policy's cooldown and scale-in journal move
    // with it to the next owner; state_dir is not used then.
    StateStore state = coordination.<StateStore>map(ZooKeeperCoordination::stateStore)
        .orElseGet(() -> StateStore.file(options.stateDir()));
    Autoscaler.Builder builder = Autoscaler.builder()
        .meterRegistry(registry)
        .listener(decisions)
        .listener(failureLog)
        .stateStore(state)
        .dryRun(options.dryRun());
    coordination.ifPresent(builder::coordination);
    Autoscaler engine = null;
    try {
      config.apms().values().forEach(b -> builder.metricSource(b.name(), own(Plugins.metricSource(b.driver(), b.config()))));
      Map<String, NodePool> pools = new LinkedHashMap<>();
      config.nodePools().values().forEach(b -> pools.put(b.name(), own(NodePoolProvider.load(b.driver(), b.config()))));
      // The journal shares the engine's store, so a scale-in cut short by a crash is finished or
      // rolled back after the restart.
      ScaleInJournal journal = ScaleInJournal.in(state);
      config.targets().values().forEach(b -> builder.target(b.name(), target(b, pools, journal, options)));
      config.strategies().values().forEach(b -> builder.strategy(b.name(), Plugins.strategyProvider(b.driver())::create));
      customize.accept(builder);
      engine = builder.build();
      autoscaler = engine;
      reload();
      http = new AgentHttpServer(config.bindAddress(), config.bindPort(),
          new AgentHttpServer.Content(this::healthJson, registry::scrape, decisions::toJson, new OverrideApi(engine)));
    } catch (IOException | RuntimeException e) {
      if (engine != null) {
        engine.close();
      }
      coordination.ifPresent(ZooKeeperCoordination::close);
      closePlugins();
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

  /**
   * Creates a target block's target; one that names a node pool scales in through it. The agent
   * owns the pool, so the cluster target gets a view whose close leaves it open for other targets.
   */
  private Target target(AgentConfig.PluginBlock block, Map<String, NodePool> pools, ScaleInJournal journal,
      Options options) {
    Target cloud = Plugins.target(block.driver(), block.config());
    if (block.nodePool().isEmpty()) {
      return own(cloud);
    }
    String poolName = block.nodePool().get();
    NodePool pool = pools.get(poolName);
    String problem = null;
    if (pool == null) {
      problem = AgentConfig.undeclaredNodePool(poolName, pools.keySet());
    } else if (!(cloud instanceof InstanceGroup)) {
      problem = "driver '" + block.driver() + "' cannot terminate chosen instances (it is not an InstanceGroup), "
          + "so it cannot scale in through node_pool '" + poolName + "'";
    }
    if (problem != null) {
      cloud.close();
      throw new ConfigException("agent file " + config.origin(), List.of("target \"" + block.name() + "\": " + problem));
    }
    NodePool shared = new SharedNodePool(pool);
    return own(options.scaleInExecutor()
        .map(executor -> ClusterTarget.of(block.name(), cloud, shared, journal, executor))
        .orElseGet(() -> ClusterTarget.of(block.name(), cloud, shared, journal)));
  }

  /** A node pool used by a cluster target but owned, and closed, by the agent. */
  private record SharedNodePool(NodePool pool) implements NodePool {
    @Override
    public List<Node> nodes() {
      return pool.nodes();
    }

    @Override
    public void drain(String nodeId, DrainSpec spec) {
      pool.drain(nodeId, spec);
    }

    @Override
    public void setEligibility(String nodeId, boolean eligible) {
      pool.setEligibility(nodeId, eligible);
    }

    @Override
    public void purge(String nodeId) {
      pool.purge(nodeId);
    }

    @Override
    public void close() {
      // The agent closes the pool itself, once, after every target that uses it.
    }
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

  private <T extends AutoCloseable> T own(T plugin) {
    plugins.add(plugin);
    return plugin;
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
      next.put(p.id(), withAgentDefaults(p));
      descriptions.put(p.id(), "policy '" + p.name() + "' from " + p.origin());
    }
    disabled.clear();
    disabled.putAll(skipped);
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
    health.put("status", failing.isEmpty() && failures.isEmpty() ? "ok" : "degraded");
    health.put("policies", loaded.values().stream().map(ScalingPolicy::name).sorted().toList());
    health.put("failing_policies", failing);
    health.put("disabled_policies", disabled.values().stream()
        .map(p -> p.name() + " (" + p.origin() + ")").sorted().toList());
    Map<String, List<String>> problems = new HashMap<>();
    failures.forEach((file, list) -> problems.put(file.toString(), list));
    health.put("policy_problems", problems);
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
    http.close();
    autoscaler.close();
    // After the engine, so no evaluation runs once the claims are given back.
    coordination.ifPresent(ZooKeeperCoordination::close);
    closePlugins();
    registry.close();
  }

  private void closePlugins() {
    // Newest first: a cluster target stops before the node pool it drains through.
    for (int i = plugins.size() - 1; i >= 0; i--) {
      AutoCloseable plugin = plugins.get(i);
      try {
        plugin.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", plugin.getClass().getName(), e);
      }
    }
  }

}
