package dev.capstan.agent;

import dev.capstan.Plugins;
import dev.capstan.cluster.ClusterTarget;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolProvider;
import dev.capstan.cluster.ScaleInJournal;
import dev.capstan.engine.Autoscaler;
import dev.capstan.nomad.NomadAgentBlock;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plug-ins an agent file declares ({@code apm}, {@code node_pool}, {@code target} and
 * {@code strategy} blocks), created once from their blocks. A reload builds the next set from the new
 * file and the previous set: a plug-in whose block is unchanged is the same instance (its connections
 * and caches survive), one whose block changed is created anew. A target that scales in through a
 * node pool counts as changed when its pool does. Not thread-safe: the agent builds and swaps sets
 * under its own lock.
 */
final class AgentPlugins implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentPlugins.class);

  /** A created plug-in and what it was created from; equal keys mean it can be reused. */
  private record Made<T extends AutoCloseable>(Object key, T instance) {}

  private final Map<String, Made<MetricSource>> apms = new LinkedHashMap<>();
  private final Map<String, Made<NodePool>> pools = new LinkedHashMap<>();
  private final Map<String, Made<Target>> targets = new LinkedHashMap<>();
  private final Map<String, AgentConfig.PluginBlock> strategies = new LinkedHashMap<>();
  /** The plug-ins created for this set, as {@code kind "name"}, in creation order. */
  private final List<String> created = new ArrayList<>();
  /** The instances created for this set (not reused from the previous one), in creation order. */
  private final List<AutoCloseable> createdInstances = new ArrayList<>();

  private AgentPlugins() {}

  /** Returns a set without plug-ins: what an agent has before its first file is applied. */
  static AgentPlugins none() {
    return new AgentPlugins();
  }

  /**
   * Creates the plug-ins of {@code config}, reusing those of {@code previous} whose block did not
   * change. Nothing of {@code previous} is closed: once the engine that used it is stopped, call
   * {@link #closeReplaced(AgentPlugins)} on it.
   *
   * @param scaleInExecutor runs the drains of cluster targets; empty gives each its own threads
   * @throws ConfigException if a block names no provider or its configuration is invalid; the
   *     plug-ins created so far are closed first
   */
  static AgentPlugins create(AgentConfig config, AgentPlugins previous, ScaleInJournal journal,
      Optional<Executor> scaleInExecutor) {
    AgentPlugins next = new AgentPlugins();
    try {
      // A plug-in is kept while its block and what it inherits (the nomad {} block) stay the same.
      for (AgentConfig.PluginBlock b : config.apms().values()) {
        Map<String, String> settings = pluginConfig(config, b);
        next.apms.put(b.name(), next.reuseOr(previous.apms.get(b.name()), List.of(b, settings), "apm \"" + b.name() + "\"",
            () -> redacting(b, () -> Plugins.metricSource(b.driver(), settings))));
      }
      for (AgentConfig.PluginBlock b : config.nodePools().values()) {
        Map<String, String> settings = pluginConfig(config, b);
        next.pools.put(b.name(), next.reuseOr(previous.pools.get(b.name()), List.of(b, settings),
            "node_pool \"" + b.name() + "\"", () -> redacting(b, () -> NodePoolProvider.load(b.driver(), settings))));
      }
      for (AgentConfig.PluginBlock b : config.targets().values()) {
        Map<String, String> settings = pluginConfig(config, b);
        // A cluster target holds its pool: a new pool (its key: block and settings) needs a new cluster
        // target around it.
        Object poolKey = b.nodePool().map(next.pools::get).<Object>map(Made::key).orElse("");
        next.targets.put(b.name(), next.reuseOr(previous.targets.get(b.name()), List.of(b, settings, poolKey),
            "target \"" + b.name() + "\"", () -> next.target(config, b, settings, journal, scaleInExecutor)));
      }
      next.strategies.putAll(config.strategies());
    } catch (RuntimeException e) {
      next.closeCreated();
      throw e;
    }
    return next;
  }

  /** The plug-ins this set created rather than reused, as {@code kind "name"}. */
  List<String> created() {
    return List.copyOf(created);
  }

  /**
   * Whether an engine built over {@code previous} cannot serve this set: a plug-in was created, one was
   * removed, or the strategy blocks differ.
   */
  boolean differsFrom(AgentPlugins previous) {
    return !created.isEmpty() || !apms.keySet().equals(previous.apms.keySet())
        || !pools.keySet().equals(previous.pools.keySet()) || !targets.keySet().equals(previous.targets.keySet())
        || !strategies.equals(previous.strategies);
  }

  /** Gives every plug-in of this set to the engine under its block's name. */
  void register(Autoscaler.Builder builder) {
    apms.forEach((name, m) -> builder.metricSource(name, m.instance()));
    targets.forEach((name, m) -> builder.target(name, m.instance()));
    strategies.values().forEach(b -> builder.strategy(b.name(), Plugins.strategyProvider(b.driver())::create));
  }

  private interface Factory<T> {
    T create();
  }

  /** A plug-in block's configuration; a Nomad plug-in's with the agent's {@code nomad {}} block merged in. */
  private static Map<String, String> pluginConfig(AgentConfig config, AgentConfig.PluginBlock block) {
    if (!NomadAgentBlock.DRIVERS.contains(block.driver())) {
      return block.config();
    }
    try {
      return NomadAgentBlock.inherit(block.config(), config.nomadBlock());
    } catch (ConfigException e) {
      throw new ConfigException("agent file " + config.origin(), List.of(block.name() + ": " + e.problems().get(0)));
    }
  }

  /**
   * Creates a plug-in from its block; a refusal that quotes one of the block's secret values (given as
   * {@code env(...)} or {@code file(...)}) is rethrown with the value replaced and without its causes.
   */
  private static <T> T redacting(AgentConfig.PluginBlock block, Factory<T> create) {
    try {
      return create.create();
    } catch (ConfigException e) {
      String message = String.valueOf(e.getMessage());
      if (block.redact(message).equals(message)) {
        throw e;
      }
      throw new ConfigException(block.redact(message));
    }
  }

  private <T extends AutoCloseable> Made<T> reuseOr(Made<T> old, Object key, String what, Factory<T> factory) {
    if (old != null && old.key().equals(key)) {
      return old;
    }
    T instance = factory.create();
    created.add(what);
    createdInstances.add(instance);
    return new Made<>(key, instance);
  }

  /**
   * Creates a target block's target; one that names a node pool scales in through it. The agent owns
   * the pool, so the cluster target gets a view whose close leaves it open for other targets.
   */
  private Target target(AgentConfig config, AgentConfig.PluginBlock block, Map<String, String> settings,
      ScaleInJournal journal, Optional<Executor> scaleInExecutor) {
    Target cloud = redacting(block, () -> Plugins.target(block.driver(), settings));
    if (block.nodePool().isEmpty()) {
      return cloud;
    }
    String poolName = block.nodePool().get();
    Made<NodePool> pool = pools.get(poolName);
    String problem = null;
    if (pool == null) {
      problem = AgentConfig.undeclaredNodePool(poolName, pools.keySet());
    } else if (!(cloud instanceof InstanceGroup)) {
      problem = "driver '" + block.driver() + "' cannot terminate chosen instances (it is not an InstanceGroup), "
          + "so it cannot scale in through node_pool '" + poolName + "'";
    }
    if (problem != null) {
      close(cloud);
      throw new ConfigException("agent file " + config.origin(), List.of("target \"" + block.name() + "\": " + problem));
    }
    NodePool shared = new SharedNodePool(pool.instance());
    return scaleInExecutor
        .map(executor -> ClusterTarget.of(block.name(), cloud, shared, journal, executor))
        .orElseGet(() -> ClusterTarget.of(block.name(), cloud, shared, journal));
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
    public Optional<String> localNodeId() {
      return pool.localNodeId();
    }

    @Override
    public void close() {
      // The agent closes the pool itself, once, after every target that uses it.
    }
  }

  /** Closes the plug-ins of this set that {@code next} does not use any more. */
  void closeReplaced(AgentPlugins next) {
    closeAll(unusedBy(next));
  }

  /** Closes the plug-ins this set created, newest first; used when the set is given up before it was used. */
  private void closeCreated() {
    List<AutoCloseable> newestFirst = new ArrayList<>(createdInstances);
    java.util.Collections.reverse(newestFirst);
    closeAll(newestFirst);
  }

  /** This set's instances that {@code next} does not hold, newest kind first: targets before their pools. */
  private List<AutoCloseable> unusedBy(AgentPlugins next) {
    List<AutoCloseable> unused = new ArrayList<>();
    List<Object> kept = new ArrayList<>();
    next.targets.values().forEach(m -> kept.add(m.instance()));
    next.pools.values().forEach(m -> kept.add(m.instance()));
    next.apms.values().forEach(m -> kept.add(m.instance()));
    for (Map<String, ? extends Made<?>> kind : List.of(targets, pools, apms)) {
      for (Made<?> m : kind.values()) {
        if (kept.stream().noneMatch(k -> k == m.instance())) {
          unused.add(m.instance());
        }
      }
    }
    return unused;
  }

  @Override
  public void close() {
    closeAll(unusedBy(new AgentPlugins()));
  }

  private static void closeAll(List<AutoCloseable> plugins) {
    plugins.forEach(AgentPlugins::close);
  }

  private static void close(AutoCloseable plugin) {
    try {
      plugin.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed", plugin.getClass().getName(), e);
    }
  }
}
