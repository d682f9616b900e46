package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.Schedule;
import dev.capstan.spi.Direction;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AutoscalerTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final InMemoryTarget target = InMemoryTarget.withCount(3);
  private final ScriptedMetricSource source = new ScriptedMetricSource();
  private final BlockingQueue<ScalingDecision> decisions = new LinkedBlockingQueue<>();
  private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger strategiesCreated = new AtomicInteger();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @TempDir
  Path stateDir;

  /** Reads the latest metric value as the desired count; throws on a negative value. */
  private Strategy passThrough() {
    strategiesCreated.incrementAndGet();
    return (current, metrics) -> {
      double v = metrics.latest();
      if (v < 0) {
        throw new IllegalStateException("negative metric " + v);
      }
      return (long) v;
    };
  }

  private Autoscaler.Builder builder() {
    return Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0)
        .lookupPlugins(false).strategy("pass", config -> passThrough()).metricSource("src", source)
        .target("mem", target).listener(new ScalingListener() {
          @Override
          public void onDecision(ScalingDecision decision) {
            decisions.add(decision);
          }

          @Override
          public void onError(ScalingPolicy policy, Throwable error) {
            errors.add(error);
          }
        });
  }

  private Autoscaler open(Autoscaler.Builder builder) {
    Autoscaler autoscaler = builder.build();
    toClose.add(autoscaler);
    opened = autoscaler;
    return autoscaler;
  }

  /** The autoscaler {@link #open} built last. */
  private Autoscaler opened;

  private static Check check(String name, String query) {
    return Check.of(name, "src", query, PluginRef.of("pass", Map.of()));
  }

  private static ScalingPolicy.Builder policy(String name) {
    return ScalingPolicy.builder().name(name).min(0).max(10).evaluationInterval(INTERVAL)
        .cooldown(Duration.ofMinutes(5)).cooldownOnScaleUp(Duration.ofMinutes(1))
        .target(PluginRef.of("mem", Map.of()));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  void evaluate_checkWantsMore_scalesTargetAndReportsDecision() {
    source.answer("load", 6);
    Autoscaler autoscaler = open(builder());
    ScalingPolicy web = policy("web").check(check("cpu", "load")).build();

    ScalingDecision d = autoscaler.evaluate(web);

    assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(6);
    assertThat(d.checks()).singleElement().satisfies(c -> {
      assertThat(c.points()).isEqualTo(1);
      assertThat(c.latest()).hasValue(6.0);
      assertThat(c.desiredCount()).hasValue(6);
    });
    assertThat(decisions).containsExactly(d);
    assertThat(source.queries()).singleElement().satisfies(q -> {
      assertThat(q.to()).isEqualTo(clock.instant());
      assertThat(q.from()).isEqualTo(clock.instant().minus(Check.DEFAULT_QUERY_WINDOW));
    });
  }

  @Test
  void mergeThroughTheLoop_upBeatsNoneBeatsDown() {
    source.answer("up", 5).answer("none", 3).answer("down", 1);
    Autoscaler autoscaler = open(builder());

    ScalingDecision noneAndDown = autoscaler.evaluate(policy("a").check(check("n", "none")).check(check("d", "down")).build());
    ScalingDecision all = autoscaler.evaluate(policy("b").check(check("d", "down")).check(check("n", "none"))
        .check(check("u", "up")).build());

    assertThat(noneAndDown.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(all.action()).get().extracting(ScalingAction::count).isEqualTo(5L);
    assertThat(target.count()).isEqualTo(5);
  }

  @Test
  void mergeThroughTheLoop_twoDowns_higherCountWins() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 9);
    source.answer("a", 2).answer("b", 6);

    ScalingDecision d = open(builder()).evaluate(policy("p").check(check("a", "a")).check(check("b", "b")).build());

    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::direction)
        .containsExactly(6L, Direction.DOWN);
    assertThat(target.count()).isEqualTo(6);
  }

  @Test
  void failedMetricSource_blocksDownButAllowsUp() {
    target.setCount(InMemoryTarget.DEFAULT_GROUP, 5);
    source.answer("low", 2).answer("high", 8);
    Autoscaler autoscaler = open(builder());
    source.failNext("broken", new MetricSourceException("connection refused"));

    ScalingDecision down = autoscaler.evaluate(policy("down").check(check("low", "low")).check(check("x", "broken")).build());

    assertThat(down.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(down.checks().get(1).failedPlugin()).hasValue("metric source 'src'");
    assertThat(down.checks().get(1).error()).get().asString().contains("query 'broken'", "connection refused");
    assertThat(target.count()).isEqualTo(5);

    source.failNext("broken", new MetricSourceException("connection refused"));
    ScalingDecision up = autoscaler.evaluate(policy("up").check(check("high", "high")).check(check("x", "broken")).build());

    assertThat(up.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(8);
  }

  @Test
  void failedCheck_onCheckErrorFail_failsEvaluationAndTargetUntouched() {
    source.answer("high", 8);
    source.failNext("broken", new MetricSourceException("timeout"));
    ScalingPolicy p = policy("p").onCheckError(OnError.FAIL).check(check("high", "high")).check(check("x", "broken")).build();

    ScalingDecision d = open(builder()).evaluate(p);

    assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(d.error()).get().asString().contains("check 'x'", "metric source 'src'", "timeout");
    assertThat(target.scaleActions()).isEmpty();
  }

  @Test
  void strategyThrows_checkFailsNamingTheStrategy() {
    source.answer("neg", -1);

    ScalingDecision d = open(builder()).evaluate(policy("p").check(check("c", "neg")).build());

    assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE);
    assertThat(d.checks().get(0).failedPlugin()).hasValue("strategy 'pass'");
    assertThat(d.checks().get(0).error()).get().asString().contains("negative metric");
  }

  @Test
  void unknownPlugins_failNamingThem() {
    Autoscaler autoscaler = open(builder());
    ScalingPolicy p = ScalingPolicy.builder().name("p").max(5)
        .check(Check.of("c", "nosuch", "q", PluginRef.of("nostrategy", Map.of())))
        .target(PluginRef.of("mem", Map.of())).build();
    ScalingPolicy noTarget = policy("q").check(check("c", "load")).target(PluginRef.of("cloud", Map.of())).build();

    ScalingDecision d = autoscaler.evaluate(p);

    assertThat(d.checks().get(0).failedPlugin()).hasValue("metric source 'nosuch'");
    assertThat(autoscaler.evaluate(noTarget).error()).get().asString().contains("target 'cloud'", "unknown target");
  }

  @Test
  void cooldown_afterUp_usesCooldownOnScaleUp_afterDown_usesCooldown() {
    Autoscaler autoscaler = open(builder());
    ScalingPolicy p = policy("p").check(check("c", "load")).build();
    source.answer("load", 6);
    assertThat(autoscaler.evaluate(p).outcome()).isEqualTo(Outcome.SCALED);

    source.answer("load", 2);
    clock.advance(Duration.ofSeconds(59));
    assertThat(autoscaler.evaluate(p).outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    clock.advance(Duration.ofSeconds(1));
    assertThat(autoscaler.evaluate(p).outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(2);

    source.answer("load", 7);
    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    ScalingDecision inCooldown = autoscaler.evaluate(p);
    assertThat(inCooldown.outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    assertThat(inCooldown.reasons().get(0)).contains("after scaling down to 2", "1000 ms left");
    clock.advance(Duration.ofSeconds(1));
    assertThat(autoscaler.evaluate(p).outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(7);
  }

  @Test
  void restartMidCooldown_fileStore_resumesRemainingCooldown() {
    ScalingPolicy p = policy("p").check(check("c", "load")).build();
    source.answer("load", 6);
    try (Autoscaler first = builder().stateStore(StateStore.file(stateDir)).build()) {
      assertThat(first.evaluate(p).outcome()).isEqualTo(Outcome.SCALED);
    }

    clock.advance(Duration.ofSeconds(30));
    source.answer("load", 9);
    Autoscaler second = open(builder().stateStore(StateStore.file(stateDir)));
    ScalingDecision during = second.evaluate(p);

    assertThat(during.outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
    assertThat(during.reasons().get(0)).contains("30000 ms left");
    clock.advance(Duration.ofSeconds(30));
    assertThat(second.evaluate(p).outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(9);
  }

  @Test
  void notReadyTarget_skippedWithoutQuerying() {
    target.setReady(InMemoryTarget.DEFAULT_GROUP, false);
    source.answer("load", 6);

    ScalingDecision d = open(builder()).evaluate(policy("p").check(check("c", "load")).build());

    assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED_NOT_READY);
    assertThat(d.reasons()).containsExactly("target not ready: marked not ready by the test");
    assertThat(source.queries()).isEmpty();
    assertThat(target.scaleActions()).isEmpty();
  }

  @Test
  void schedule_outsideWindow_skipsWithoutQuerying_insideScales() {
    source.answer("load", 6);
    Autoscaler autoscaler = open(builder());
    // The clock starts at Thursday 2026-01-01 00:00 UTC, before the window opens.
    ScalingPolicy p = policy("p").check(check("c", "load"))
        .schedule(Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", ZoneId.of("UTC"))).build();

    ScalingDecision outside = autoscaler.evaluate(p);

    assertThat(outside.outcome()).isEqualTo(Outcome.SKIPPED_SCHEDULE);
    assertThat(outside.reasons()).containsExactly(
        "outside the policy's schedule (start '0 8 * * mon-fri', end '0 20 * * mon-fri', UTC)");
    assertThat(source.queries()).isEmpty();
    assertThat(target.scaleActions()).isEmpty();

    clock.advance(Duration.ofHours(8));
    ScalingDecision inside = autoscaler.evaluate(p);

    assertThat(inside.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(source.queries()).hasSize(1);
    assertThat(target.count()).isEqualTo(6);
  }

  @Test
  void dryRun_targetUntouched_reportsWouldBeCount_noCooldown() {
    source.answer("load", 8);
    Autoscaler autoscaler = open(builder().dryRun(true));
    ScalingPolicy p = policy("p").check(check("c", "load")).build();

    ScalingDecision d = autoscaler.evaluate(p);

    assertThat(d.outcome()).isEqualTo(Outcome.DRY_RUN);
    assertThat(d.action()).get().extracting(ScalingAction::count, ScalingAction::dryRun).containsExactly(8L, true);
    assertThat(target.scaleActions()).isEmpty();
    assertThat(target.count()).isEqualTo(3);
    assertThat(autoscaler.evaluate(p).outcome()).isEqualTo(Outcome.DRY_RUN);
  }

  @Test
  void dryRunInTargetBlock_onlyThatPolicyReports_andThePlugInNeverSeesTheKey() {
    source.answer("load", 8);
    Autoscaler autoscaler = open(builder());
    ScalingPolicy parked = policy("parked").check(check("c", "load"))
        .target(PluginRef.of("mem", Map.of("dry-run", "true"))).build();
    ScalingPolicy live = policy("live").check(check("c", "load"))
        .target(PluginRef.of("mem", Map.of("dry-run", "false"))).build();

    assertThat(autoscaler.evaluate(parked).outcome()).isEqualTo(Outcome.DRY_RUN);
    assertThat(target.scaleActions()).isEmpty();
    assertThat(autoscaler.evaluate(live).outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(8);
  }

  @Test
  void dryRunInTargetBlock_notABoolean_failsNamingTheKeyAndValue() {
    source.answer("load", 8);
    Autoscaler autoscaler = open(builder());
    ScalingPolicy p = policy("p").check(check("c", "load"))
        .target(PluginRef.of("mem", Map.of("dry-run", "maybe"))).build();

    ScalingDecision d = autoscaler.evaluate(p);

    assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(d.error()).get().asString().contains("target 'mem'", "dry-run was 'maybe' but it must be true or false");
    assertThat(target.scaleActions()).isEmpty();
  }

  @Test
  void targetThrowsOnScale_failedDecisionNamingTarget_noCooldown_loopLivesOn() {
    source.answer("load", 6);
    target.failNext(InMemoryTarget.Operation.SCALE, new TargetException("group 'default' is being deleted"));
    Autoscaler autoscaler = open(builder().policy(policy("p").check(check("c", "load")).build()));
    autoscaler.start();

    scheduler.runDue();
    ScalingDecision failed = decisions.poll();
    assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(failed.error()).get().asString().contains("target 'mem' failed to scale to 6", "being deleted");
    assertThat(failed.action()).get().extracting(ScalingAction::count).isEqualTo(6L);
    assertThat(errors).singleElement().isInstanceOf(TargetException.class);

    scheduler.advance(INTERVAL);
    assertThat(decisions.poll().outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(6);
  }

  @Test
  void targetThrowsOnStatus_failedDecisionNamingTarget() {
    target.failNext(InMemoryTarget.Operation.STATUS, new TargetException("403 forbidden"));

    ScalingDecision d = open(builder()).evaluate(policy("p").check(check("c", "load")).build());

    assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(d.error()).hasValue("target 'mem' failed to report its status: 403 forbidden");
  }

  @Test
  void metricSourceHangs_watchdogFailsTheCheckNamingTheSource() throws Exception {
    ExecutorService pool = pool(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    source.answer("slow", (from, to) -> {
      entered.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MetricSourceException("interrupted", e);
      }
      return MetricSeries.of(to.toEpochMilli(), 9);
    }).answer("fast", 5);
    ScalingPolicy p = policy("p").check(check("slow", "slow")).check(check("fast", "fast")).build();
    Autoscaler autoscaler = open(builder().executor(pool).policy(p));
    autoscaler.start();

    scheduler.runDue();
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    scheduler.advance(Duration.ofSeconds(8));
    ScalingDecision d = decisions.poll(10, TimeUnit.SECONDS);

    assertThat(d).isNotNull();
    assertThat(d.checks().get(0).failedPlugin()).hasValue("metric source 'src'");
    assertThat(d.checks().get(0).error()).hasValue("did not answer query 'slow' within 7500 ms");
    assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(5);
  }

  @Test
  void targetHangsOnStatus_evaluationFailsWithTimeoutAndOtherPoliciesRunOn() throws Exception {
    ExecutorService pool = pool(4);
    InMemoryTarget slow = InMemoryTarget.withCount(1);
    CountDownLatch release = slow.hangNext(InMemoryTarget.Operation.STATUS);
    toClose.add(release::countDown);
    source.answer("load", 4);
    ScalingPolicy stuck = policy("stuck").check(check("c", "load")).target(PluginRef.of("slow", Map.of())).build();
    ScalingPolicy healthy = policy("healthy").check(check("c", "load")).cooldownOnScaleUp(Duration.ofSeconds(1)).build();
    Autoscaler autoscaler = open(builder().executor(pool).target("slow", slow)
        .watchdogPeriod(Duration.ofHours(1)).policy(stuck).policy(healthy));
    autoscaler.start();

    scheduler.runDue();
    assertThat(nextFor("healthy").outcome()).isEqualTo(Outcome.SCALED);
    awaitInFlight(1);
    source.answer("load", 6);
    scheduler.advance(INTERVAL);

    assertThat(nextFor("stuck").outcome()).isEqualTo(Outcome.SKIPPED_BUSY);
    assertThat(nextFor("healthy").outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.count()).isEqualTo(6);
    release.countDown();
    assertThat(nextFor("stuck").outcome()).isEqualTo(Outcome.SCALED);
    assertThat(slow.maxConcurrentScales()).isEqualTo(1);
  }

  @Test
  void targetHangsOnStatus_watchdogTimesItOut() throws Exception {
    ScalingDecision d = timeOutHangingTarget(InMemoryTarget.Operation.STATUS);

    assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(d.error()).hasValue("target 'mem' did not report its status within 7500 ms");
    assertThat(errors).singleElement().isInstanceOf(TimeoutException.class);
  }

  @Test
  void targetHangsOnScale_timedOut_cooldownStartsBecauseItMayHaveScaled() throws Exception {
    source.answer("load", 6);

    ScalingDecision timedOut = timeOutHangingTarget(InMemoryTarget.Operation.SCALE);
    assertThat(timedOut.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(timedOut.error()).get().asString().contains("target 'mem' did not finish scaling to 6 within 7500 ms");
    awaitInFlight(0);

    scheduler.advance(Duration.ofSeconds(2));
    assertThat(decisions.poll(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SKIPPED_COOLDOWN);
  }

  /** Runs policy 'p' on a pool while the target hangs in {@code operation}, then moves past the 7.5 s timeout. */
  private ScalingDecision timeOutHangingTarget(InMemoryTarget.Operation operation) throws InterruptedException {
    target.hangNext(operation);
    open(builder().executor(pool(2)).policy(policy("p").check(check("c", "load")).build())).start();
    scheduler.runDue();
    awaitCall(operation);
    scheduler.advance(Duration.ofSeconds(8));
    return decisions.poll(10, TimeUnit.SECONDS);
  }

  private ExecutorService pool(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    toClose.add(pool::shutdownNow);
    return pool;
  }

  /**
   * Waits until exactly {@code n} evaluations hold their policy's in-flight flag: a decision is
   * delivered just before its policy is released, so a test that saw it waits here before the next tick.
   */
  private void awaitInFlight(int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (opened.inFlightCount() != n) {
      assertThat(System.nanoTime()).as("still %s evaluation(s) in flight after 10 s", opened.inFlightCount())
          .isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  /** Waits until the target recorded a call: it records before hanging, and the guard is armed before the call. */
  private void awaitCall(InMemoryTarget.Operation operation) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (target.calls().stream().noneMatch(c -> c.operation() == operation)) {
      assertThat(System.nanoTime()).as("no %s call within 10 s", operation).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private ScalingDecision nextFor(String policyName) throws InterruptedException {
    List<ScalingDecision> others = new ArrayList<>();
    try {
      while (true) {
        ScalingDecision d = decisions.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("a decision for '%s' (others: %s)", policyName, others).isNotNull();
        if (d.policyName().equals(policyName)) {
          return d;
        }
        others.add(d);
      }
    } finally {
      decisions.addAll(others);
    }
  }

  @Test
  void start_evaluatesEnabledPoliciesEveryInterval_notDisabledOnes() {
    source.answer("load", 3);
    Autoscaler autoscaler = open(builder().policy(policy("on").check(check("c", "load")).build())
        .policy(policy("off").enabled(false).check(check("c", "load")).build()));
    autoscaler.start();

    scheduler.advance(Duration.ofSeconds(35));

    assertThat(decisions).extracting(ScalingDecision::policyName).containsExactly("on", "on", "on", "on");
    assertThat(decisions).extracting(ScalingDecision::time).containsExactly(clock.instant().minusSeconds(35),
        clock.instant().minusSeconds(25), clock.instant().minusSeconds(15), clock.instant().minusSeconds(5));
  }

  @Test
  void jitter_spreadsFirstRunsWithinTenPercentOfTheInterval_andEachPolicyKeepsItsPhase() {
    source.answer("load", 3);
    Autoscaler.Builder b = builder().jitter(0.1).random(new SplittableRandom(7));
    for (int i = 0; i < 20; i++) {
      b.policy(policy("p" + i).check(check("c", "load")).build());
    }
    Instant start = clock.instant();
    open(b).start();

    scheduler.advance(Duration.ofMinutes(10));

    java.util.Map<String, List<Instant>> byPolicy = new java.util.TreeMap<>();
    decisions.forEach(d -> byPolicy.computeIfAbsent(d.policyName(), k -> new ArrayList<>()).add(d.time()));
    assertThat(byPolicy).hasSize(20);
    for (List<Instant> times : byPolicy.values()) {
      assertThat(Duration.between(start, times.get(0))).isBetween(Duration.ZERO, Duration.ofSeconds(1));
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i))).isEqualTo(INTERVAL);
      }
    }
    assertThat(byPolicy.values().stream().map(t -> t.get(0)).distinct().count()).isGreaterThan(10);
  }

  @Test
  void policies_addReplaceRemoveWhileRunning() {
    source.answer("load", 3);
    Autoscaler autoscaler = open(builder());
    autoscaler.start();
    ScalingPolicy p = policy("p").check(check("c", "load")).build();

    autoscaler.putPolicy(p);
    scheduler.runDue();
    assertThat(decisions.poll().policyName()).isEqualTo("p");

    ScalingPolicy slower = policy("p").evaluationInterval(Duration.ofSeconds(30)).check(check("c", "load")).build();
    autoscaler.putPolicy(slower);
    assertThat(autoscaler.policies()).containsExactly(slower);
    scheduler.advance(Duration.ofSeconds(29));
    assertThat(decisions).hasSize(1);
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(decisions).hasSize(2);

    assertThat(autoscaler.removePolicy(p.id())).isTrue();
    decisions.clear();
    scheduler.advance(Duration.ofMinutes(5));
    assertThat(decisions).isEmpty();
    assertThat(autoscaler.policies()).isEmpty();
  }

  /** Starts {@code p} on a pool and returns once its first evaluation hangs in the target's scale (until {@code release}). */
  private Autoscaler startedAndHangingInScale(ScalingPolicy p, CountDownLatch release) {
    source.answer("load", 6);
    toClose.add(release::countDown);
    Autoscaler autoscaler = open(builder().executor(pool(2)).watchdogPeriod(Duration.ofHours(1)).policy(p));
    autoscaler.start();
    scheduler.runDue();
    awaitCall(InMemoryTarget.Operation.SCALE);
    return autoscaler;
  }

  @Test
  void removeThenPutWhileEvaluating_secondEvaluationWaits_neverTwoAtOnce() throws Exception {
    ScalingPolicy p = policy("p").check(check("c", "load")).build();
    CountDownLatch release = target.hangNext(InMemoryTarget.Operation.SCALE);
    Autoscaler autoscaler = startedAndHangingInScale(p, release);

    assertThat(autoscaler.removePolicy(p.id())).isTrue();
    autoscaler.putPolicy(p);
    ScalingDecision meanwhile = autoscaler.evaluate(p);

    assertThat(meanwhile.outcome()).isEqualTo(Outcome.SKIPPED_BUSY);
    assertThat(target.scaleActions()).hasSize(1);
    release.countDown();
    awaitInFlight(0);
    assertThat(nextFor("p").outcome()).isEqualTo(Outcome.SKIPPED_BUSY);
    assertThat(nextFor("p").outcome()).isEqualTo(Outcome.SCALED);
    assertThat(target.maxConcurrentScales()).isEqualTo(1);
    assertThat(autoscaler.policies()).containsExactly(p);
  }

  @Test
  void evaluate_policyRemovedAndReaddedBetweenLookupAndStart_doesNotEvaluateBesideTheNewRunner() throws Exception {
    // The strategy factory runs while evaluate() compiles a changed policy: after evaluate() looked up
    // the policy's runner and before it takes the in-flight flag, exactly the window in which
    // removePolicy can drop that runner and putPolicy give the policy a new one that starts evaluating.
    source.answer("load", 5);
    ScalingPolicy original = policy("p").check(check("c", "load")).build();
    ScalingPolicy changed = policy("p").max(9).check(check("c", "load")).build();
    Autoscaler[] self = new Autoscaler[1];
    boolean[] armed = {false};
    Thread[] other = new Thread[1];
    CountDownLatch[] otherHangs = new CountDownLatch[1];
    Autoscaler autoscaler = open(builder().strategy("pass", config -> {
      if (armed[0]) {
        armed[0] = false;
        self[0].removePolicy(original.id());
        self[0].putPolicy(original);
        otherHangs[0] = target.hangNext(InMemoryTarget.Operation.STATUS);
        other[0] = new Thread(() -> self[0].evaluate(original));
        other[0].start();
        // The re-added policy's evaluation is in flight once it has asked the target for its status.
        while (target.calls().isEmpty()) {
          Thread.onSpinWait();
        }
      }
      return passThrough();
    }));
    self[0] = autoscaler;
    autoscaler.putPolicy(original);
    armed[0] = true;

    ScalingDecision raced;
    List<InMemoryTarget.Call> callsWhileOtherHangs;
    try {
      raced = autoscaler.evaluate(changed);
      callsWhileOtherHangs = target.calls();
    } finally {
      otherHangs[0].countDown();
      other[0].join(10_000);
    }

    assertThat(raced.outcome()).isEqualTo(Outcome.SKIPPED_BUSY);
    assertThat(callsWhileOtherHangs).as("only the re-added policy's evaluation reached the target").hasSize(1);
    assertThat(other[0].isAlive()).isFalse();
    assertThat(target.maxConcurrentScales()).isLessThanOrEqualTo(1);
  }

  @Test
  void removeWhileEvaluating_policyStaysRemovedAfterTheEvaluationEnds() throws Exception {
    ScalingPolicy p = policy("p").check(check("c", "load")).build();
    CountDownLatch release = target.hangNext(InMemoryTarget.Operation.SCALE);
    Autoscaler autoscaler = startedAndHangingInScale(p, release);

    assertThat(autoscaler.removePolicy(p.id())).isTrue();
    assertThat(autoscaler.removePolicy(p.id())).isFalse();
    release.countDown();
    awaitInFlight(0);
    decisions.clear();
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(decisions).isEmpty();
    assertThat(autoscaler.policies()).isEmpty();
  }

  @Test
  void strategies_createdOncePerPolicyCheck_notPerEvaluation() {
    source.answer("a", 3).answer("b", 3);
    Autoscaler autoscaler = open(builder());
    ScalingPolicy p = policy("p").check(check("a", "a")).check(check("b", "b")).build();
    // Registered: bound once. (An unregistered policy is bound for its one evaluation and forgotten.)
    autoscaler.putPolicy(p);

    for (int i = 0; i < 5; i++) {
      autoscaler.evaluate(p);
    }
    assertThat(strategiesCreated).hasValue(2);

    autoscaler.putPolicy(policy("p").max(20).check(check("a", "a")).check(check("b", "b")).build());
    assertThat(strategiesCreated).hasValue(4);
  }

  @Test
  void close_stopsScheduling_andRejectsEvaluate() {
    source.answer("load", 3);
    ScalingPolicy p = policy("p").check(check("c", "load")).build();
    Autoscaler autoscaler = builder().policy(p).build();
    autoscaler.start();
    scheduler.runDue();

    autoscaler.close();
    decisions.clear();
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(decisions).isEmpty();
    assertThat(scheduler.pending()).isZero();
    assertThatThrownBy(() -> autoscaler.evaluate(p)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void close_whileAPluginHangs_watchdogStillTimesItOut_closeDoesNotWaitItsFullTimeout() throws Exception {
    source.answer("load", 6);
    CountDownLatch release = target.hangNext(InMemoryTarget.Operation.STATUS);
    toClose.add(release::countDown);
    Autoscaler autoscaler = open(builder().executor(pool(2)).closeTimeout(Duration.ofMinutes(5))
        .policy(policy("p").check(check("c", "load")).build()));
    autoscaler.start();
    scheduler.runDue();
    awaitCall(InMemoryTarget.Operation.STATUS);

    java.util.concurrent.Future<?> closing = pool(1).submit(autoscaler::close);
    ScalingPolicy probe = policy("probe").enabled(false).check(check("c", "load")).build();
    while (true) {
      try {
        autoscaler.putPolicy(probe);
      } catch (IllegalStateException closed) {
        break;
      }
      Thread.onSpinWait();
    }
    scheduler.advance(Duration.ofSeconds(8));

    closing.get(10, TimeUnit.SECONDS);
    assertThat(nextFor("p").error()).hasValue("target 'mem' did not report its status within 7500 ms");
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void listenerThrows_otherListenersStillHearAndEngineContinues() {
    source.answer("load", 6);
    List<Outcome> heard = new ArrayList<>();
    Autoscaler autoscaler = open(builder().listener(d -> {
      throw new IllegalStateException("listener bug");
    }).listener(d -> heard.add(d.outcome())));

    ScalingDecision d = autoscaler.evaluate(policy("p").check(check("c", "load")).build());

    assertThat(d.outcome()).isEqualTo(Outcome.SCALED);
    assertThat(heard).containsExactly(Outcome.SCALED);
  }

  @Test
  void micrometer_countsEvaluationsActionsErrorsAndLatency() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    source.answer("load", 6);
    source.failNext("broken", new MetricSourceException("down"));
    Autoscaler autoscaler = open(builder().meterRegistry(registry));
    ScalingPolicy p = policy("p").check(check("c", "load")).check(check("x", "broken")).build();

    autoscaler.evaluate(p);
    autoscaler.evaluate(p);

    assertThat(registry.get("capstan.evaluations").tag("outcome", "scaled").counter().count()).isEqualTo(1);
    assertThat(registry.get("capstan.evaluations").tag("outcome", "skipped_cooldown").counter().count()).isEqualTo(1);
    assertThat(registry.get("capstan.actions").tag("direction", "up").counter().count()).isEqualTo(1);
    assertThat(registry.get("capstan.errors").tag("kind", "check").counter().count()).isEqualTo(1);
    assertThat(registry.get("capstan.evaluation.latency").timer().count()).isEqualTo(2);
  }

  @Test
  void checkWindow_offsetShiftsTheQuery() {
    source.answer("load", 3);
    Check shifted = Check.builder().name("c").source("src").query("load").queryWindow(Duration.ofMinutes(5))
        .queryWindowOffset(Duration.ofMinutes(2)).strategy(PluginRef.of("pass", Map.of())).build();

    open(builder()).evaluate(policy("p").check(shifted).build());

    Instant now = clock.instant();
    assertThat(source.queries()).singleElement().isEqualTo(
        new ScriptedMetricSource.Query("load", now.minus(Duration.ofMinutes(7)), now.minus(Duration.ofMinutes(2))));
  }

  @Test
  void checkWindow_instant_queriesOnePointInTimeBeforeTheOffset() {
    source.answer("load", 3);
    Check instant = Check.builder().name("c").source("src").query("load").queryInstant()
        .queryWindowOffset(Duration.ofMinutes(1)).strategy(PluginRef.of("pass", Map.of())).build();

    open(builder()).evaluate(policy("p").check(instant).build());

    Instant at = clock.instant().minus(Duration.ofMinutes(1));
    assertThat(source.queries()).singleElement().isEqualTo(new ScriptedMetricSource.Query("load", at, at));
  }

  @Test
  void checkSchedule_outside_checkIsNotQueriedAndTheOthersDecide() {
    source.answer("night", 9);
    source.answer("day", 4);
    // The clock stands at 00:00 UTC: the night check's window is open, the day check's is closed.
    Check day = Check.builder().name("day").source("src").query("day")
        .schedule(Schedule.between("0 8 * * *", "0 20 * * *", ZoneId.of("UTC")))
        .strategy(PluginRef.of("pass", Map.of())).build();

    ScalingDecision d = open(builder()).evaluate(policy("p").check(day).check(check("night", "night")).build());

    assertThat(source.queries()).extracting(ScriptedMetricSource.Query::query).containsExactly("night");
    assertThat(d.action()).hasValueSatisfying(a -> assertThat(a.count()).isEqualTo(9));
    assertThat(d.reasons()).contains("check 'day' did not run: outside its schedule (start '0 8 * * *', end "
        + "'0 20 * * *', UTC)");
  }
}
