package dev.capstan.strategy;

import static dev.capstan.strategy.Fixtures.config;
import static dev.capstan.strategy.Fixtures.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.StrategyProvider;
import dev.capstan.testkit.StrategyContract;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TargetValueStrategyTest extends StrategyContract {

  @Override
  protected StrategyProvider provider() {
    return new TargetValueStrategyProvider();
  }

  @Override
  protected Map<String, String> validConfig() {
    return Map.of("target", "70", "max_scale_up", "5", "max_scale_down", "3");
  }

  private static long desired(String spec, long count, String values) {
    return new TargetValueStrategyProvider().create(config(spec)).desiredCount(count, series(values));
  }

  @ParameterizedTest(name = "{0}: count {1}, values [{2}] -> {3}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      target=70                   |  4 | 91          |  6
      target=70                   | 10 | 35          |  5
      target=70                   | 10 | 200;200;70  | 10
      target=70                   | 10 | 70;70;140   | 20
      target=70                   |  3 |             |  3
      target=70                   |  0 |             |  0
      target=70                   |  5 | -70         |  0
      target=1e-300               |  2 | 1e300       | 9223372036854775807
      """)
  void desiredCount_latestValue_scalesByFactor(String spec, long count, String values, long expected) {
    assertThat(desired(spec, count, values)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "target 0: count {0}, value {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
       3 | 2    | 6
       3 | 0    | 0
       3 | 1    | 3
       3 | 1.01 | 3
       3 | 1.02 | 4
       0 | 0    | 0
       0 | 2.5  | 3
      """)
  void desiredCount_targetZero_usesValueAsFactor(long count, String value, long expected) {
    assertThat(desired("target=0", count, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "count 0: {0}, value {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      target=70                 | 35    | 1
      target=70                 | 70    | 1
      target=70                 | 350   | 5
      target=70                 | 0     | 0
      target=70                 | -10   | 0
      target=10,max_scale_up=1  | 50    | 5
      """)
  void desiredCount_countZero_scalesUpToCeilingOfFactorOnly(String spec, String value, long expected) {
    assertThat(desired(spec, 0, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "threshold 0.25: value {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      74     |  8
      75     | 10
      100    | 10
      125    | 10
      126    | 13
      """)
  void desiredCount_bandEdges_areInclusive(String value, long expected) {
    assertThat(desired("target=100,threshold=0.25", 10, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "default threshold 0.01: value {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      98.9   | 99
      99     | 100
      101    | 100
      101.1  | 102
      """)
  void desiredCount_defaultThreshold_isOnePercent(String value, long expected) {
    assertThat(desired("target=100", 100, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: count {1}, value {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      target=50,max_scale_up=3      | 10 | 100 | 13
      target=50,max_scale_up=100    | 10 | 100 | 20
      target=50,max_scale_up=0      | 10 | 100 | 10
      target=50,max_scale_down=3    | 10 | 10  |  7
      target=50,max_scale_down=100  | 10 | 10  |  2
      target=50,max_scale_down=0    | 10 | 10  | 10
      target=50,max_scale_down=20   | 10 | -50 |  0
      target=50,max_scale_up=3      | 10 | 10  |  2
      target=50,max_scale_down=3    | 10 | 100 | 20
      """)
  void desiredCount_maxSteps_limitTheMoveEachWay(String spec, long count, String value, long expected) {
    assertThat(desired(spec, count, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "count {0}, value {1}: ceil lands on the count")
  @CsvSource(delimiter = '|', textBlock = """
      10 | 95
      10 | 91
      3  | 68
      """)
  void desiredCount_factorOutsideBandLandingOnCount_isNoChange(long count, String value) {
    var strategy = new TargetValueStrategyProvider().create(Map.of("target", "100"));
    assertThat(strategy.desiredCount(count, series(value))).isEqualTo(count);
    assertThat(strategy.explain(count, series(value))).startsWith("no change because factor is ");
  }

  @ParameterizedTest(name = "count {0}, value {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      4  | 91      | scaling up because factor is 1.300000
      10 | 35      | scaling down because factor is 0.500000
      10 | 70.5    | no change because factor is 1.007143
      10 | 46.6667 | scaling down because factor is 0.666667
      0  | 0       | no change because factor is 0.000000
      0  | 7       | scaling up because factor is 0.100000
      """)
  void explain_eachDirection_givesNomadReason(long count, String value, String reason) {
    var strategy = new TargetValueStrategyProvider().create(Map.of("target", "70"));
    assertThat(strategy.explain(count, series(value))).isEqualTo(reason);
  }

  @Test
  void explain_emptySeries_saysThereAreNoMetrics() {
    assertThat(Strategies.targetValue(70).explain(3, MetricSeries.empty()))
        .isEqualTo("no change because there are no metrics");
  }

  @Test
  void sixDecimals_roundsTheExactBinaryValueHalfEven_likeGo() {
    // 0.0000005 is stored just below the half, 0.0000015 just above, so Go prints 0.000000 and 0.000002.
    assertThat(TargetValueStrategy.sixDecimals(0.0000005)).isEqualTo("0.000000");
    assertThat(TargetValueStrategy.sixDecimals(0.0000015)).isEqualTo("0.000002");
    assertThat(TargetValueStrategy.sixDecimals(0.5)).isEqualTo("0.500000");
    assertThat(TargetValueStrategy.sixDecimals(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                                        | target is required but was missing
      target=abc                                | target was 'abc' but it must be a number
      target=                                   | target was '' but it must not be blank
      target=NaN                                | target was 'NaN' but it must be a finite number
      target=Infinity                           | target was 'Infinity' but it must be a finite number
      target=70,threshold=x                     | threshold was 'x' but it must be a number
      target=70,threshold=-0.1                  | threshold was '-0.1' but it must be at least 0
      target=70,max_scale_up=1.5                | max_scale_up was '1.5' but it must be a whole number
      target=70,max_scale_up=-1                 | max_scale_up was '-1' but it must be at least 0
      target=70,max_scale_down=x                | max_scale_down was 'x' but it must be a whole number
      target=70,max_scale_down=-2               | max_scale_down was '-2' but it must be at least 0
      target=70,treshold=0.1                    | 'treshold' is not a known key; known keys are max_scale_down, max_scale_up, target, threshold
      target=abc,threshold=-1,max_scale_up=x    | target was 'abc' but it must be a number; threshold was '-1' but it must be at least 0; max_scale_up was 'x' but it must be a whole number
      """)
  void create_badConfig_throwsNamingKeyValueAndRule(String spec, String problems) {
    assertThatThrownBy(() -> new TargetValueStrategyProvider().create(config(spec)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid target-value strategy: " + problems);
  }
}
