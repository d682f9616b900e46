package dev.capstan.engine;

import dev.capstan.Plugins;
import dev.capstan.policy.PluginRef;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.Target;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the plug-ins policies name: those given to the builder first, else (when allowed) through
 * {@link Plugins}, created once per name with the agent-level configuration. Owns and closes what it
 * created; what the builder was given stays the caller's.
 */
final class PluginResolver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PluginResolver.class);

  private final Map<String, Function<Map<String, String>, Strategy>> strategies;
  private final Map<String, MetricSource> sources;
  private final Map<String, Target> targets;
  private final Map<String, Map<String, String>> pluginConfigs;
  private final boolean lookupPlugins;
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

  PluginResolver(Map<String, Function<Map<String, String>, Strategy>> strategies, Map<String, MetricSource> sources,
      Map<String, Target> targets, Map<String, Map<String, String>> pluginConfigs, boolean lookupPlugins) {
    this.strategies = Map.copyOf(strategies);
    this.sources = new ConcurrentHashMap<>(sources);
    this.targets = new ConcurrentHashMap<>(targets);
    this.pluginConfigs = Map.copyOf(pluginConfigs);
    this.lookupPlugins = lookupPlugins;
  }

  /** Binds a policy: its strategies created, sources found, target found and its block bound. Never throws. */
  BoundPolicy bind(dev.capstan.policy.ScalingPolicy policy) {
    BoundPolicy bound = new BoundPolicy(policy, this);
    bound.problems().forEach(p -> LOG.warn("{}: policy '{}': {}", policy.origin(), policy.name(), p));
    return bound;
  }

  MetricSource source(String name) {
    MetricSource source = sources.get(name);
    if (source != null) {
      return source;
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown metric source '" + name + "'; given: " + sources.keySet());
    }
    return sources.computeIfAbsent(name, n -> own(Plugins.metricSource(n, pluginConfigs.getOrDefault(n, Map.of()))));
  }

  Target target(String name) {
    Target target = targets.get(name);
    if (target != null) {
      return target;
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown target '" + name + "'; given: " + targets.keySet());
    }
    return targets.computeIfAbsent(name, n -> own(Plugins.target(n, pluginConfigs.getOrDefault(n, Map.of()))));
  }

  Strategy strategy(PluginRef ref) {
    Function<Map<String, String>, Strategy> factory = strategies.get(ref.name());
    if (factory != null) {
      return Objects.requireNonNull(factory.apply(ref.config()), "strategy factory returned null");
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown strategy '" + ref.name() + "'; given: " + strategies.keySet());
    }
    return Plugins.strategy(ref.name(), ref.config());
  }

  private <T extends AutoCloseable> T own(T plugin) {
    owned.add(plugin);
    return plugin;
  }

  /** Closes the plug-ins this resolver created; a failure is logged and the rest still close. */
  @Override
  public void close() {
    for (AutoCloseable plugin : owned) {
      try {
        plugin.close();
      } catch (Exception e) {
        LOG.warn("closing plug-in {} failed", plugin.getClass().getName(), e);
      }
    }
  }

  static String message(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
  }
}
