package dev.capstan.engine;

import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Reads the status of every group of one {@link Target} that came due within one batch window with a
 * single {@link Target#statusOf} call, then hands each policy its status. A thousand policies on one
 * cloud account cost a handful of calls per interval instead of a thousand.
 */
final class StatusBatcher {
  private final Target target;
  private final Scheduler scheduler;
  private final Executor executor;
  private final CallGuard guard;
  private final Duration window;
  private List<Pending> pending = new ArrayList<>();
  private boolean flushScheduled;
  /** When the scheduled flush runs, in the engine clock's millis (valid while scheduled). */
  private long flushAt;
  private final Clock clock;

  /** One policy waiting for its group's status. */
  record Pending(PolicyRunner runner, BoundPolicy bound) {}

  StatusBatcher(Target target, Clock clock, Scheduler scheduler, Executor executor, CallGuard guard,
      Duration window) {
    this.target = target;
    this.clock = clock;
    this.scheduler = scheduler;
    this.executor = executor;
    this.guard = guard;
    this.window = window;
  }

  /**
   * Queues a policy (whose runner holds its in-flight flag) for the next batch. A policy waits at
   * most the window and at most a tenth of its own interval, so a short interval is never delayed
   * into its next tick; a policy that must not wait as long as the batch already planned brings the
   * flush forward (the later one then finds nothing, or only newcomers).
   */
  void submit(PolicyRunner runner, BoundPolicy bound) {
    Duration wait = window;
    Duration tenth = bound.policy.evaluationInterval().dividedBy(10);
    if (tenth.compareTo(wait) < 0) {
      wait = tenth;
    }
    long at = clock.millis() + wait.toMillis();
    synchronized (this) {
      pending.add(new Pending(runner, bound));
      if (flushScheduled && at - flushAt >= 0) {
        return;
      }
      flushScheduled = true;
      flushAt = at;
    }
    scheduler.schedule(this::flush, wait);
  }

  /** On close: policies still waiting for a batch have called no plug-in yet; they are released unevaluated. */
  void cancelPending() {
    List<Pending> batch;
    synchronized (this) {
      batch = pending;
      pending = new ArrayList<>();
    }
    for (Pending p : batch) {
      p.runner().release();
    }
  }

  private void flush() {
    List<Pending> batch;
    synchronized (this) {
      batch = pending;
      pending = new ArrayList<>();
      flushScheduled = false;
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> read(batch));
    } catch (RejectedExecutionException e) {
      for (Pending p : batch) {
        p.runner().rejected();
      }
    }
  }

  private void read(List<Pending> batch) {
    List<TargetGroup> groups = new ArrayList<>(batch.size());
    long timeout = Long.MAX_VALUE;
    for (Pending p : batch) {
      groups.add(p.bound().group);
      timeout = Math.min(timeout, p.bound().timeoutMillis);
    }
    CallGuard.Call<List<GroupStatus>> call = guard.call(timeout, () -> target.statusOf(groups));
    List<GroupStatus> answers = call.value();
    String mismatch = call.isOk() && (answers == null || answers.size() != batch.size())
        ? "returned " + (answers == null ? "no list" : answers.size() + " statuses") + " for " + batch.size() + " groups"
        : null;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Evaluation.StatusRead read;
      if (call.timedOut()) {
        read = Evaluation.interpret(p.bound(), null, null, true);
      } else if (!call.isOk()) {
        read = Evaluation.interpret(p.bound(), null, call.error(), false);
      } else if (mismatch != null) {
        read = Evaluation.StatusRead.failed(p.bound().targetLabel + " " + mismatch, null);
      } else {
        GroupStatus answer = answers.get(i);
        read = answer == null
            ? Evaluation.interpret(p.bound(), null, null, false)
            : Evaluation.interpret(p.bound(), answer.status().orElse(null), answer.error().orElse(null), false);
      }
      Evaluation.StatusRead status = read;
      try {
        executor.execute(() -> p.runner().evaluateHeld(p.bound(), status));
      } catch (RejectedExecutionException e) {
        p.runner().rejected();
      }
    }
  }
}
