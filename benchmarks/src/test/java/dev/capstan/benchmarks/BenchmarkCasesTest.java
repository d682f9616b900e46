package dev.capstan.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.Outcome;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark case once and checks it still measures the path its name promises; otherwise a
 * benchmark can quietly measure an error path (as EngineBenchmark once did when its policy became
 * invalid) and its committed numbers mean nothing. Timing belongs to JMH, not here.
 */
final class BenchmarkCasesTest {

  @Test
  void strategyCases_goTheWayTheirNamesSay() {
    StrategyBenchmark b = new StrategyBenchmark();
    b.setUp();
    long count = b.baseline();
    assertThat(b.targetValueUp()).isGreaterThan(count);
    assertThat(b.targetValueDown()).isLessThan(count);
    assertThat(b.targetValueNoChange()).isEqualTo(count);
    assertThat(b.thresholdUp()).isGreaterThan(count);
    assertThat(b.thresholdDown()).isLessThan(count);
    assertThat(b.thresholdNoChange()).isEqualTo(count);
    assertThat(b.fixedValueUp()).isGreaterThan(count);
    assertThat(b.fixedValueDown()).isLessThan(count);
    assertThat(b.fixedValueNoChange()).isEqualTo(count);
    assertThat(b.passThroughUp()).isGreaterThan(count);
    assertThat(b.passThroughDown()).isLessThan(count);
    assertThat(b.passThroughNoChange()).isEqualTo(count);
  }

  @Test
  void engineCases_decideKeepAndScale() {
    EngineBenchmark b = new EngineBenchmark();
    EngineBenchmark.Single s = new EngineBenchmark.Single();
    s.setUp();
    try {
      assertThat(b.decide(s).outcome()).isEqualTo(Outcome.NO_CHANGE);
      assertThat(b.evaluateNoChange(s).outcome()).isEqualTo(Outcome.NO_CHANGE);
      for (int i = 0; i < 3; i++) {
        assertThat(b.evaluateScale(s).outcome()).as("evaluation %d", i).isEqualTo(Outcome.SCALED);
      }
    } finally {
      s.tearDown();
    }
  }

  @Test
  void policyParseCases_loadEveryFile() throws Exception {
    PolicyParseBenchmark b = new PolicyParseBenchmark();
    b.writeFiles();
    try {
      assertThat(b.parseDirectory().failures()).isEmpty();
      assertThat(b.parseDirectory().policies()).hasSize(1_000);
      assertThat(b.parseInMemory()).isEqualTo(1_000);
      assertThat(b.readBytesOnly()).isPositive();
    } finally {
      b.deleteFiles();
    }
  }

  @Test
  void prometheusCase_parsesTenThousandPoints() throws Exception {
    PrometheusParseBenchmark b = new PrometheusParseBenchmark();
    b.buildResponse();
    assertThat(b.parseRangeResponse().size()).isEqualTo(10_000);
    assertThat(b.baseline()).isPositive();
  }
}
