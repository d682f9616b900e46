package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetStatus;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Micrometer is optional: an embedder without it on the classpath must be able to run the engine. */
final class WithoutMicrometerTest {

  /** Builds and runs an autoscaler; loaded by a class loader that cannot see Micrometer. */
  public static final class Probe implements Callable<String> {
    /** Creates the probe. */
    public Probe() {}

    @Override
    public String call() {
      AtomicLong count = new AtomicLong(1);
      Target target = new Target() {
        @Override
        public TargetStatus status(Map<String, String> config) {
          return TargetStatus.ready(count.get());
        }

        @Override
        public void scale(ScalingAction action, Map<String, String> config) {
          count.set(action.count());
        }

        @Override
        public void close() {}
      };
      MetricSource source = new MetricSource() {
        @Override
        public MetricSeries query(String query, Instant from, Instant to) {
          return MetricSeries.of(to.toEpochMilli(), 4);
        }

        @Override
        public void close() {}
      };
      ScalingPolicy policy = ScalingPolicy.builder().name("p").max(10)
          .check(Check.of("c", "src", "q", PluginRef.of("pass", Map.of())))
          .target(PluginRef.of("t", Map.of())).build();
      try (Autoscaler autoscaler = Autoscaler.builder().executor(Runnable::run).lookupPlugins(false)
          .strategy("pass", config -> (current, metrics) -> (long) metrics.latest())
          .metricSource("src", source).target("t", target).build()) {
        return autoscaler.evaluate(policy).outcome() + " to " + count.get();
      }
    }
  }

  @Test
  void autoscaler_withoutMicrometerOnTheClasspath_evaluates() throws Exception {
    URL[] urls = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("micrometer"))
        .map(WithoutMicrometerTest::url).toArray(URL[]::new);
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> probe = loader.loadClass(Probe.class.getName());
      assertThat(probe.getClassLoader()).isSameAs(loader);

      Object result = ((Callable<?>) probe.getDeclaredConstructor().newInstance()).call();

      assertThat(result).isEqualTo("SCALED to 4");
    }
  }

  private static URL url(String entry) {
    try {
      return new File(entry).toURI().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(entry, e);
    }
  }
}
