package dev.capstan.strategy;

import dev.capstan.spi.MetricSeries;
import java.util.LinkedHashMap;
import java.util.Map;

/** Compact table notation for the parameterized tests: series as {@code "1;2;3"}, configs as {@code "k=v,k=v"}. */
final class Fixtures {
  private static final long START = 1_700_000_000_000L;

  private Fixtures() {}

  /** Returns the series of {@code ;}-separated values, 10 s apart; null or blank is the empty series. */
  static MetricSeries series(String values) {
    if (values == null || values.isBlank()) {
      return MetricSeries.empty();
    }
    String[] parts = values.split(";");
    long[] ts = new long[parts.length];
    double[] vs = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      ts[i] = START + i * 10_000L;
      vs[i] = Double.parseDouble(parts[i].strip());
    }
    return MetricSeries.of(ts, vs);
  }

  /** Returns the ordered map of {@code ,}-separated {@code key=value} pairs; null is the empty map. */
  static Map<String, String> config(String spec) {
    Map<String, String> config = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return config;
    }
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      config.put(pair.substring(0, eq).strip(), pair.substring(eq + 1));
    }
    return config;
  }
}
