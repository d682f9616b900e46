package dev.capstan.strategy;

import static dev.capstan.strategy.Fixtures.config;
import static dev.capstan.strategy.Fixtures.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.StrategyProvider;
import dev.capstan.testkit.StrategyContract;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class FixedValueStrategyTest extends StrategyContract {

  @Override
  protected StrategyProvider provider() {
    return new FixedValueStrategyProvider();
  }

  @Override
  protected Map<String, String> validConfig() {
    return Map.of("value", "4");
  }

  @ParameterizedTest(name = "value {0}, count {1}, [{2}] -> {0}: {3}")
  @CsvSource(delimiter = '|', textBlock = """
      13 |  2 | 13      | scaling up because fixed value is 13
       4 | 10 | 26;26   | scaling down because fixed value is 4
      10 | 10 | 9       | no change because fixed value is 10
       5 |  3 |         | scaling up because fixed value is 5
       0 |  3 | 1e300   | scaling down because fixed value is 0
       0 |  0 |         | no change because fixed value is 0
      """)
  void desiredCount_anyMetrics_isTheValue(long value, long count, String values, String reason) {
    var strategy = new FixedValueStrategyProvider().create(Map.of("value", Long.toString(value)));
    assertThat(strategy.desiredCount(count, series(values))).isEqualTo(value);
    assertThat(strategy.explain(count, series(values))).isEqualTo(reason);
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                 | value is required but was missing
      value=abc          | value was 'abc' but it must be a whole number
      value=1.5          | value was '1.5' but it must be a whole number
      value=             | value was '' but it must not be blank
      value=-1           | value was '-1' but it must be at least 0
      value=3,fixed=3    | 'fixed' is not a known key; known keys are value
      """)
  void create_badConfig_throwsNamingKeyValueAndRule(String spec, String problems) {
    assertThatThrownBy(() -> new FixedValueStrategyProvider().create(config(spec)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid fixed-value strategy: " + problems);
  }
}
