package dev.capstan.engine;

import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.TargetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One evaluation of one bound policy, top to bottom: the target's status (read by the caller, often
 * for a whole tick at once) → {@link Decider#plan} → the checks the plan names → {@link Decider#decide}
 * → save the intent → scale → confirm. Every plug-in call goes through the {@link CallGuard}. Returns
 * its {@link Result}; keeps nothing between runs.
 */
final class Evaluation {
  private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);

  private final StateStore store;
  /** One lock per policy id: an evaluation's save and an operator's override change never interleave. */
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final CallGuard guard;
  private final EngineMetrics metrics;
  private final boolean dryRun;
  private final Coordination coordination;

  Evaluation(StateStore store, CallGuard guard, EngineMetrics metrics, boolean dryRun, Coordination coordination) {
    this.store = store;
    this.guard = guard;
    this.metrics = metrics;
    this.dryRun = dryRun;
    this.coordination = coordination;
  }

  /** The decision and, for a failure, the exception behind it (for listeners' onError), or null. */
  record Result(ScalingDecision decision, Throwable error) {}

  /** What reading the target's status gave: a status, or a failure already worded, with its cause. */
  record StatusRead(TargetStatus status, String failure, Throwable error) {
    static StatusRead of(TargetStatus status) {
      return new StatusRead(status, null, null);
    }

    static StatusRead failed(String failure, Throwable error) {
      return new StatusRead(null, failure, error);
    }
  }

  /** Reads one group's status through the guard (for evaluations outside a tick's batch). */
  StatusRead readStatus(BoundPolicy b) {
    CallGuard.Call<TargetStatus> call = guard.call(b.timeoutMillis, b.group::status);
    return interpret(b, call.value(), call.error(), call.timedOut());
  }

  /** Words a status read (alone or from a batch) the same way. */
  static StatusRead interpret(BoundPolicy b, TargetStatus status, RuntimeException error, boolean timedOut) {
    if (timedOut) {
      String why = b.targetLabel + " did not report its status within " + b.timeoutMillis + " ms";
      return StatusRead.failed(why, new TimeoutException(why));
    }
    if (error != null || status == null) {
      return StatusRead.failed(b.targetLabel + " failed to report its status: "
          + (error != null ? b.redact(PluginResolver.message(error)) : "it returned null"), b.redact(error));
    }
    return StatusRead.of(status);
  }

  Result run(BoundPolicy b, Instant now, StatusRead read) {
    ScalingPolicy policy = b.policy;
    if (b.targetProblem != null) {
      return failed(policy, now, b.targetProblem, null);
    }
    if (read.status() == null) {
      return failed(policy, now, read.failure(), read.error());
    }
    PolicyState state = store.load(policy.id());
    Plan plan = Decider.plan(policy, state, read.status(), now);
    if (state.override().isPresent() && plan.state().override().isEmpty()) {
      LOG.info("policy {}: {} expired at {}; removed", policy.id(), state.override().get().describe(),
          state.override().get().until().orElse(now));
    }
    if (plan.skipped().isPresent()) {
      return saved(state, plan.skipped().get());
    }
    Decided decided = Decider.decide(plan, runChecks(b, plan, now), b.strategyList, dryRun || b.dryRun);
    if (decided.decision().outcome() != Outcome.SCALED) {
      return saved(state, decided);
    }
    return scale(b, state, plan, decided);
  }

  /**
   * Changes a policy's override under the policy's lock, so that it cannot be lost to an evaluation
   * saving its state at the same moment.
   *
   * @return the override in force before the change
   */
  Optional<OperatorOverride> changeOverride(String policyId, Optional<OperatorOverride> override) {
    synchronized (lock(policyId)) {
      PolicyState state = store.load(policyId);
      store.save(policyId, state.withOverride(override));
      return state.override();
    }
  }

  /** Returns a policy's override as stored. */
  Optional<OperatorOverride> override(String policyId) {
    return store.load(policyId).override();
  }

  private Object lock(String policyId) {
    return locks.computeIfAbsent(policyId, id -> new Object());
  }

  /**
   * Saves {@code next}, an evaluation's result from {@code started}; an override an operator changed
   * since the evaluation loaded {@code started} wins over the evaluation's (it decides under the old one
   * once more, then the next evaluation sees the new one).
   */
  private void save(String policyId, PolicyState started, PolicyState next) {
    synchronized (lock(policyId)) {
      PolicyState stored = store.load(policyId);
      store.save(policyId, stored.override().equals(started.override()) ? next : next.withOverride(stored.override()));
    }
  }

  private List<CheckResult> runChecks(BoundPolicy b, Plan plan, Instant now) {
    List<Check> checks = b.policy.checks();
    List<CheckResult> results = new ArrayList<>(checks.size());
    for (int i = 0; i < checks.size(); i++) {
      if (!plan.runs(i)) {
        continue;
      }
      CheckResult result = runCheck(b, i, plan.status().count(), now);
      if (result.isFailed()) {
        metrics.error("check");
      }
      results.add(result);
    }
    return results;
  }

  private CheckResult runCheck(BoundPolicy b, int i, long current, Instant now) {
    ScalingPolicy policy = b.policy;
    Check check = policy.checks().get(i);
    if (b.checkProblems[i] != null) {
      return CheckResult.failed(check, policy.onCheckError(), b.problemPlugins[i], b.checkProblems[i]);
    }
    MetricSeries series = MetricSeries.empty();
    if (b.sources[i] != null) {
      Instant to = check.queryWindowOffset().isZero() ? now : now.minus(check.queryWindowOffset());
      Instant from = to.minus(check.queryWindow());
      CallGuard.Call<MetricSeries> query = guard.call(b.timeoutMillis, () -> b.sources[i].query(check.query(), from, to));
      if (query.timedOut()) {
        return CheckResult.failed(check, policy.onCheckError(), b.sourceLabels[i],
            "did not answer query '" + check.query() + "' within " + b.timeoutMillis + " ms");
      }
      if (!query.isOk() || query.value() == null) {
        return CheckResult.failed(check, policy.onCheckError(), b.sourceLabels[i], "failed on query '" + check.query()
            + "': " + (query.error() != null ? PluginResolver.message(query.error()) : "it returned null"));
      }
      series = query.value();
    }
    Strategy strategy = b.strategies[i];
    MetricSeries metrics = series;
    CallGuard.Call<Long> vote = guard.call(b.timeoutMillis, () -> strategy.desiredCount(current, metrics));
    if (vote.timedOut()) {
      return CheckResult.failed(check, policy.onCheckError(), b.strategyLabels[i],
          "did not decide within " + b.timeoutMillis + " ms");
    }
    if (!vote.isOk()) {
      return CheckResult.failed(check, policy.onCheckError(), b.strategyLabels[i],
          "failed: " + PluginResolver.message(vote.error()));
    }
    return CheckResult.counted(check, policy.onCheckError(), series, vote.value(),
        Explanation.of(() -> strategy.explain(current, metrics)));
  }

  /**
   * Applies a SCALED decision: the intent is saved first, so a process killed during the call still
   * knows its cooldown when it comes back; a confirmed call confirms it, a refused one restores the
   * state from before, and a timed-out one keeps the intent (the group may have scaled). Right
   * before the call the coordination is asked once more whether this member still owns the policy
   * (the fence): a fenced member restores the state from before and never calls the target.
   */
  private Result scale(BoundPolicy b, PolicyState started, Plan plan, Decided decided) {
    ScalingDecision decision = decided.decision();
    ScalingAction action = decision.action().orElseThrow();
    String id = b.policy.id();
    try {
      save(id, started, decided.nextState());
    } catch (RuntimeException e) {
      return new Result(decision.failed("could not save the intent to scale to " + action.count()
          + ", so the target was not called: " + PluginResolver.message(e)), e);
    }
    String fenced = fence(b);
    if (fenced != null) {
      // The restore is a conditional write under a shared store: it fails harmlessly once the new
      // owner wrote, and otherwise spares the next owner a cooldown for a call that never went out.
      Throwable restoreError = trySave(id, started, withoutIntent(decided.nextState(), plan.state())
          .withBehavior(decided.nextState().behavior().withoutEventsAt(plan.now())));
      return new Result(decision.failed("fenced: " + fenced + ", so "
          + b.targetLabel + " was not scaled to " + action.count()
          + (restoreError == null ? "" : " (and the state could not be restored: " + PluginResolver.message(restoreError)
              + ")")), null);
    }
    CallGuard.Call<Void> call = guard.run(b.timeoutMillis, () -> b.group.scale(action));
    if (call.timedOut()) {
      String why = b.targetLabel + " did not finish scaling to " + action.count() + " within " + b.timeoutMillis
          + " ms; its count is unknown, so the cooldown starts anyway";
      return new Result(decision.failed(why), new TimeoutException(why));
    }
    if (!call.isOk()) {
      // The rules' other changes (fallback counts, an expired override, the recommendation recorded)
      // stand; only the intent and the scale event it would have been are undone.
      PolicyState restored = withoutIntent(decided.nextState(), plan.state())
          .withBehavior(decided.nextState().behavior().withoutEventsAt(plan.now()));
      Throwable restoreError = trySave(id, started, restored);
      String why = b.targetLabel + " failed to scale to " + action.count() + ": "
          + b.redact(PluginResolver.message(call.error()))
          + (restoreError == null ? "" : " (and the state could not be restored: " + PluginResolver.message(restoreError)
              + ")");
      return new Result(decision.failed(why), b.redact(call.error()));
    }
    metrics.acted(action.direction());
    Throwable confirmError = trySave(id, started, decided.nextState().confirmed());
    if (confirmError != null) {
      return new Result(decision.failed("scaled to " + action.count() + " but could not confirm it in the state: "
          + PluginResolver.message(confirmError) + " (the saved intent keeps the cooldown)"), confirmError);
    }
    return new Result(decision, null);
  }

  /**
   * Asks the coordination whether the scale call may go out, under the same guard and deadline as a
   * plug-in call: a fence that cannot answer in time fences (unsure means not the owner), and so does
   * one that throws.
   *
   * @return null when the call may go out, else why not
   */
  private String fence(BoundPolicy b) {
    CallGuard.Call<Boolean> asked = guard.call(b.timeoutMillis, () -> coordination.mayScale(b.policy.id()));
    if (asked.timedOut()) {
      return "the coordination did not confirm that this member owns the policy within " + b.timeoutMillis + " ms";
    }
    if (!asked.isOk()) {
      return "the coordination could not confirm that this member owns the policy: "
          + PluginResolver.message(asked.error());
    }
    return Boolean.TRUE.equals(asked.value()) ? null : "this member no longer owns the policy";
  }

  /** Saves the next state when the rules changed it (a cooldown, a newly seen target event). */
  private Result saved(PolicyState before, Decided decided) {
    if (!decided.nextState().equals(before)) {
      Throwable e = trySave(decided.decision().policyId(), before, decided.nextState());
      if (e != null) {
        return new Result(decided.decision().failed("could not save the policy's state: "
            + PluginResolver.message(e)), e);
      }
    }
    return new Result(decided.decision(), null);
  }

  /** {@code next} with the last action, cooldown and intent flag of {@code before}. */
  private static PolicyState withoutIntent(PolicyState next, PolicyState before) {
    return new PolicyState(before.lastAction(), before.cooldownUntil(), before.unconfirmed(), before.knownEvent(),
        next.override(), next.fallbacks(), next.behavior());
  }

  private Throwable trySave(String policyId, PolicyState started, PolicyState state) {
    try {
      save(policyId, started, state);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  static Result failed(ScalingPolicy policy, Instant now, String why, Throwable error) {
    return new Result(Decider.failed(policy, now, OptionalLong.empty(), List.of(), why), error);
  }
}
