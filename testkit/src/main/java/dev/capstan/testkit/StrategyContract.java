package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StrategyProvider} and its {@link Strategy} must show. A strategy's test
 * extends this class and supplies the provider and a valid configuration.
 */
public abstract class StrategyContract {
  private static final long SEED = 20261125L;

  /**
   * Returns the provider under test.
   *
   * @return a new provider instance
   */
  protected abstract StrategyProvider provider();

  /**
   * Returns a configuration the provider accepts.
   *
   * @return a valid configuration
   */
  protected abstract Map<String, String> validConfig();

  /**
   * Returns random series for the property checks; override to shape values for the strategy.
   *
   * @param random the seeded source of randomness
   * @return a series of 0 to 20 points with values in [0, 200)
   */
  protected MetricSeries randomSeries(Random random) {
    int size = random.nextInt(21);
    long[] ts = new long[size];
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      ts[i] = 1_700_000_000_000L + i * 10_000L;
      values[i] = random.nextDouble() * 200;
    }
    return MetricSeries.of(ts, values);
  }

  @Test
  @DisplayName("its name is lower-case words joined by hyphens")
  void name_isKebabCase() {
    assertThat(provider().name()).matches("[a-z0-9]+(-[a-z0-9]+)*");
  }

  @Test
  @DisplayName("it is found by name through ServiceLoader")
  void plugins_findsProviderByName() {
    assertThat(Plugins.strategyProvider(provider().name())).isInstanceOf(provider().getClass());
  }

  @Test
  @DisplayName("an unknown configuration key is rejected, naming the key")
  void create_unknownKey_throwsNamingKey() {
    Map<String, String> config = new HashMap<>(validConfig());
    config.put("no_such_key_for_capstan", "1");
    assertThatThrownBy(() -> provider().create(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no_such_key_for_capstan");
  }

  @Test
  @DisplayName("the desired count is never negative, whatever the metrics and the count")
  void desiredCount_randomInputs_neverNegative() {
    Strategy strategy = provider().create(validConfig());
    Random random = new Random(SEED);
    for (int i = 0; i < 2_000; i++) {
      long count = random.nextInt(4) == 0 ? 0 : random.nextInt(1_000);
      MetricSeries series = randomSeries(random);
      assertThat(strategy.desiredCount(count, series)).as("count %d, %s", count, series).isNotNegative();
    }
  }

  @Test
  @DisplayName("the same inputs give the same answer, and explain agrees with it")
  void desiredCount_sameInputs_sameAnswerAndExplained() {
    Strategy strategy = provider().create(validConfig());
    Random random = new Random(SEED + 1);
    for (int i = 0; i < 500; i++) {
      long count = random.nextInt(100);
      MetricSeries series = randomSeries(random);
      long first = strategy.desiredCount(count, series);
      assertThat(strategy.desiredCount(count, series)).isEqualTo(first);
      assertThat(strategy.explain(count, series)).isNotBlank();
    }
  }

  @Test
  @DisplayName("an empty series does not throw")
  void desiredCount_emptySeries_doesNotThrow() {
    Strategy strategy = provider().create(validConfig());
    assertThat(strategy.desiredCount(3, MetricSeries.empty())).isNotNegative();
    assertThat(strategy.explain(3, MetricSeries.empty())).isNotBlank();
  }
}
