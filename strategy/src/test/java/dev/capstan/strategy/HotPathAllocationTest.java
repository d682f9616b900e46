package dev.capstan.strategy;

import static dev.capstan.strategy.Fixtures.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.Plugins;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.Strategy;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves the hot-path promise in the build, not only in the benchmark: a hundred thousand decisions
 * allocate nothing measurable, on every path.
 */
final class HotPathAllocationTest {
  private static final int CALLS = 100_000;
  private static com.sun.management.ThreadMXBean threads;

  @BeforeAll
  static void allocationCountingIsSupported() {
    // HotSpot and OpenJ9 both provide this extension; a JVM without it cannot count bytes per thread.
    assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
        "this JVM cannot count the bytes a thread allocates");
    threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
  }

  @ParameterizedTest(name = "{0} {1}: count {2}, [{3}]")
  @CsvSource(delimiter = '|', textBlock = """
      target-value | target=70                               | 4  | 91
      target-value | target=70                               | 10 | 35
      target-value | target=70                               | 10 | 70
      target-value | target=70                               | 10 |
      threshold    | lower_bound=80,delta=1                  | 4  | 90;90;90;90;90;90
      threshold    | lower_bound=80,percentage=-50           | 4  | 90;90;90;90;90;90
      threshold    | lower_bound=80,value=4                  | 4  | 10;90;90;10;90;90
      fixed-value  | value=5                                 | 4  | 1
      pass-through | max_scale_up=2,max_scale_down=1         | 4  | 9
      pass-through | max_scale_up=2,max_scale_down=1         | 4  | 1
      pass-through | max_scale_up=2,max_scale_down=1         | 4  | 4
      """)
  void desiredCount_repeated_allocatesNothing(String name, String spec, long count, String values) {
    Strategy strategy = Plugins.strategy(name, Fixtures.config(spec));
    MetricSeries metrics = series(values);
    long sink = run(strategy, count, metrics); // first: class loading and interpreter warm-up

    long before = threads.getCurrentThreadAllocatedBytes();
    sink += run(strategy, count, metrics);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    // One boxed long per call would be 1.6 MB; the slack covers the measuring call itself.
    assertThat(allocated).as("bytes allocated by %d calls (sink %d)", CALLS, sink).isLessThan(1_024);
  }

  private static long run(Strategy strategy, long count, MetricSeries metrics) {
    long sum = 0;
    for (int i = 0; i < CALLS; i++) {
      sum += strategy.desiredCount(count, metrics);
    }
    return sum;
  }
}
