package dev.capstan;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceProvider;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * Finds plug-ins by name with {@link ServiceLoader} and creates them from their configuration.
 *
 * <p>Providers are discovered once per class loader (the thread's context class loader, as
 * {@link ServiceLoader#load(Class)} uses) and cached. The cache never keeps a class loader alive: an
 * application redeployed in a container, whose loader was the context loader of an earlier lookup,
 * can still be unloaded. An unknown name throws a {@link ConfigException}
 * listing the names that are available; two providers of the same kind and name throw an
 * {@link IllegalStateException} naming both classes, because which one wins would be an accident of
 * the classpath.
 */
public final class Plugins {
  /**
   * Registries by context class loader, then by provider type; guarded by itself. Both levels have
   * weak keys, and no value refers strongly to a class of a loader that could be unloaded before this
   * class (see {@link Entry}), so an entry never keeps its own key alive, which is what makes a value
   * of a {@link WeakHashMap} leak.
   */
  private static final Map<ClassLoader, Map<Class<?>, Registry<?>>> CACHE = new WeakHashMap<>();

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
    ClassLoader loader = contextLoader();
    Registry<P> registry = registry(type, nameOf, loader);
    List<Entry<P>> found = registry.byName.getOrDefault(name, List.of());
    if (found.isEmpty()) {
      throw new ConfigException("unknown " + kind + " '" + name + "'; available: "
          + (registry.byName.isEmpty() ? "none (is the module on the classpath?)" : String.join(", ", registry.byName.keySet())));
    }
    if (found.size() > 1) {
      List<String> classes = new ArrayList<>();
      found.forEach(e -> classes.add(e.className));
      throw new IllegalStateException(found.size() + " " + kind + " providers are named '" + name + "': "
          + String.join(", ", classes) + "; remove one of them from the classpath");
    }
    return found.get(0).get(type, loader);
  }

  private static ClassLoader contextLoader() {
    return Optional.ofNullable(Thread.currentThread().getContextClassLoader()).orElse(Plugins.class.getClassLoader());
  }

  private static <P> Registry<P> registry(Class<P> type, Function<? super P, String> nameOf) {
    return registry(type, nameOf, contextLoader());
  }

  @SuppressWarnings("unchecked")
  private static <P> Registry<P> registry(Class<P> type, Function<? super P, String> nameOf, ClassLoader loader) {
    synchronized (CACHE) {
      Registry<?> cached = CACHE.getOrDefault(loader, Map.of()).get(type);
      if (cached != null) {
        return (Registry<P>) cached;
      }
    }
    // Loaded outside the lock: a provider's constructor may itself look plug-ins up. Two threads may
    // both load; the first to store wins and the other's registry is dropped, which is harmless.
    Registry<P> loaded = Registry.load(type, loader, nameOf);
    synchronized (CACHE) {
      return (Registry<P>) CACHE.computeIfAbsent(loader, l -> new WeakHashMap<>()).computeIfAbsent(type, t -> loaded);
    }
  }

  /** Every provider of one type, grouped by name; duplicates are kept so lookups can report them. */
  private static final class Registry<P> {
    final Map<String, List<Entry<P>>> byName;

    private Registry(Map<String, List<Entry<P>>> byName) {
      this.byName = byName;
    }

    static <P> Registry<P> load(Class<P> type, ClassLoader loader, Function<? super P, String> nameOf) {
      Map<String, List<Entry<P>>> byName = new TreeMap<>();
      for (P provider : ServiceLoader.load(type, loader)) {
        byName.computeIfAbsent(nameOf.apply(provider), n -> new ArrayList<>()).add(Entry.of(provider));
      }
      byName.replaceAll((n, l) -> List.copyOf(l));
      return new Registry<>(Collections.unmodifiableMap(byName));
    }
  }

  /**
   * One provider. A provider whose class comes from this class's own loader or one of its parents is
   * kept as it is: those loaders live as long as this class, so holding it keeps nothing else alive,
   * and lookups return the same instance, as before. A provider from any other loader (an
   * application's, in a container) is kept only as a weak reference to its class, so the cache does
   * not pin that loader; its class stays reachable through its loader for as long as the loader is
   * in use, and each lookup creates a fresh instance from it (providers are stateless factories with
   * a public no-argument constructor). Holding such providers strongly, or behind soft references,
   * would keep the loader and every class it defined until memory ran out.
   */
  private static final class Entry<P> {
    final String className;
    private final P held;
    private final WeakReference<Class<?>> type;

    private Entry(String className, P held, WeakReference<Class<?>> type) {
      this.className = className;
      this.held = held;
      this.type = type;
    }

    static <P> Entry<P> of(P provider) {
      Class<?> type = provider.getClass();
      return outlivesPlugins(type.getClassLoader())
          ? new Entry<>(type.getName(), provider, null)
          : new Entry<>(type.getName(), null, new WeakReference<>(type));
    }

    private static boolean outlivesPlugins(ClassLoader loader) {
      if (loader == null) {
        return true;
      }
      for (ClassLoader l = Plugins.class.getClassLoader(); l != null; l = l.getParent()) {
        if (l == loader) {
          return true;
        }
      }
      return false;
    }

    P get(Class<P> spi, ClassLoader loader) {
      if (held != null) {
        return held;
      }
      Class<?> c = type.get();
      if (c == null) {
        // Cannot happen while the loader that is looking it up is in use; its classes are strongly held.
        throw new IllegalStateException("provider " + className + " was unloaded with its class loader");
      }
      try {
        return spi.cast(c.getConstructor().newInstance());
      } catch (ReflectiveOperationException | RuntimeException e) {
        // A provider only ServiceLoader may create (a static provider() method, or an unexported package
        // of a named module): ask it again for just this class.
        for (ServiceLoader.Provider<P> p : ServiceLoader.load(spi, loader).stream().toList()) {
          if (p.type() == c) {
            return p.get();
          }
        }
        throw new IllegalStateException("could not create provider " + className + ": " + e, e);
      }
    }
  }
}
