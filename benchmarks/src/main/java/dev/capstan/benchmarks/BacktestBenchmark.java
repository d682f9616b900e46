package dev.capstan.benchmarks;

import dev.capstan.agent.Backtest;
import dev.capstan.agent.BacktestResult;
import dev.capstan.agent.CheckKind;
import dev.capstan.agent.History;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The backtest's speed goal: 30 days of history at a 15 s step (172,800 points per check) replayed for
 * the three example policies in under 10 s on one core.
 *
 * <p>{@link #replayThreeExamples} is the replay itself ({@code Backtest.run}: the real engine and
 * strategies on virtual time, 43,200 one-minute evaluations per policy); {@link #readMonthCsv} reads the
 * same month from a 4.8 MB CSV file, as {@code --csv} does. The history is a deterministic daily wave
 * with a short ripple (the example query's cloud CPU percentage, group of 3 recorded), so each policy
 * acts about 2,000 times a month — more than a calm month, which makes this a pessimistic figure. Each
 * operation is one whole run ({@link Mode#SingleShotTime}), after warm-up runs.
 *
 * <pre>
 * ./mvnw -B -o -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar BacktestBenchmark -prof gc
 * taskset -c 0 java -XX:ActiveProcessorCount=1 -jar benchmarks/target/benchmarks.jar BacktestBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class BacktestBenchmark {
  static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  static final Duration STEP = Duration.ofSeconds(15);
  static final int POINTS = 30 * 24 * 3600 / 15;
  static final String CHECK = "cloud_cpu_allocated_percentage";
  private static final String[] EXAMPLES = {"aws-burst.hcl", "gce-burst.hcl", "azure-burst.hcl"};

  private List<ScalingPolicy> policies;
  private History history;
  private Path csv;

  /** Parses the built-in examples and builds the month, in memory and as a CSV file. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    policies = new ArrayList<>();
    for (String name : EXAMPLES) {
      try (InputStream in = Backtest.class.getResourceAsStream("/dev/capstan/agent/examples/policies/" + name)) {
        policies.addAll(Policies.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name));
      }
    }
    double[] cpu = new double[POINTS];
    double[] size = new double[POINTS];
    for (int i = 0; i < POINTS; i++) {
      cpu[i] = load(i);
      size[i] = 3;
    }
    history = History.builder(START, STEP).series(CHECK, cpu).recordedSize(size).build();
    csv = Files.createTempFile("capstan-month", ".csv");
    DateTimeFormatter rfc3339 = DateTimeFormatter.ISO_INSTANT;
    try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      out.write("timestamp," + CHECK + ",cloud_instances\n");
      for (int i = 0; i < POINTS; i++) {
        out.write(rfc3339.format(START.plus(STEP.multipliedBy(i))) + "," + cpu[i] + ",3\n");
      }
    }
  }

  /** Removes the CSV file. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(csv);
  }

  /** The load at point {@code i}: a daily wave peaking at 180 % of the group, plus a ripple of ±20. */
  static double load(int i) {
    double hour = (i * 15 / 3600.0) % 24;
    double v = Math.max(0, 180 * Math.sin((hour - 6) / 24 * 2 * Math.PI)) + 20 * Math.sin(i / 37.0);
    return Math.round(Math.max(v, 0) * 10) / 10.0;
  }

  /** Replays the month for the three examples through the real engine. */
  @Benchmark
  public BacktestResult replayThreeExamples() {
    return Backtest.builder()
        .policies(policies)
        .history(history)
        .check(CHECK, CheckKind.UTILIZATION)
        .build()
        .run();
  }

  /** Reads the month from CSV, as {@code --csv} does. */
  @Benchmark
  public History readMonthCsv() {
    return History.readCsv(csv, Optional.of("cloud_instances"));
  }
}
