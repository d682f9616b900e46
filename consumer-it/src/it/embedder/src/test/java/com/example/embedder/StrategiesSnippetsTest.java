package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.strategy.Strategies;
import dev.capstan.strategy.ThresholdStrategyProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java snippets of docs/strategies.md. */
final class StrategiesSnippetsTest {

  @Test
  void strategies_withoutServiceLoader_decideAsDocumented() {
    MetricSeries series = MetricSeries.of(new long[] {1, 2, 3}, new double[] {85.0, 88.0, 91.0});
    // tag::strategies[]
    Strategy cpu = Strategies.targetValue(70);           // also targetValue(70, 0.05), fixedValue(3), passThrough()
    Strategy busy = new ThresholdStrategyProvider()      // every provider is public: create(Map) validates as above
        .create(Map.of("lower_bound", "80", "delta", "2", "within_bounds_trigger", "3"));
    cpu.desiredCount(4, series);   // 6 when the latest value is 91
    cpu.explain(4, series);        // "scaling up because factor is 1.300000"
    // end::strategies[]
    assertEquals(6, cpu.desiredCount(4, series));
    assertEquals("scaling up because factor is 1.300000", cpu.explain(4, series));
    assertEquals(6, busy.desiredCount(4, series));
  }
}
