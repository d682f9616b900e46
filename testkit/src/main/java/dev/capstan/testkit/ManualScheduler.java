package dev.capstan.testkit;

import dev.capstan.engine.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} that runs tasks only when a test moves its {@link ManualClock} through
 * {@link #advance}, so an {@code Autoscaler} can be driven through hours of schedule without sleeping.
 *
 * <p>{@link #advance} runs every task that falls due, in due-time order (ties in scheduling order),
 * on the calling thread, setting the clock to each task's due time before running it; tasks scheduled
 * while advancing run in the same call if they fall due before its end. Thread-safe: any thread may
 * schedule and cancel; tasks run on the advancing thread. A task that throws stops the advance and
 * the exception propagates to the test.
 */
public final class ManualScheduler implements Scheduler {
  private final ManualClock clock;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;

  private static final class Task implements Comparable<Task>, Cancellable {
    final Instant due;
    final long seq;
    final Runnable runnable;
    volatile boolean cancelled;

    Task(Instant due, long seq, Runnable runnable) {
      this.due = due;
      this.seq = seq;
      this.runnable = runnable;
    }

    @Override
    public int compareTo(Task o) {
      int byTime = due.compareTo(o.due);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  /**
   * Creates a scheduler over {@code clock}.
   *
   * @param clock the clock whose time decides when tasks are due; only this scheduler should move it
   *     while tasks are pending
   */
  public ManualScheduler(ManualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns the clock this scheduler moves.
   *
   * @return the clock
   */
  public ManualClock clock() {
    return clock;
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Instant due = delay.isNegative() ? clock.instant() : clock.instant().plus(delay);
    synchronized (queue) {
      Task t = new Task(due, sequence++, task);
      queue.add(t);
      return t;
    }
  }

  /**
   * Moves the clock forward by {@code amount}, running every task that falls due on the way.
   *
   * @param amount how far; zero runs the tasks due now
   * @return how many tasks ran
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public int advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, but amount was " + amount);
    }
    Instant end = clock.instant().plus(amount);
    int ran = 0;
    while (true) {
      Task next;
      synchronized (queue) {
        next = queue.peek();
        if (next == null || next.due.isAfter(end)) {
          break;
        }
        queue.poll();
      }
      if (next.cancelled) {
        continue;
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.runnable.run();
      ran++;
    }
    if (end.isAfter(clock.instant())) {
      clock.set(end);
    }
    return ran;
  }

  /**
   * Runs the tasks due now without moving the clock.
   *
   * @return how many tasks ran
   */
  public int runDue() {
    return advance(Duration.ZERO);
  }

  /**
   * Returns how many tasks wait to run (cancelled ones are not counted).
   *
   * @return the number of pending tasks
   */
  public int pending() {
    synchronized (queue) {
      int n = 0;
      for (Task t : queue) {
        n += t.cancelled ? 0 : 1;
      }
      return n;
    }
  }
}
