package dev.capstan.strategy;

import static dev.capstan.strategy.Fixtures.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StrategiesTest {

  @Test
  void targetValue_target_decidesLikeTheProvider() {
    var fromFactory = Strategies.targetValue(70);
    var fromPlugins = Plugins.strategy("target-value", Map.of("target", "70"));
    for (String value : new String[] {"91", "35", "70.5", "0"}) {
      assertThat(fromFactory.desiredCount(4, series(value))).isEqualTo(fromPlugins.desiredCount(4, series(value)));
    }
    assertThat(fromFactory.desiredCount(4, series("91"))).isEqualTo(6);
  }

  @Test
  void targetValue_threshold_widensTheBand() {
    assertThat(Strategies.targetValue(100, 0.25).desiredCount(10, series("125"))).isEqualTo(10);
    assertThat(Strategies.targetValue(100, 0.25).desiredCount(10, series("126"))).isEqualTo(13);
  }

  @Test
  void targetValue_nan_throwsNamingTheKey() {
    assertThatThrownBy(() -> Strategies.targetValue(Double.NaN))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid target-value strategy: target was 'NaN' but it must be a finite number");
  }

  @Test
  void targetValue_negativeThreshold_throwsNamingTheKey() {
    assertThatThrownBy(() -> Strategies.targetValue(70, -0.5))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid target-value strategy: threshold was '-0.5' but it must be at least 0");
  }

  @Test
  void fixedValue_value_isAlwaysWanted() {
    assertThat(Strategies.fixedValue(3).desiredCount(9, series("1"))).isEqualTo(3);
  }

  @Test
  void fixedValue_negative_throwsNamingTheKey() {
    assertThatThrownBy(() -> Strategies.fixedValue(-1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid fixed-value strategy: value was '-1' but it must be at least 0");
  }

  @Test
  void passThrough_latestValue_isTheCount() {
    assertThat(Strategies.passThrough().desiredCount(2, series("1;40.2"))).isEqualTo(40);
    assertThat(Strategies.passThrough()).isSameAs(Strategies.passThrough());
  }

  @Test
  void plugins_everyStockStrategy_isRegistered() {
    assertThat(Plugins.strategyNames()).contains("target-value", "threshold", "fixed-value", "pass-through");
  }
}
