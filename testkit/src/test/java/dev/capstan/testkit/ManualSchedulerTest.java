package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.engine.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ManualSchedulerTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Instant start = clock.instant();

  @Test
  void advance_tasksDue_runInTimeOrderWithTheClockAtTheirDueTime() {
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("b@" + clock.instant()), Duration.ofSeconds(2));
    scheduler.schedule(() -> ran.add("a@" + clock.instant()), Duration.ofSeconds(1));
    scheduler.schedule(() -> ran.add("c@" + clock.instant()), Duration.ofSeconds(5));

    assertThat(scheduler.advance(Duration.ofSeconds(3))).isEqualTo(2);

    assertThat(ran).containsExactly("a@" + start.plusSeconds(1), "b@" + start.plusSeconds(2));
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(3));
    assertThat(scheduler.pending()).isEqualTo(1);
  }

  @Test
  void advance_taskSchedulesAnotherDueInTheSameSpan_runsBoth() {
    List<Instant> ticks = new ArrayList<>();
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      ticks.add(clock.instant());
      scheduler.schedule(tick[0], Duration.ofSeconds(10));
    };
    scheduler.schedule(tick[0], Duration.ZERO);

    scheduler.advance(Duration.ofSeconds(30));

    assertThat(ticks).containsExactly(start, start.plusSeconds(10), start.plusSeconds(20), start.plusSeconds(30));
  }

  @Test
  void cancel_beforeDue_taskNeverRuns() {
    List<String> ran = new ArrayList<>();
    Scheduler.Cancellable handle = scheduler.schedule(() -> ran.add("x"), Duration.ofSeconds(1));

    handle.cancel();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(ran).isEmpty();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void sameDueTime_runsInSchedulingOrder() {
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      scheduler.schedule(() -> ran.add(n), Duration.ofSeconds(1));
    }

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void advance_negative_isRejected() {
    assertThatThrownBy(() -> scheduler.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }
}
