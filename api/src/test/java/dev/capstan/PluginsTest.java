package dev.capstan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auto.service.AutoService;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceProvider;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PluginsTest {

  /** A strategy that wants the count named in its config. */
  @AutoService(StrategyProvider.class)
  public static final class FixedTestStrategyProvider implements StrategyProvider {
    @Override
    public String name() {
      return "test-fixed";
    }

    @Override
    public Strategy create(Map<String, String> config) {
      long value = Long.parseLong(config.get("value"));
      return (count, metrics) -> value;
    }
  }

  /** One of two metric sources that share a name, to prove duplicates are reported. */
  @AutoService(MetricSourceProvider.class)
  public static final class FirstDuplicateSourceProvider implements MetricSourceProvider {
    @Override
    public String name() {
      return "test-duplicate";
    }

    @Override
    public MetricSource create(Map<String, String> config) {
      return new EmptySource();
    }
  }

  /** The other of two metric sources that share a name. */
  @AutoService(MetricSourceProvider.class)
  public static final class SecondDuplicateSourceProvider implements MetricSourceProvider {
    @Override
    public String name() {
      return "test-duplicate";
    }

    @Override
    public MetricSource create(Map<String, String> config) {
      return new EmptySource();
    }
  }

  /** A metric source with a unique name next to the duplicates. */
  @AutoService(MetricSourceProvider.class)
  public static final class UniqueSourceProvider implements MetricSourceProvider {
    @Override
    public String name() {
      return "test-unique";
    }

    @Override
    public MetricSource create(Map<String, String> config) {
      return new EmptySource();
    }
  }

  private static final class EmptySource implements MetricSource {
    @Override
    public MetricSeries query(String query, Instant from, Instant to) {
      return MetricSeries.empty();
    }

    @Override
    public void close() {}
  }

  @Test
  void strategy_registeredName_createsFromConfig() {
    Strategy s = Plugins.strategy("test-fixed", Map.of("value", "7"));
    assertThat(s.desiredCount(3, MetricSeries.empty())).isEqualTo(7);
    assertThat(Plugins.strategyNames()).contains("test-fixed");
  }

  @Test
  void strategy_unknownName_listsAvailableNames() {
    assertThatThrownBy(() -> Plugins.strategy("target-valeu", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown strategy 'target-valeu'; available: test-fixed");
  }

  @Test
  void target_noneOnClasspath_saysSo() {
    assertThatThrownBy(() -> Plugins.target("aws-asg", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown target 'aws-asg'; available: none (is the module on the classpath?)");
  }

  @Test
  void metricSource_duplicateName_namesBothClasses() {
    assertThatThrownBy(() -> Plugins.metricSource("test-duplicate", Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("2 metric source providers are named 'test-duplicate'")
        .hasMessageContaining(FirstDuplicateSourceProvider.class.getName())
        .hasMessageContaining(SecondDuplicateSourceProvider.class.getName());
  }

  @Test
  void metricSource_uniqueNameBesideDuplicates_stillFound() {
    try (MetricSource source = Plugins.metricSource("test-unique", Map.of())) {
      assertThat(source).isInstanceOf(EmptySource.class);
    }
    assertThat(Plugins.metricSourceNames()).containsExactly("test-duplicate", "test-unique");
  }

  @Test
  void cache_contextLoaderDropped_loaderIsCollected(@TempDir Path dir) throws Exception {
    String probe = LeakProbeStrategyProvider.class.getName();
    Path classFile = dir.resolve(probe.replace('.', '/') + ".class");
    Files.createDirectories(classFile.getParent());
    try (InputStream in = PluginsTest.class.getResourceAsStream("/" + probe.replace('.', '/') + ".class")) {
      Files.write(classFile, in.readAllBytes());
    }
    Path services = dir.resolve("META-INF/services/" + StrategyProvider.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(services, probe + "\n");

    WeakReference<ClassLoader> dropped = lookUpThroughThrowawayLoader(dir, probe);

    // Bounded: a loader nothing holds goes at the first full collection or two.
    for (int i = 0; i < 50 && dropped.get() != null; i++) {
      System.gc();
    }
    assertThat(dropped.get()).as("the application's class loader after it was dropped").isNull();
  }

  /** Looks the probe up with a loader of its own as context loader, then lets go of that loader. */
  private static WeakReference<ClassLoader> lookUpThroughThrowawayLoader(Path dir, String probe) throws IOException {
    ChildFirst loader = new ChildFirst(dir.toUri().toURL(), probe);
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      assertThat(Plugins.strategyNames()).contains("leak-probe");
      assertThat(Plugins.strategyProvider("leak-probe").getClass().getClassLoader()).isSameAs(loader);
      assertThat(Plugins.strategy("leak-probe", Map.of()).desiredCount(3, MetricSeries.empty())).isEqualTo(3);
      assertThat(Plugins.strategyProvider("test-fixed")).as("built-ins are still found").isNotNull();
    } finally {
      thread.setContextClassLoader(before);
    }
    loader.close();
    return new WeakReference<>(loader);
  }

  @Test
  void cache_providerOfThisClassLoader_sameInstanceEveryLookup() {
    assertThat(Plugins.strategyProvider("test-fixed")).isSameAs(Plugins.strategyProvider("test-fixed"));
  }

  /** Defines the probe class itself (the parent also has it), as an application's loader would. */
  private static final class ChildFirst extends URLClassLoader {
    private final String probe;

    ChildFirst(URL dir, String probe) {
      super(new URL[] {dir}, PluginsTest.class.getClassLoader());
      this.probe = probe;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(probe)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        return c != null ? c : findClass(name);
      }
    }
  }
}
