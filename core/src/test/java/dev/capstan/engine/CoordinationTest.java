package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class CoordinationTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final InMemoryTarget target = InMemoryTarget.withCount(3);
  private final ScriptedMetricSource source = new ScriptedMetricSource().answer("load", 6);
  private final List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();
  private final Set<String> owned = ConcurrentHashMap.newKeySet();
  private volatile boolean fenced;
  private final StateStore store = StateStore.inMemory();

  private final Coordination coordination = new Coordination() {
    @Override
    public boolean owns(String policyId) {
      return owned.contains(policyId);
    }

    @Override
    public boolean mayScale(String policyId) {
      return owns(policyId) && !fenced;
    }
  };

  private Autoscaler start(ScalingPolicy policy) {
    Autoscaler autoscaler = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock).scheduler(scheduler)
        .executor(Runnable::run).jitter(0).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("mem", target).stateStore(store).coordination(coordination).policy(policy)
        .listener(decisions::add).build();
    autoscaler.start();
    return autoscaler;
  }

  private static ScalingPolicy policy() {
    return ScalingPolicy.builder().name("web").min(0).max(10).evaluationInterval(INTERVAL)
        .cooldown(Duration.ofMinutes(5)).target(PluginRef.of("mem", Map.of()))
        .check(Check.of("cpu", "src", "load", PluginRef.of("pass", Map.of()))).build();
  }

  @Test
  void tick_policyNotOwned_makesNoPluginCallAndReportsNothing() {
    try (Autoscaler autoscaler = start(policy())) {
      scheduler.advance(INTERVAL.multipliedBy(3));

      assertThat(target.calls()).isEmpty();
      assertThat(source.queries()).isEmpty();
      assertThat(decisions).isEmpty();
    }
  }

  @Test
  void tick_ownershipGained_evaluatesWithinOneInterval() {
    try (Autoscaler autoscaler = start(policy())) {
      scheduler.advance(INTERVAL);
      owned.add(policy().id());
      scheduler.advance(INTERVAL);

      assertThat(decisions).singleElement().extracting(ScalingDecision::outcome).isEqualTo(Outcome.SCALED);
      assertThat(target.count()).isEqualTo(6);
    }
  }

  @Test
  void tick_ownershipGained_evaluatedWithinATenthOfTheInterval() {
    try (Autoscaler autoscaler = start(policy())) {
      scheduler.advance(INTERVAL.multipliedBy(2).plusSeconds(3));
      owned.add(policy().id());
      scheduler.advance(INTERVAL.dividedBy(10));

      assertThat(decisions).singleElement().extracting(ScalingDecision::outcome).isEqualTo(Outcome.SCALED);
    }
  }

  @Test
  void scale_fencedBeforeTheCall_targetNotScaledAndStateRestored() {
    owned.add(policy().id());
    fenced = true;
    try (Autoscaler autoscaler = start(policy())) {
      scheduler.advance(INTERVAL);

      assertThat(decisions).isNotEmpty().allSatisfy(d -> {
        assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(d.reasons()).anyMatch(r -> r.contains("fenced"));
      });
      assertThat(target.scaleActions()).isEmpty();
      assertThat(store.load(policy().id())).isEqualTo(PolicyState.INITIAL);
    }
  }

  @Test
  void scale_fenceDoesNotAnswer_timedOutFencesTheCallNamingIt() throws Exception {
    owned.add(policy().id());
    CountDownLatch asked = new CountDownLatch(1);
    Coordination hanging = new Coordination() {
      @Override
      public boolean owns(String policyId) {
        return true;
      }

      @Override
      public boolean mayScale(String policyId) {
        // A ZooKeeper read that never returns: the engine's watchdog must interrupt it.
        asked.countDown();
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        return true;
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    LinkedBlockingQueue<ScalingDecision> seen = new LinkedBlockingQueue<>();
    try (Autoscaler autoscaler = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock).scheduler(scheduler)
        .executor(pool).jitter(0).lookupPlugins(false)
        .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
        .target("mem", target).stateStore(store).coordination(hanging).policy(policy()).listener(seen::add).build()) {
      autoscaler.start();
      scheduler.runDue();
      assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
      scheduler.advance(Duration.ofSeconds(8));
      ScalingDecision d = seen.poll(10, TimeUnit.SECONDS);

      assertThat(d).isNotNull();
      assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(d.reasons()).anyMatch(r -> r.contains(
          "fenced: the coordination did not confirm that this member owns the policy within 7500 ms"));
      assertThat(target.scaleActions()).isEmpty();
      assertThat(store.load(policy().id())).isEqualTo(PolicyState.INITIAL);
    } finally {
      pool.shutdownNow();
    }
  }
}
