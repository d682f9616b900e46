package dev.capstan.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay: the only source of timing the engine ({@code dev.capstan.engine.Autoscaler}, in capstan-core) uses, so tests can
 * drive it with a manual clock (testkit's {@code ManualScheduler}) instead of sleeping.
 *
 * <p>Tasks must be short: the autoscaler only hands evaluations to its executor from them.
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Schedules {@code task} to run once after {@code delay}.
   *
   * @param task what to run
   * @param delay how long from now; zero or negative means as soon as possible
   * @return a handle that cancels the task if it has not started
   * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down
   */
  Cancellable schedule(Runnable task, Duration delay);

  /** Cancels a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; calling it again, or after the task ran, does nothing. */
    void cancel();
  }

  /**
   * Returns a scheduler over a {@link ScheduledExecutorService}; the caller keeps owning the executor.
   *
   * @param executor the executor that runs the tasks
   * @return a scheduler
   */
  static Scheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (task, delay) -> {
      ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }
}
