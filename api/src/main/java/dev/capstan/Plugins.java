package dev.capstan;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceProvider;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Finds plug-ins by name with {@link ServiceLoader} and creates them from their configuration.
 *
 * <p>Providers are discovered once per class loader (the thread's context class loader, as
 * {@link ServiceLoader#load(Class)} uses) and cached. An unknown name throws a {@link ConfigException}
 * listing the names that are available; two providers of the same kind and name throw an
 * {@link IllegalStateException} naming both classes, because which one wins would be an accident of
 * the classpath.
 */
public final class Plugins {
  private static final Map<ClassLoader, Map<Class<?>, Registry<?>>> CACHE = new ConcurrentHashMap<>();

  private Plugins() {}

  /**
   * Creates the strategy named {@code name}.
   *
   * @param name the provider's name, e.g. {@code "target-value"}
   * @param config the strategy's configuration
   * @return a new strategy
   * @throws ConfigException if no strategy has that name, or the configuration is invalid
   * @throws IllegalStateException if two strategy providers share that name
   */
  public static Strategy strategy(String name, Map<String, String> config) {
    return strategyProvider(name).create(config);
  }

  /**
   * Creates the metric source named {@code name}.
   *
   * @param name the provider's name, e.g. {@code "prometheus"}
   * @param config the source's configuration
   * @return a new metric source; the caller closes it
   * @throws ConfigException if no metric source has that name, or the configuration is invalid
   * @throws IllegalStateException if two metric source providers share that name
   */
  public static MetricSource metricSource(String name, Map<String, String> config) {
    return metricSourceProvider(name).create(config);
  }

  /**
   * Creates the target named {@code name}.
   *
   * @param name the provider's name, e.g. {@code "aws-asg"}
   * @param config the target's agent-level configuration
   * @return a new target; the caller closes it
   * @throws ConfigException if no target has that name, or the configuration is invalid
   * @throws IllegalStateException if two target providers share that name
   */
  public static Target target(String name, Map<String, String> config) {
    return targetProvider(name).create(config);
  }

  /**
   * Returns the strategy provider named {@code name}.
   *
   * @param name the provider's name
   * @return the provider
   * @throws ConfigException if none has that name
   * @throws IllegalStateException if two share it
   */
  public static StrategyProvider strategyProvider(String name) {
    return provider(StrategyProvider.class, "strategy", StrategyProvider::name, name);
  }

  /**
   * Returns the metric source provider named {@code name}.
   *
   * @param name the provider's name
   * @return the provider
   * @throws ConfigException if none has that name
   * @throws IllegalStateException if two share it
   */
  public static MetricSourceProvider metricSourceProvider(String name) {
    return provider(MetricSourceProvider.class, "metric source", MetricSourceProvider::name, name);
  }

  /**
   * Returns the target provider named {@code name}.
   *
   * @param name the provider's name
   * @return the provider
   * @throws ConfigException if none has that name
   * @throws IllegalStateException if two share it
   */
  public static TargetProvider targetProvider(String name) {
    return provider(TargetProvider.class, "target", TargetProvider::name, name);
  }

  /**
   * Returns the names of every strategy on the classpath.
   *
   * @return the sorted names
   */
  public static SortedSet<String> strategyNames() {
    return names(StrategyProvider.class, StrategyProvider::name);
  }

  /**
   * Returns the names of every metric source on the classpath.
   *
   * @return the sorted names
   */
  public static SortedSet<String> metricSourceNames() {
    return names(MetricSourceProvider.class, MetricSourceProvider::name);
  }

  /**
   * Returns the names of every target on the classpath.
   *
   * @return the sorted names
   */
  public static SortedSet<String> targetNames() {
    return names(TargetProvider.class, TargetProvider::name);
  }

  /**
   * Returns the names of every provider of {@code type} on the classpath.
   *
   * @param type the provider interface
   * @param nameOf how a provider tells its name
   * @param <P> the provider type
   * @return the sorted names
   */
  public static <P> SortedSet<String> names(Class<P> type, Function<? super P, String> nameOf) {
    return new TreeSet<>(registry(type, nameOf).byName.keySet());
  }

  /**
   * Returns the provider of {@code type} named {@code name}: the generic lookup behind the typed
   * methods, also for SPIs defined outside this package (such as node pools).
   *
   * @param type the provider interface
   * @param kind how the kind is called in messages, e.g. {@code "node pool"}
   * @param nameOf how a provider tells its name
   * @param name the name wanted
   * @param <P> the provider type
   * @return the single provider with that name
   * @throws ConfigException if none has that name; the message lists the available names
   * @throws IllegalStateException if two or more providers share that name
   */
  public static <P> P provider(Class<P> type, String kind, Function<? super P, String> nameOf, String name) {
    Objects.requireNonNull(name, "name");
    Registry<P> registry = registry(type, nameOf);
    List<P> found = registry.byName.getOrDefault(name, List.of());
    if (found.isEmpty()) {
      throw new ConfigException("unknown " + kind + " '" + name + "'; available: "
          + (registry.byName.isEmpty() ? "none (is the module on the classpath?)" : String.join(", ", registry.byName.keySet())));
    }
    if (found.size() > 1) {
      List<String> classes = new ArrayList<>();
      found.forEach(p -> classes.add(p.getClass().getName()));
      throw new IllegalStateException(found.size() + " " + kind + " providers are named '" + name + "': "
          + String.join(", ", classes) + "; remove one of them from the classpath");
    }
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static <P> Registry<P> registry(Class<P> type, Function<? super P, String> nameOf) {
    ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
        .orElse(Plugins.class.getClassLoader());
    return (Registry<P>) CACHE.computeIfAbsent(loader, l -> new ConcurrentHashMap<>())
        .computeIfAbsent(type, t -> Registry.load(type, loader, nameOf));
  }

  /** Every provider of one type, grouped by name; duplicates are kept so lookups can report them. */
  private static final class Registry<P> {
    final Map<String, List<P>> byName;

    private Registry(Map<String, List<P>> byName) {
      this.byName = byName;
    }

    static <P> Registry<P> load(Class<P> type, ClassLoader loader, Function<? super P, String> nameOf) {
      Map<String, List<P>> byName = new TreeMap<>();
      for (P provider : ServiceLoader.load(type, loader)) {
        byName.computeIfAbsent(nameOf.apply(provider), n -> new ArrayList<>()).add(provider);
      }
      byName.replaceAll((n, l) -> List.copyOf(l));
      return new Registry<>(java.util.Collections.unmodifiableMap(byName));
    }
  }
}
