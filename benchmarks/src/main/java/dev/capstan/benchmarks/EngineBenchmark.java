package dev.capstan.benchmarks;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.Decider;
import dev.capstan.engine.PolicyState;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The engine's own cost per evaluation, with plug-ins that cost next to nothing, so what is measured
 * is the loop: state lookup, guarded plug-in calls, the {@link Decider}, the decision record and the
 * listener fan-out. Goal: at most 1 µs per evaluation, so one agent on 2 cores carries 100,000
 * policies at a 10 s interval.
 *
 * <ul>
 *   <li>{@code decide}: the pure decision function alone (two checks, no change).
 *   <li>{@code evaluateNoChange}: {@link Autoscaler#evaluate} of a two-check policy whose target stays.
 *   <li>{@code evaluateScale}: every evaluation scales the target, saving state each time (its clock
 *       moves 1 s per reading, past the 1 ms cooldown, since a policy's cooldown must be positive).
 *   <li>{@code schedule100kPolicies}: 100,000 policies with a 10 s interval on a {@link ManualClock};
 *       one operation advances the clock by 10 s, evaluating every policy once on the calling thread.
 *       Divide by 100,000 for the cost per scheduled evaluation.
 * </ul>
 * The in-memory plug-ins here are deliberately simpler than testkit's recording fakes, whose call logs
 * would dominate the measurement.
 *
 * <p>Run: {@code ./mvnw -B -o -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar EngineBenchmark -prof gc}
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBenchmark {

  /** A target that keeps one count and answers from a cached status. */
  static final class FastTarget implements Target {
    private volatile TargetStatus status;

    FastTarget(long count) {
      status = TargetStatus.ready(count);
    }

    @Override
    public TargetStatus status(Map<String, String> config) {
      return status;
    }

    @Override
    public void scale(ScalingAction action, Map<String, String> config) {
      status = TargetStatus.ready(action.count());
    }

    @Override
    public void close() {}
  }

  /** A metric source that answers every query with the same series. */
  static final class FixedSource implements MetricSource {
    private final MetricSeries series;

    FixedSource(double value) {
      series = MetricSeries.of(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), value);
    }

    @Override
    public MetricSeries query(String query, Instant from, Instant to) {
      return series;
    }

    @Override
    public void close() {}
  }

  /** A clock one second further on at every reading, so each evaluation is past the last one's cooldown. */
  static final class SteppingClock extends java.time.Clock {
    private final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("the benchmark clock stays in UTC");
    }

    @Override
    public long millis() {
      return millis.addAndGet(1_000);
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }
  }

  static ScalingPolicy policy(String name, Duration cooldown, Duration interval) {
    return ScalingPolicy.builder().name(name).origin("bench").min(1).max(100).cooldown(cooldown)
        .evaluationInterval(interval)
        .check(Check.of("cpu", "src", "cpu", PluginRef.of("keep", Map.of())))
        .check(Check.of("mem", "src", "mem", PluginRef.of("keep", Map.of())))
        .target(PluginRef.of("mem", Map.of())).build();
  }

  /** One autoscaler and one policy for {@link Autoscaler#evaluate}. */
  @State(Scope.Thread)
  public static class Single {
    Autoscaler keep;
    Autoscaler flip;
    ScalingPolicy keepPolicy;
    ScalingPolicy flipPolicy;
    ScalingPolicy decidePolicy;
    List<CheckResult> results;
    TargetStatus status;
    Instant now;
    final AtomicLong decisions = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
      Strategy keepCount = (current, metrics) -> current;
      Strategy flipCount = (current, metrics) -> current % 2 == 0 ? current + 1 : current - 1;
      keep = Autoscaler.builder().executor(Runnable::run).lookupPlugins(false)
          .strategy("keep", config -> keepCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet()).build();
      flip = Autoscaler.builder().clock(new SteppingClock()).executor(Runnable::run).lookupPlugins(false)
          .strategy("keep", config -> flipCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet()).build();
      keepPolicy = policy("keep", Duration.ofMinutes(5), Duration.ofSeconds(10));
      flipPolicy = policy("flip", Duration.ofMillis(1), Duration.ofSeconds(10));
      decidePolicy = keepPolicy;
      MetricSeries series = MetricSeries.of(0, 50);
      results = List.of(CheckResult.counted(keepPolicy.checks().get(0), OnError.IGNORE, series, 10),
          CheckResult.counted(keepPolicy.checks().get(1), OnError.IGNORE, series, 10));
      status = TargetStatus.ready(10);
      now = Instant.parse("2026-01-01T00:00:00Z");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      keep.close();
      flip.close();
    }
  }

  /** 100,000 policies scheduled on a manual clock, evaluated on the advancing thread. */
  @State(Scope.Benchmark)
  public static class Fleet {
    static final int POLICIES = 100_000;
    ManualClock clock;
    ManualScheduler scheduler;
    Autoscaler autoscaler;
    final AtomicLong decisions = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
      clock = ManualClock.startingAtEpochOf2026();
      scheduler = new ManualScheduler(clock);
      Strategy keepCount = (current, metrics) -> current;
      Autoscaler.Builder builder = Autoscaler.builder().clock(clock).scheduler(scheduler).executor(Runnable::run)
          .lookupPlugins(false).jitter(0)
          .strategy("keep", config -> keepCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet());
      for (int i = 0; i < POLICIES; i++) {
        builder.policy(policy("p" + i, Duration.ofMinutes(5), Duration.ofSeconds(10)));
      }
      autoscaler = builder.build();
      autoscaler.start();
      scheduler.advance(Duration.ofSeconds(10));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      autoscaler.close();
    }
  }

  /**
   * The pure decision function.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision decide(Single s) {
    return Decider.decide(s.decidePolicy, PolicyState.INITIAL, s.results, s.status, s.now, false);
  }

  /**
   * One full evaluation that keeps the count.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision evaluateNoChange(Single s) {
    return s.keep.evaluate(s.keepPolicy);
  }

  /**
   * One full evaluation that scales the target and saves the cooldown.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision evaluateScale(Single s) {
    return s.flip.evaluate(s.flipPolicy);
  }

  /**
   * Ten simulated seconds of 100,000 policies: each is evaluated once.
   *
   * @param f the fleet
   * @return how many tasks ran
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 5, time = 2)
  public int schedule100kPolicies(Fleet f) {
    return f.scheduler.advance(Duration.ofSeconds(10));
  }
}
