package dev.capstan.benchmarks;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.Decided;
import dev.capstan.engine.Decider;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.PolicyState;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Behavior;
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
 *   <li>{@code decideWithBehavior}: the same with a {@code behavior {}} block (Kubernetes' defaults) and a
 *       history of earlier recommendations and scale events, so the stabilization and rate rules run.
 *   <li>{@code decideScaleIn} / {@code decideScaleInWithProjection}: a scale-in from 10 to 8 under a
 *       behavior without a window, without and with {@code projection} (both strategies asked again at 8).
 *   <li>{@code evaluateNoChange}: {@link Autoscaler#evaluate} of a registered two-check policy whose
 *       target stays (the engine's own loop evaluates registered policies, bound once).
 *   <li>{@code evaluateNoChangeWithBehavior}: the same with a {@code behavior {}} block: its history is
 *       saved on every evaluation.
 *   <li>{@code evaluateUnregistered}: {@link Autoscaler#evaluate} of a policy the autoscaler does not
 *       hold, which binds it (strategies created, target block bound) on every call and keeps nothing.
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
    Autoscaler loose;
    ScalingPolicy keepPolicy;
    ScalingPolicy behavedPolicy;
    ScalingPolicy flipPolicy;
    ScalingPolicy loosePolicy;
    ScalingPolicy decidePolicy;
    ScalingPolicy shrinkPolicy;
    ScalingPolicy projectedPolicy;
    List<CheckResult> shrinkResults;
    List<Strategy> strategies;
    List<CheckResult> results;
    List<CheckResult> behavedResults;
    PolicyState behavedState;
    TargetStatus status;
    Instant now;
    final AtomicLong decisions = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
      Strategy keepCount = (current, metrics) -> current;
      Strategy flipCount = (current, metrics) -> current % 2 == 0 ? current + 1 : current - 1;
      keepPolicy = policy("keep", Duration.ofMinutes(5), Duration.ofSeconds(10));
      // A 1 ms cooldown, as usual with a behavior: the history below must not leave it in cooldown.
      behavedPolicy = keepPolicy.toBuilder().name("behaved").cooldown(Duration.ofMillis(1))
          .behavior(Behavior.defaults()).build();
      flipPolicy = policy("flip", Duration.ofMillis(1), Duration.ofSeconds(10));
      loosePolicy = policy("loose", Duration.ofMinutes(5), Duration.ofSeconds(10));
      // Registered (builder.policy): evaluate reuses the bound policy, as the engine's own loop does.
      keep = Autoscaler.builder().executor(Runnable::run).lookupPlugins(false)
          .strategy("keep", config -> keepCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet())
          .policy(keepPolicy).policy(behavedPolicy).build();
      flip = Autoscaler.builder().clock(new SteppingClock()).executor(Runnable::run).lookupPlugins(false)
          .strategy("keep", config -> flipCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet()).policy(flipPolicy).build();
      // Not registered: every evaluate binds loosePolicy afresh and drops it.
      loose = Autoscaler.builder().executor(Runnable::run).lookupPlugins(false)
          .strategy("keep", config -> keepCount).metricSource("src", new FixedSource(50))
          .target("mem", new FastTarget(10)).listener(d -> decisions.incrementAndGet()).build();
      decidePolicy = keepPolicy;
      MetricSeries series = MetricSeries.of(0, 50);
      results = List.of(CheckResult.counted(keepPolicy.checks().get(0), OnError.IGNORE, series, 10),
          CheckResult.counted(keepPolicy.checks().get(1), OnError.IGNORE, series, 10));
      behavedResults = List.of(CheckResult.counted(behavedPolicy.checks().get(0), OnError.IGNORE, series, 10),
          CheckResult.counted(behavedPolicy.checks().get(1), OnError.IGNORE, series, 10));
      status = TargetStatus.ready(10);
      now = Instant.parse("2026-01-01T00:00:00Z");
      // A lived-in history: recommendations 9 to 12 over the last 4 minutes and two scale-ups (to 11 and 12).
      PolicyState state = PolicyState.INITIAL;
      for (int i = 0; i < 4; i++) {
        Instant at = now.minusSeconds(240 - 60L * i);
        List<CheckResult> votes = List.of(
            CheckResult.counted(behavedPolicy.checks().get(0), OnError.IGNORE, series, 9 + i),
            CheckResult.counted(behavedPolicy.checks().get(1), OnError.IGNORE, series, 10));
        Decided d = Decider.next(behavedPolicy, state, votes, TargetStatus.ready(10), at, false);
        state = d.nextState().confirmed();
      }
      behavedState = state;
      // A scale-in from 10 to 8 (a proportional strategy at 40 against a target of 50), with and without
      // the projection, which asks the strategy again at 8 (40 × 10 / 8 = 50: no scale-out, it goes ahead).
      Strategy proportional = (current, metrics) -> (long) Math.ceil(current * metrics.latest() / 50);
      Behavior noWindow = Behavior.defaults().withScaleDown(Behavior.Rules.scaleDown()
          .stabilizationWindow(Duration.ZERO).build());
      shrinkPolicy = keepPolicy.toBuilder().name("shrink").cooldown(Duration.ofMillis(1)).behavior(noWindow).build();
      projectedPolicy = shrinkPolicy.toBuilder().name("projected").behavior(noWindow.withScaleDown(
          Behavior.Rules.scaleDown().stabilizationWindow(Duration.ZERO).projection(true).build())).build();
      MetricSeries at40 = MetricSeries.of(0, 40);
      shrinkResults = List.of(CheckResult.counted(shrinkPolicy.checks().get(0), OnError.IGNORE, at40, 8),
          CheckResult.counted(shrinkPolicy.checks().get(1), OnError.IGNORE, at40, 8));
      strategies = List.of(proportional, proportional);
      check(Decider.decide(behavedPolicy, behavedState, behavedResults, status, now, false), Outcome.NO_CHANGE, 10);
      check(Decider.next(shrinkPolicy, PolicyState.INITIAL, shrinkResults, strategies, status, now, false).decision(),
          Outcome.SCALED, 8);
      check(Decider.next(projectedPolicy, PolicyState.INITIAL, shrinkResults, strategies, status, now, false)
          .decision(), Outcome.SCALED, 8);
    }

    /** Fails the setup if a benchmark would measure another path than it says. */
    private static void check(ScalingDecision d, Outcome outcome, long count) {
      if (d.outcome() != outcome || d.desiredCount().orElse(-1) != count) {
        throw new IllegalStateException("expected " + outcome + " to " + count + " but got " + d.outcome() + ": "
            + d.reasons());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      keep.close();
      flip.close();
      loose.close();
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
   * The pure decision function for a policy with a behavior and a history.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision decideWithBehavior(Single s) {
    return Decider.decide(s.behavedPolicy, s.behavedState, s.behavedResults, s.status, s.now, false);
  }

  /**
   * The pure decision function for a scale-in, behavior without projection.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public Decided decideScaleIn(Single s) {
    return Decider.next(s.shrinkPolicy, PolicyState.INITIAL, s.shrinkResults, s.strategies, s.status, s.now, false);
  }

  /**
   * The same scale-in with the projection: both strategies asked again at the smaller count.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public Decided decideScaleInWithProjection(Single s) {
    return Decider.next(s.projectedPolicy, PolicyState.INITIAL, s.shrinkResults, s.strategies, s.status, s.now,
        false);
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
   * One full evaluation of a policy with a behavior that keeps the count (its history is saved).
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision evaluateNoChangeWithBehavior(Single s) {
    return s.keep.evaluate(s.behavedPolicy);
  }

  /**
   * One full evaluation of a policy the autoscaler does not hold: bound on every call.
   *
   * @param s the state
   * @return the decision
   */
  @Benchmark
  public ScalingDecision evaluateUnregistered(Single s) {
    return s.loose.evaluate(s.loosePolicy);
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
