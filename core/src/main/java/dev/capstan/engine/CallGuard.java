package dev.capstan.engine;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one guard every plug-in call goes through: it records the calling thread and a deadline, and
 * {@link #interruptOverdue} (run by the engine's watchdog) interrupts calls that overran. A call ends
 * as {@link Call#ok ok}, {@link Call#failed failed} (the plug-in threw a {@link RuntimeException}) or
 * {@link Call#timeout timed out}. An {@link Error} is never swallowed: it propagates after the call is
 * deregistered.
 */
final class CallGuard {
  private final Clock clock;
  private final Set<Active> active = ConcurrentHashMap.newKeySet();

  CallGuard(Clock clock) {
    this.clock = clock;
  }

  /** The outcome of one guarded call. */
  record Call<T>(T value, RuntimeException error, boolean timedOut) {
    static <T> Call<T> ok(T value) {
      return new Call<>(value, null, false);
    }

    static <T> Call<T> failed(RuntimeException error) {
      return new Call<>(null, error, false);
    }

    static <T> Call<T> timeout() {
      return new Call<>(null, null, true);
    }

    boolean isOk() {
      return !timedOut && error == null;
    }
  }

  /**
   * Runs {@code body} on the calling thread under a deadline of {@code timeoutMillis}.
   *
   * @return ok (with the value, which may be null), failed or timed out
   */
  <T> Call<T> call(long timeoutMillis, Supplier<T> body) {
    Active call = new Active(Thread.currentThread(), clock.millis() + timeoutMillis);
    active.add(call);
    T value;
    try {
      value = body.get();
    } catch (RuntimeException e) {
      return finish(call) ? Call.timeout() : Call.failed(e);
    } catch (Error e) {
      finish(call);
      throw e;
    }
    return finish(call) ? Call.timeout() : Call.ok(value);
  }

  /** Runs a call without a result. */
  Call<Void> run(long timeoutMillis, Runnable body) {
    return call(timeoutMillis, () -> {
      body.run();
      return null;
    });
  }

  /** Interrupts every call past its deadline; the watchdog calls it periodically. */
  void interruptOverdue() {
    long now = clock.millis();
    for (Active call : active) {
      call.interruptIfOverdue(now);
    }
  }

  /** Deregisters a call; returns whether the watchdog timed it out (its interrupt is then cleared). */
  private boolean finish(Active call) {
    active.remove(call);
    if (!call.end()) {
      return false;
    }
    Thread.interrupted();
    return true;
  }

  /** One call in flight. */
  private static final class Active {
    private final Thread thread;
    private final long deadline;
    private final int hash;
    private boolean done;
    private boolean timedOut;

    Active(Thread thread, long deadline) {
      this.thread = thread;
      this.deadline = deadline;
      // Object.hashCode would compute a fresh identity hash (a VM call) for every call's Active; the
      // thread's identity hash is computed once per thread and then cached in its header. Equality
      // stays identity, so two calls on one thread are still two entries.
      this.hash = System.identityHashCode(thread) ^ (int) deadline;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    synchronized void interruptIfOverdue(long now) {
      if (!done && !timedOut && now >= deadline) {
        timedOut = true;
        thread.interrupt();
      }
    }

    /** Marks the call over, so no interrupt can arrive after it; returns whether it timed out. */
    synchronized boolean end() {
      done = true;
      return timedOut;
    }
  }
}
