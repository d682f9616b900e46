package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.OnError;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.Direction;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Drives 100,000 evaluations of random policies with random metrics, metric and target failures,
 * readiness flips, direct {@code evaluate} calls racing the schedule, and restarts, and checks after
 * every decision that the engine's invariants hold.
 */
final class AutoscalerInvariantTest {
  private static final int POLICIES = 60;
  private static final long EVALUATIONS = 100_000;

  private final Random random = new Random(20260101L);
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Map<String, ScalingPolicy> byId = new HashMap<>();
  private final Map<String, ScalingPolicy> byGroup = new HashMap<>();
  private final Map<String, PolicyState.LastAction> lastApplied = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final AtomicLong evaluations = new AtomicLong();
  private final AtomicLong scaled = new AtomicLong();
  private final Map<String, Boolean> ready = new HashMap<>();

  /** Runs evaluations on a pool and can wait until none is running. */
  private static final class TrackingExecutor implements Executor {
    private final ExecutorService pool = Executors.newFixedThreadPool(3);
    private int running;

    @Override
    public void execute(Runnable task) {
      synchronized (this) {
        running++;
      }
      pool.execute(() -> {
        try {
          task.run();
        } finally {
          synchronized (this) {
            running--;
            notifyAll();
          }
        }
      });
    }

    synchronized void awaitIdle() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (running > 0) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("evaluations still running after 30 s").isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  private final ScalingListener checker = new ScalingListener() {
    @Override
    public void onDecision(ScalingDecision d) {
      if (d.outcome() == Outcome.SKIPPED_BUSY) {
        return;
      }
      evaluations.incrementAndGet();
      if (d.outcome() != Outcome.SCALED) {
        return;
      }
      scaled.incrementAndGet();
      ScalingPolicy p = byId.get(d.policyId());
      ScalingAction a = d.action().orElseThrow();
      if (a.count() < p.min() || a.count() > p.max()) {
        violations.add(d.policyName() + " scaled to " + a.count() + " outside [" + p.min() + ", " + p.max() + "]");
      }
      PolicyState.LastAction last = lastApplied.get(d.policyId());
      if (last != null) {
        Duration cooldown = last.direction() == Direction.UP ? p.cooldownOnScaleUp() : p.cooldown();
        if (d.time().isBefore(last.at().plus(cooldown))) {
          violations.add(d.policyName() + " scaled at " + d.time() + " inside the cooldown of the action at " + last.at());
        }
      }
      lastApplied.put(d.policyId(), new PolicyState.LastAction(a.count(), a.direction(), d.time()));
    }
  };

  private ScalingPolicy randomPolicy(int i) {
    long min = random.nextInt(4);
    ScalingPolicy.Builder b = ScalingPolicy.builder().name("p" + i).min(min).max(min + 1 + random.nextInt(10))
        .cooldown(Duration.ofSeconds(5 + random.nextInt(60)))
        .cooldownOnScaleUp(Duration.ofSeconds(5 + random.nextInt(60)))
        .evaluationInterval(Duration.ofSeconds(5 + random.nextInt(11)))
        .onCheckError(random.nextInt(10) == 0 ? OnError.FAIL : OnError.IGNORE)
        .target(PluginRef.of("mem", Map.of(InMemoryTarget.GROUP_KEY, "g" + i)));
    int checks = 1 + random.nextInt(3);
    for (int k = 0; k < checks; k++) {
      int roll = random.nextInt(10);
      Optional<OnError> onError = roll == 0 ? Optional.of(OnError.FAIL) : roll == 1 ? Optional.of(OnError.IGNORE) : Optional.empty();
      Optional<String> group = random.nextInt(3) == 0 ? Optional.of("grp") : Optional.empty();
      Check.Builder c = Check.builder().name("c" + k).source("src").query("p" + i + "c" + k)
          .strategy(PluginRef.of("pass", Map.of()));
      group.ifPresent(c::group);
      onError.ifPresent(c::onError);
      b.check(c.build());
    }
    return b.build();
  }

  private ScriptedMetricSource randomSource() {
    ScriptedMetricSource source = new ScriptedMetricSource();
    for (ScalingPolicy p : byId.values()) {
      for (Check c : p.checks()) {
        source.answer(c.query(), (from, to) -> {
          if (random.nextInt(20) == 0) {
            throw new MetricSourceException("injected failure of " + c.query());
          }
          return MetricSeries.of(to.toEpochMilli(), random.nextInt(20));
        });
      }
    }
    return source;
  }

  /** A fresh target carrying the old one's groups: the cloud outlives an agent restart. */
  private InMemoryTarget carryOver(InMemoryTarget old) {
    InMemoryTarget target = new InMemoryTarget();
    for (String group : byGroup.keySet()) {
      target.setCount(group, old == null ? random.nextInt(16) : old.count(group));
      target.setReady(group, ready.getOrDefault(group, true));
    }
    return target;
  }

  private Autoscaler start(StateStore store, InMemoryTarget target, ScriptedMetricSource source, Executor executor) {
    Autoscaler autoscaler = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock).scheduler(scheduler).executor(executor)
        .random(new java.util.SplittableRandom(random.nextLong())).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest())
        .metricSource("src", source).target("mem", target).stateStore(store).listener(checker)
        .policies(byId.values()).build();
    autoscaler.start();
    return autoscaler;
  }

  @Test
  void randomRun_neverOutsideBounds_neverConcurrentScales_neverInsideCooldown() throws Exception {
    for (int i = 0; i < POLICIES; i++) {
      ScalingPolicy p = randomPolicy(i);
      byId.put(p.id(), p);
      byGroup.put("g" + i, p);
    }
    List<ScalingPolicy> policies = new ArrayList<>(byId.values());
    StateStore store = StateStore.inMemory();
    TrackingExecutor executor = new TrackingExecutor();
    InMemoryTarget target = carryOver(null);
    List<InMemoryTarget> targets = new ArrayList<>(List.of(target));
    Autoscaler autoscaler = start(store, target, randomSource(), executor);
    long nextRestart = 2_000 + random.nextInt(2_000);
    int restarts = 0;
    int step = 0;
    try {
      while (evaluations.get() < EVALUATIONS) {
        step++;
        scheduler.advance(Duration.ofMillis(100 + random.nextInt(1_900)));
        if (random.nextInt(50) == 0) {
          target.failNext(InMemoryTarget.Operation.SCALE, new TargetException("injected scale failure"));
        }
        if (random.nextInt(50) == 0) {
          String group = "g" + random.nextInt(POLICIES);
          boolean isReady = random.nextInt(5) != 0;
          ready.put(group, isReady);
          target.setReady(group, isReady);
        }
        if (random.nextInt(20) == 0) {
          // An embedder's own loop racing the schedule.
          autoscaler.evaluate(policies.get(random.nextInt(policies.size())));
        }
        if (step % 4 == 0) {
          // Let the pool catch up now and then; in between, ticks pile onto evaluations still in flight.
          executor.awaitIdle();
        }
        if (evaluations.get() >= nextRestart) {
          autoscaler.close();
          restarts++;
          target = carryOver(target);
          targets.add(target);
          autoscaler = start(store, target, randomSource(), executor);
          nextRestart = evaluations.get() + 2_000 + random.nextInt(2_000);
        }
      }
    } finally {
      autoscaler.close();
      executor.pool.shutdownNow();
    }

    assertThat(violations).isEmpty();
    assertThat(restarts).isGreaterThan(20);
    assertThat(scaled.get()).as("enough actions to make the run meaningful").isGreaterThan(EVALUATIONS / 50);
    for (InMemoryTarget t : targets) {
      assertThat(t.maxConcurrentScales()).isLessThanOrEqualTo(1);
      for (InMemoryTarget.Call call : t.calls()) {
        if (call.operation() == InMemoryTarget.Operation.SCALE) {
          ScalingPolicy p = byGroup.get(call.group());
          assertThat(call.action().count()).as("scale of %s", call.group()).isBetween(p.min(), p.max());
        }
      }
    }
    Instant end = clock.instant();
    assertThat(end).isAfter(Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofHours(1)));
  }
}
