package dev.capstan.benchmarks;

import dev.capstan.Plugins;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import dev.capstan.strategy.Strategies;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one {@code Strategy.desiredCount} call for each stock strategy on its scale-up,
 * scale-down and no-change paths; {@link #baseline()} is the harness alone.
 *
 * <p>The goal for target-value is at most 5 ns/op and 0 B/op ({@code gc.alloc.rate.norm}) on every
 * path. Run from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar StrategyBenchmark -prof gc
 * }</pre>
 *
 * <p>Strategies come from {@link Plugins} as the engine gets them, so the call is made through the
 * {@link Strategy} interface; the count lives in a non-final field so the JIT cannot fold the answer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@State(Scope.Benchmark)
public class StrategyBenchmark {
  private static final long NOW = 1_700_000_000_000L;

  /** The group's count in every case; fixed-value's cases move the wanted value instead. */
  long count = 10;

  Strategy targetValue;
  MetricSeries targetUp;
  MetricSeries targetDown;
  MetricSeries targetSame;

  Strategy thresholdUp;
  Strategy thresholdDown;
  MetricSeries busyWindow;
  MetricSeries idleWindow;
  MetricSeries mixedWindow;

  Strategy fixedUp;
  Strategy fixedDown;
  Strategy fixedSame;

  Strategy passThrough;
  MetricSeries passUp;
  MetricSeries passDown;
  MetricSeries passSame;

  /** Creates the benchmark; JMH calls this. */
  public StrategyBenchmark() {}

  /** Builds every strategy and series once, outside the measurement. */
  @Setup
  public void setUp() {
    targetValue = Plugins.strategy("target-value", Map.of("target", "70"));
    targetUp = window(91); // factor 1.3 -> 13
    targetDown = window(35); // factor 0.5 -> 5
    targetSame = window(70.3); // factor 1.004, inside the 1 % band

    // Six points, a one-minute window at 10 s, the whole of which the threshold strategy scans.
    thresholdUp = Plugins.strategy("threshold", Map.of("lower_bound", "80", "delta", "2"));
    thresholdDown = Plugins.strategy("threshold", Map.of("upper_bound", "20", "percentage", "-25"));
    busyWindow = window(85, 90, 95, 92, 88, 91);
    idleWindow = window(12, 8, 10, 15, 9, 11);
    mixedWindow = window(85, 40, 95, 50, 88, 45); // 3 of 6 above 80: fewer than the trigger of 5

    fixedUp = Strategies.fixedValue(12);
    fixedDown = Strategies.fixedValue(8);
    fixedSame = Strategies.fixedValue(10);

    passThrough = Plugins.strategy("pass-through", Map.of("max_scale_up", "2", "max_scale_down", "2"));
    passUp = window(17.5); // capped at 12
    passDown = window(9.2);
    passSame = window(10.9);
  }

  private static MetricSeries window(double... values) {
    MetricSeries.Builder b = MetricSeries.builder(values.length);
    for (int i = 0; i < values.length; i++) {
      b.add(NOW + i * 10_000L, values[i]);
    }
    return b.build();
  }

  /**
   * Reads the count and returns it: the cost of the harness itself.
   *
   * @return the count
   */
  @Benchmark
  public long baseline() {
    return count;
  }

  /**
   * Target-value when the factor says scale up.
   *
   * @return the desired count
   */
  @Benchmark
  public long targetValueUp() {
    return targetValue.desiredCount(count, targetUp);
  }

  /**
   * Target-value when the factor says scale down.
   *
   * @return the desired count
   */
  @Benchmark
  public long targetValueDown() {
    return targetValue.desiredCount(count, targetDown);
  }

  /**
   * Target-value when the factor is inside the threshold band.
   *
   * @return the desired count
   */
  @Benchmark
  public long targetValueNoChange() {
    return targetValue.desiredCount(count, targetSame);
  }

  /**
   * Threshold with a delta when the whole window is above the lower bound.
   *
   * @return the desired count
   */
  @Benchmark
  public long thresholdUp() {
    return thresholdUp.desiredCount(count, busyWindow);
  }

  /**
   * Threshold with a percentage when the whole window is below the upper bound.
   *
   * @return the desired count
   */
  @Benchmark
  public long thresholdDown() {
    return thresholdDown.desiredCount(count, idleWindow);
  }

  /**
   * Threshold when too few points are within bounds.
   *
   * @return the desired count
   */
  @Benchmark
  public long thresholdNoChange() {
    return thresholdUp.desiredCount(count, mixedWindow);
  }

  /**
   * Fixed-value above the count.
   *
   * @return the desired count
   */
  @Benchmark
  public long fixedValueUp() {
    return fixedUp.desiredCount(count, targetUp);
  }

  /**
   * Fixed-value below the count.
   *
   * @return the desired count
   */
  @Benchmark
  public long fixedValueDown() {
    return fixedDown.desiredCount(count, targetUp);
  }

  /**
   * Fixed-value equal to the count.
   *
   * @return the desired count
   */
  @Benchmark
  public long fixedValueNoChange() {
    return fixedSame.desiredCount(count, targetUp);
  }

  /**
   * Pass-through above the count, limited by {@code max_scale_up}.
   *
   * @return the desired count
   */
  @Benchmark
  public long passThroughUp() {
    return passThrough.desiredCount(count, passUp);
  }

  /**
   * Pass-through below the count.
   *
   * @return the desired count
   */
  @Benchmark
  public long passThroughDown() {
    return passThrough.desiredCount(count, passDown);
  }

  /**
   * Pass-through truncating to the count.
   *
   * @return the desired count
   */
  @Benchmark
  public long passThroughNoChange() {
    return passThrough.desiredCount(count, passSame);
  }
}
