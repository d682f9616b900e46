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
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
