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

final class ThresholdStrategyTest extends StrategyContract {

  @Override
  protected StrategyProvider provider() {
    return new ThresholdStrategyProvider();
  }

  @Override
  protected Map<String, String> validConfig() {
    return Map.of("lower_bound", "50", "upper_bound", "150", "delta", "-3", "within_bounds_trigger", "2");
  }

  private static long desired(String spec, long count, String values) {
    return new ThresholdStrategyProvider().create(config(spec)).desiredCount(count, series(values));
  }

  @ParameterizedTest(name = "[50, 80): value {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      49.999  | 3
      50      | 4
      79.999  | 4
      80      | 3
      """)
  void desiredCount_bounds_lowerInclusiveUpperExclusive(String value, long expected) {
    assertThat(desired("lower_bound=50,upper_bound=80,delta=1,within_bounds_trigger=1", 3, value))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: value {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      upper_bound=20,delta=-1,within_bounds_trigger=1  | -1e300 | 2
      upper_bound=20,delta=-1,within_bounds_trigger=1  | 20     | 3
      lower_bound=80,delta=1,within_bounds_trigger=1   | 1e300  | 4
      lower_bound=80,delta=1,within_bounds_trigger=1   | 79     | 3
      """)
  void desiredCount_missingBound_isUnbounded(String spec, String value, long expected) {
    assertThat(desired(spec, 3, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: [{1}] -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      lower_bound=80,delta=1                           | 90;90;90;90          | 3
      lower_bound=80,delta=1                           | 90;90;90;90;90       | 4
      lower_bound=80,delta=1                           | 90;10;90;90;10;90;90 | 4
      lower_bound=80,delta=1                           | 10;10;90;90;90;90    | 3
      lower_bound=80,delta=1,within_bounds_trigger=2   | 90;10;10;10;10;90    | 4
      lower_bound=80,delta=1,within_bounds_trigger=0   | 10                   | 4
      lower_bound=80,delta=1,within_bounds_trigger=0   |                      | 3
      lower_bound=80,delta=1,within_bounds_trigger=1   |                      | 3
      """)
  void desiredCount_wholeWindow_countsPointsAgainstTrigger(String spec, String values, long expected) {
    assertThat(desired(spec, 3, values)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: count {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      delta=2           |  3 |  5
      delta=-2          |  3 |  1
      delta=-5          |  3 |  0
      delta=9223372036854775807 | 3 | 9223372036854775807
      percentage=50     |  3 |  5
      percentage=-50    |  3 |  2
      percentage=-200   |  3 |  0
      percentage=10     |  0 |  0
      percentage=0.1    | 10 | 11
      value=7           |  3 |  7
      value=7           |  7 |  7
      value=0           |  3 |  0
      """)
  void desiredCount_withinBounds_appliesTheAction(String action, long count, long expected) {
    assertThat(desired("lower_bound=0,within_bounds_trigger=1," + action, count, "1")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "count {0}, [{1}]: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      3 | 90;90;90             | scaling up because metric is within bounds
      3 | 10;90;90;10;10;10    | no change because 2 of 6 points are within bounds, fewer than within_bounds_trigger 3
      4 | 90;90;90             | no change because metric is within bounds
      3 |                      | no change because there are no metrics
      """)
  void explain_eachCase_saysWhy(long count, String values, String reason) {
    var strategy = new ThresholdStrategyProvider()
        .create(Map.of("lower_bound", "80", "value", "4", "within_bounds_trigger", "3"));
    assertThat(strategy.explain(count, series(values))).isEqualTo(reason);
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                                          | at least one of lower_bound or upper_bound is required but neither was set; one of delta, percentage or value is required but none was set
      lower_bound=x,delta=1                       | lower_bound was 'x' but it must be a number
      upper_bound=,delta=1                        | upper_bound was '' but it must not be blank
      lower_bound=80,upper_bound=50,delta=1       | lower_bound was '80' but it must be below upper_bound '50'
      lower_bound=50,upper_bound=50,delta=1       | lower_bound was '50' but it must be below upper_bound '50'
      lower_bound=1,within_bounds_trigger=x,delta=1 | within_bounds_trigger was 'x' but it must be a whole number
      lower_bound=1,within_bounds_trigger=-1,delta=1 | within_bounds_trigger was '-1' but it must be at least 0
      lower_bound=1                               | one of delta, percentage or value is required but none was set
      lower_bound=1,delta=1,value=2               | only one of delta, percentage or value may be set, but delta and value were
      lower_bound=1,delta=1,percentage=5,value=2  | only one of delta, percentage or value may be set, but delta and percentage and value were
      lower_bound=1,delta=1.5                     | delta was '1.5' but it must be a whole number
      lower_bound=1,percentage=abc                | percentage was 'abc' but it must be a number
      lower_bound=1,value=-1                      | value was '-1' but it must be at least 0
      lower_bound=1,value=2.5                     | value was '2.5' but it must be a whole number
      lower_bound=1,value=2,upperbound=3          | 'upperbound' is not a known key; known keys are delta, lower_bound, percentage, upper_bound, value, within_bounds_trigger
      lower_bound=x,delta=a,value=-1              | lower_bound was 'x' but it must be a number; delta was 'a' but it must be a whole number; value was '-1' but it must be at least 0; only one of delta, percentage or value may be set, but delta and value were
      """)
  void create_badConfig_throwsNamingKeyValueAndRule(String spec, String problems) {
    assertThatThrownBy(() -> new ThresholdStrategyProvider().create(config(spec)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid threshold strategy: " + problems);
  }
}
