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

final class PassThroughStrategyTest extends StrategyContract {

  @Override
  protected StrategyProvider provider() {
    return new PassThroughStrategyProvider();
  }

  @Override
  protected Map<String, String> validConfig() {
    return Map.of("max_scale_up", "10", "max_scale_down", "2");
  }

  private static long desired(String spec, long count, String values) {
    return new PassThroughStrategyProvider().create(config(spec)).desiredCount(count, series(values));
  }

  @ParameterizedTest(name = "count {0}, [{1}] -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      3  | 7.9       | 7
      3  | 1;2;12    | 12
      9  | 12;12;4   | 4
      3  | 3.7       | 3
      3  | 0.9       | 0
      3  | -2.5      | 0
      3  |           | 3
      0  |           | 0
      3  | 1e300     | 9223372036854775807
      """)
  void desiredCount_latestValue_isTruncatedTowardZero(long count, String values, long expected) {
    assertThat(desired(null, count, values)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: count {1}, value {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      max_scale_up=2      |  3 | 10   |  5
      max_scale_up=7      |  3 | 10   | 10
      max_scale_up=0      |  3 | 10   |  3
      max_scale_up=2      |  3 | 1    |  1
      max_scale_down=2    | 10 | 1    |  8
      max_scale_down=9    | 10 | 1    |  1
      max_scale_down=0    | 10 | 1    | 10
      max_scale_down=2    | 10 | -50  |  8
      max_scale_down=2    |  3 | 10   | 10
      """)
  void desiredCount_maxSteps_limitTheMoveEachWay(String spec, long count, String value, long expected) {
    assertThat(desired(spec, count, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "count {0}, [{1}]: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      3  | 7.9   | scaling up because metric is 7
      9  | 4     | scaling down because metric is 4
      3  | 3.7   | no change because metric is 3
      3  |       | no change because there are no metrics
      """)
  void explain_eachCase_saysWhy(long count, String values, String reason) {
    assertThat(Strategies.passThrough().explain(count, series(values))).isEqualTo(reason);
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      max_scale_up=x                       | max_scale_up was 'x' but it must be a whole number
      max_scale_up=-1                      | max_scale_up was '-1' but it must be at least 0
      max_scale_down=2.5                   | max_scale_down was '2.5' but it must be a whole number
      max_scale_down=-3                    | max_scale_down was '-3' but it must be at least 0
      max_scale_up=                        | max_scale_up was '' but it must not be blank
      target=70                            | 'target' is not a known key; known keys are max_scale_down, max_scale_up
      max_scale_up=-1,max_scale_down=x     | max_scale_up was '-1' but it must be at least 0; max_scale_down was 'x' but it must be a whole number
      """)
  void create_badConfig_throwsNamingKeyValueAndRule(String spec, String problems) {
    assertThatThrownBy(() -> new PassThroughStrategyProvider().create(config(spec)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid pass-through strategy: " + problems);
  }
}
