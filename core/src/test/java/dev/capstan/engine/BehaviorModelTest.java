package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Behavior;
import dev.capstan.policy.Behavior.Rate;
import dev.capstan.policy.Behavior.RateType;
import dev.capstan.policy.Behavior.Rules;
import dev.capstan.policy.Behavior.Select;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import dev.capstan.testkit.ScriptedMetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine against a small reference model of Kubernetes' algorithm, written from
 * {@code horizontal.go} (unbounded lists, no compaction), over random behaviours, counts and times.
 */
final class BehaviorModelTest {

  /** Kubernetes' controller state for one HPA, as in horizontal.go. */
  private static final class Model {
    final List<long[]> recs = new ArrayList<>();   // {count, epochMillis}
    final List<long[]> ups = new ArrayList<>();    // {change, epochMillis}
    final List<long[]> downs = new ArrayList<>();

    long next(Behavior b, long min, long max, long current, long desired, long now) {
      if (recs.isEmpty()) {
        recs.add(new long[] {current, now});
      }
      if (current > max) {
        return max;
      }
      if (current < min) {
        return min;
      }
      long upCut = now - b.scaleUp().stabilizationWindow().toMillis();
      long downCut = now - b.scaleDown().stabilizationWindow().toMillis();
      long up = desired;
      long down = desired;
      for (long[] r : recs) {
        if (r[1] > upCut) {
          up = Math.min(up, r[0]);
        }
        if (r[1] > downCut) {
          down = Math.max(down, r[0]);
        }
      }
      long rec = current;
      if (rec < up) {
        rec = up;
      }
      if (rec > down) {
        rec = down;
      }
      recs.add(new long[] {desired, now});
      if (rec > current) {
        long limit = limit(b.scaleUp(), true, current, now);
        if (limit < current) {
          limit = current;
        }
        long allowed = Math.min(max, limit);
        return rec > allowed ? allowed : rec;
      } else if (rec < current) {
        long limit = limit(b.scaleDown(), false, current, now);
        if (limit > current) {
          limit = current;
        }
        long allowed = Math.max(min, limit);
        return rec < allowed ? allowed : rec;
      }
      return rec;
    }

    long limit(Rules rules, boolean up, long current, long now) {
      if (rules.select() == Select.DISABLED) {
        return current;
      }
      boolean most = rules.select() == Select.MAX;
      long result = (up == most) ? Long.MIN_VALUE : Long.MAX_VALUE;
      for (Rate rate : rules.rates()) {
        long cut = now - rate.period().toMillis();
        long start = current - sum(ups, cut) + sum(downs, cut);
        long proposed = rate.type() == RateType.COUNT ? (up ? start + rate.value() : start - rate.value())
            : up ? (long) Math.ceil(start * (1 + rate.value() / 100.0)) : (long) (start * (1 - rate.value() / 100.0));
        result = (up == most) ? Math.max(result, proposed) : Math.min(result, proposed);
      }
      return result;
    }

    static long sum(List<long[]> events, long cut) {
      long s = 0;
      for (long[] e : events) {
        if (e[1] > cut) {
          s += e[0];
        }
      }
      return s;
    }

    void scaled(long from, long to, long now) {
      if (to > from) {
        ups.add(new long[] {to - from, now});
      } else if (to < from) {
        downs.add(new long[] {from - to, now});
      }
    }
  }

  private static Rules rules(SplittableRandom r, boolean up) {
    Rules.Builder b = up ? Rules.scaleUp() : Rules.scaleDown();
    b.stabilizationWindow(Duration.ofSeconds(r.nextInt(0, 301)));
    b.select(Select.values()[r.nextInt(10) == 0 ? 2 : r.nextInt(2)]);
    int rates = r.nextInt(0, 4);
    for (int i = 0; i < rates; i++) {
      long value = r.nextBoolean() ? r.nextInt(1, 6) : r.nextInt(1, 250);
      b.rate(new Rate(r.nextBoolean() ? RateType.COUNT : RateType.PERCENT, value, Duration.ofSeconds(r.nextInt(1, 181))));
    }
    return b.build();
  }

  @Test
  void engine_matchesTheKubernetesModel_overRandomRuns() {
    SplittableRandom random = new SplittableRandom(19);
    for (int run = 0; run < 200; run++) {
      Behavior behavior = new Behavior(rules(random, true), rules(random, false));
      long min = random.nextInt(0, 4);
      long max = min + random.nextInt(1, 40);
      ManualClock clock = ManualClock.startingAtEpochOf2026();
      InMemoryTarget target = InMemoryTarget.withCount(random.nextInt(0, (int) max + 5));
      ScriptedMetricSource source = new ScriptedMetricSource();
      ScalingPolicy policy = ScalingPolicy.builder().name("p").min(min).max(max).cooldown(Duration.ofMillis(1))
          .check(Check.of("c", "src", "q", PluginRef.of("pass", Map.of()))).target(PluginRef.of("mem", Map.of()))
          .behavior(behavior).build();
      Model model = new Model();
      try (Autoscaler a = Autoscaler.builder().statusBatchWindow(Duration.ZERO).clock(clock)
          .scheduler(new ManualScheduler(clock)).executor(Runnable::run).jitter(0).lookupPlugins(false)
          .strategy("pass", config -> (current, metrics) -> (long) metrics.latest()).metricSource("src", source)
          .target("mem", target).policy(policy).build()) {
        for (int step = 0; step < 60; step++) {
          clock.advance(Duration.ofMillis(random.nextInt(1, 40_000)));
          long desired = random.nextInt(0, (int) max * 2 + 2);
          long current = target.count();
          long now = clock.instant().toEpochMilli();
          long expected = model.next(behavior, min, max, current, desired, now);
          source.answer("q", desired);
          a.evaluate(a.policies().get(0));
          assertThat(target.count()).as("run %d step %d: %s, [%d, %d], %d -> %d at %s", run, step, behavior, min, max,
              current, desired, Instant.ofEpochMilli(now)).isEqualTo(expected);
          model.scaled(current, expected, now);
        }
      }
    }
  }
}
