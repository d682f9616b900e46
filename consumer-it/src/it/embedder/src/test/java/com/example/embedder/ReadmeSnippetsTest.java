package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java snippets of README.md, run as a consumer runs them. */
final class ReadmeSnippetsTest {

  @Test
  void pluginsStrategy_targetValue70At91_scalesFourToSix() {
    long now = System.currentTimeMillis();
    // tag::plugins-strategy[]
    Strategy strategy = Plugins.strategy("target-value", Map.of("target", "70"));
    long desired = strategy.desiredCount(4, MetricSeries.of(new long[] {now}, new double[] {91.0}));
    // desired == 6: load is 1.3x the target, so 4 instances become ceil(4 * 1.3)
    // end::plugins-strategy[]
    assertEquals(6, desired);
  }

  @Test
  void configException_badNumber_namesKeyValueAndRule() {
    ConfigException e = assertThrows(ConfigException.class, () -> {
      // tag::config-exception[]
      Plugins.strategy("target-value", Map.of("target", "abc"));
      // ConfigException: invalid target-value strategy: target was 'abc' but it must be a number
      // end::config-exception[]
    });
    assertEquals("invalid target-value strategy: target was 'abc' but it must be a number", e.getMessage());
  }
}
