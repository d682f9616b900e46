package dev.capstan.engine;

import dev.capstan.policy.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One policy's place in the engine: its bound form, its schedule, its in-flight flag and its removal.
 * A tick decides the schedule rule first (no plug-in is called outside the window), then takes the
 * in-flight flag and queues the policy for its target's next batched status read.
 */
final class PolicyRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRunner.class);
  private static final Duration MIN_RECHECK = Duration.ofMillis(10);

  private final Autoscaler engine;
  volatile BoundPolicy bound;
  /** Registered through the builder or putPolicy (not just evaluated once). */
  volatile boolean registered;
  /** Removed while evaluating: dropped from the engine's runners once that evaluation ends. */
  volatile boolean removed;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private boolean scheduled;
  private Scheduler.Cancellable next;

  PolicyRunner(Autoscaler engine, BoundPolicy bound) {
    this.engine = engine;
    this.bound = bound;
  }

  ScalingPolicy policy() {
    return bound.policy;
  }

  /** Rebinds when the policy changed; an unchanged policy keeps its strategies and bound group. */
  void refresh(ScalingPolicy policy) {
    BoundPolicy current = bound;
    if (current.policy != policy && !current.policy.equals(policy)) {
      bound = engine.bind(policy);
    }
  }

  void reschedule() {
    ScalingPolicy policy = bound.policy;
    synchronized (this) {
      if (next != null) {
        next.cancel();
        next = null;
      }
      scheduled = policy.enabled() && registered && !engine.isClosed();
      if (scheduled) {
        next = engine.scheduler().schedule(this::tick, engine.jitterOf(policy.evaluationInterval()));
      }
    }
  }

  void unschedule() {
    synchronized (this) {
      scheduled = false;
      if (next != null) {
        next.cancel();
        next = null;
      }
    }
  }

  private void tick() {
    BoundPolicy b = bound;
    Duration interval = b.policy.evaluationInterval();
    boolean owned;
    synchronized (this) {
      if (!scheduled) {
        return;
      }
      // owns() never blocks, so it may be asked under the lock.
      owned = owns(b.policy.id());
      // The jitter of the first run sets this policy's phase; later runs keep it. A fresh jitter per
      // run would be a random walk that spreads a target's policies over the whole interval, and
      // they could no longer share a status read. A policy another member owns is looked at again
      // after a tenth of its interval (a local read, no plug-in call), so a policy this member takes
      // over is evaluated within a tenth of an interval, not a whole one; its phase starts then.
      next = engine.scheduler().schedule(this::tick, owned ? interval : recheckOf(interval));
    }
    if (!owned) {
      // Another member owns it: no plug-in call, no report.
      return;
    }
    Optional<ScalingDecision> closed = Decider.beforeStatus(b.policy, engine.clock().instant());
    if (closed.isPresent()) {
      engine.report(b.policy, closed.get(), null, 0);
      return;
    }
    if (!acquire()) {
      busy();
      return;
    }
    // removePolicy dropped this runner before the flag was taken (a re-added policy has its own), or
    // close() waited for idle between our schedule check and acquire: start nothing new.
    if (!isCurrent() || engine.isClosed()) {
      release();
      return;
    }
    if (b.group == null) {
      try {
        engine.executor().execute(() -> evaluateHeld(b, null));
      } catch (RejectedExecutionException e) {
        rejected();
      }
      return;
    }
    engine.batcher(b.target).submit(this, b);
  }

  /** How soon a tick of a policy this member does not own comes back: a tenth of the interval, at least 10 ms. */
  static Duration recheckOf(Duration interval) {
    Duration floor = MIN_RECHECK.compareTo(interval) < 0 ? MIN_RECHECK : interval;
    Duration tenth = interval.dividedBy(10);
    return tenth.compareTo(floor) < 0 ? floor : tenth;
  }

  private boolean owns(String policyId) {
    try {
      return engine.coordination().owns(policyId);
    } catch (RuntimeException e) {
      LOG.warn("coordination failed to say whether this member owns policy '{}'; skipping it", policyId, e);
      return false;
    }
  }

  boolean acquire() {
    if (!inFlight.compareAndSet(false, true)) {
      return false;
    }
    engine.running().incrementAndGet();
    return true;
  }

  /**
   * Whether this runner still serves its policy, checked while holding the in-flight flag.
   * removePolicy marks a runner removed before it reads the flag: either it saw the flag and keeps
   * the runner (and a putPolicy revives it), or it dropped the runner and we see the mark here.
   */
  boolean isCurrent() {
    return !removed;
  }

  boolean inFlight() {
    return inFlight.get();
  }

  void release() {
    inFlight.set(false);
    if (!registered) {
      // Removed, or only ever evaluated once through Autoscaler.evaluate: nothing is left behind.
      engine.drop(this);
    }
    engine.idle();
  }

  /** The batch or the executor refused the evaluation: it is reported busy and the flag released. */
  void rejected() {
    release();
    busy();
  }

  /** Runs one evaluation with the given status read (null: read it here); the caller holds the flag. */
  void evaluateHeld(BoundPolicy b, Evaluation.StatusRead read) {
    try {
      evaluateNow(b, read);
    } catch (RuntimeException e) {
      LOG.error("evaluation of policy '{}' failed unexpectedly", b.policy.name(), e);
    } finally {
      release();
    }
  }

  /** Runs one evaluation on the calling thread; the caller holds the flag and releases it. */
  ScalingDecision evaluateNow(BoundPolicy b, Evaluation.StatusRead given) {
    long started = System.nanoTime();
    Instant now = engine.clock().instant();
    Evaluation.Result result;
    try {
      Evaluation.StatusRead read = given != null || b.group == null ? given : engine.evaluation().readStatus(b);
      result = engine.evaluation().run(b, now, read == null ? Evaluation.StatusRead.failed(b.targetProblem, null) : read);
    } catch (RuntimeException e) {
      result = Evaluation.failed(b.policy, now, "evaluation failed: " + PluginResolver.message(e), e);
    }
    engine.report(b.policy, result.decision(), result.error(), System.nanoTime() - started);
    return result.decision();
  }

  ScalingDecision busy() {
    ScalingPolicy policy = bound.policy;
    ScalingDecision decision = new ScalingDecision(policy.id(), policy.name(), engine.clock().instant(),
        OptionalLong.empty(), List.of(), Optional.empty(), List.of("skipped: the previous evaluation is still in flight"),
        Outcome.SKIPPED_BUSY, Optional.empty());
    engine.report(policy, decision, null, 0);
    return decision;
  }
}
