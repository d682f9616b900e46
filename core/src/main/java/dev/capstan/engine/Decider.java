package dev.capstan.engine;

import dev.capstan.config.Durations;
import dev.capstan.policy.Behavior;
import dev.capstan.policy.Check;
import dev.capstan.policy.Fallback;
import dev.capstan.policy.OnError;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.Schedule;
import dev.capstan.spi.Direction;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.TargetStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The engine's pure decision function: from a policy, its state, the target's status, its checks'
 * results and the time, decide what to do and what the policy's next state is, following
 * nomad-autoscaler's rules plus one of Kubernetes' HPA. Nothing here calls a plug-in or reads a clock,
 * so the same rules run live, in dry-run, in the simulator and in a backtest.
 *
 * <p>The rules, in the order they apply (each is one method below, in this order):
 * <ol>
 *   <li><b>Schedule</b> ({@link #beforeStatus}): outside the policy's {@link ScalingPolicy#schedule()
 *       schedule} nothing happens ({@link Outcome#SKIPPED_SCHEDULE}) — decided before any plug-in is
 *       called, so a closed window costs no cloud call.
 *   <li><b>Override</b> ({@link OperatorOverride}): an override whose {@code until} has come is removed
 *       from the next state first, with a reason saying so. A {@link OperatorOverride.Kind#PAUSE PAUSE}
 *       ends the evaluation ({@link Outcome#OVERRIDDEN}) before any check runs.
 *   <li><b>Readiness</b>: a target that is not ready is skipped ({@link Outcome#SKIPPED_NOT_READY}).
 *   <li><b>Cooldown</b>: inside {@link PolicyState#cooldownUntil()} nothing happens
 *       ({@link Outcome#SKIPPED_COOLDOWN}). A target activity ({@link TargetStatus#META_LAST_EVENT})
 *       not yet accounted for is either the result of our own last action (the first event at or
 *       after it: no effect) or out-of-band, and then starts {@code cooldown_on_scale_up} from its
 *       time, since its direction is unknown (as nomad-autoscaler does at start). A policy under a
 *       {@link OperatorOverride.Kind#HOLD HOLD} skips this rule and runs no check: the operator's count
 *       is not the checks' to delay.
 *   <li><b>Which checks run</b>: a policy with demand checks is judged by them alone while its group
 *       is empty, and by its other checks alone while it has capacity. A check outside its own
 *       {@link Check#schedule() schedule} does not run (a reason says so), as in nomad-autoscaler; when
 *       no check runs, nothing changes but the clamp.
 *   <li><b>Hold</b>: a held policy moves its group to the held count, clamped to {@code [min, max]}
 *       ({@link Outcome#SCALED}, or {@link Outcome#DRY_RUN}), and ends {@link Outcome#OVERRIDDEN} once the
 *       group is there; a scale starts the cooldown as any other.
 *   <li><b>Fallback</b>: a check with a {@code fallback} that failed (a negative count included) has its
 *       consecutive failures counted in {@link PolicyState#fallbacks()}; a success resets them. From the
 *       {@code failures}-th failure in a row on, it votes its fallback count instead of failing, as a check
 *       of its own (outside any group), and is no longer a failure for fail-fast or the failed-check
 *       guard. The check's result carries that count and whether the fallback votes
 *       ({@link CheckResult#fallback()}). Since merging takes the highest vote, <b>a fallback never takes away capacity a healthy
 *       check asks for</b>: the merged count is never below the one the healthy checks alone give (so a
 *       failing queue check cannot shrink a group its healthy CPU check needs, kedacore/keda #6659). It
 *       can raise it, and it can lower the count only when no healthy check asks for more.
 *   <li><b>Fail-fast</b>: a failed check whose {@code on_error} is {@code fail} fails the evaluation
 *       ({@link Outcome#FAILED}); other failed checks are dropped. A negative count is a failure of
 *       its strategy.
 *   <li><b>Merge</b>: within a check group, NONE votes are ignored unless every vote is NONE. Across
 *       groups (a check without a group is a group of its own), UP beats NONE beats DOWN; of two UPs
 *       or two DOWNs the higher count wins.
 *   <li><b>Failed-check guard</b>: when any check failed, a DOWN is suppressed: a broken metric must
 *       not shrink a group.
 *   <li><b>Behavior</b> (only for a policy with a {@link dev.capstan.policy.Behavior behavior}; exactly
 *       Kubernetes' {@code normalizeDesiredReplicasWithBehaviors}): the first evaluation records the
 *       current count as a recommendation; then every evaluation that got a count from its checks (and
 *       whose guard did not suppress it) records the merged count, and moves the current count only
 *       within the lowest recommendation of the {@code scale_up} window and the highest of the
 *       {@code scale_down} window (entries strictly newer than {@code now - window}, this one included);
 *       then each rate limits the change relative to the count at its period's start ({@code current -
 *       added + removed} by the policy's own scale events strictly newer than {@code now - period}),
 *       {@code select} taking the most or least change, or none. A current count outside
 *       {@code [min, max]} goes to that bound whatever the checks want, as Kubernetes does. The history lives in
 *       {@link PolicyState#behavior()}.
 *   <li><b>Clamp</b> to {@code [min, max]}, even when no check voted; the original count is kept in
 *       the action's meta under {@link ScalingDecision#META_CAPPED_FROM}.
 *   <li><b>Paused direction</b>: under a {@link OperatorOverride.Kind#PAUSE_SCALE_IN PAUSE_SCALE_IN}
 *       override a lower count, under {@link OperatorOverride.Kind#PAUSE_SCALE_OUT PAUSE_SCALE_OUT} a
 *       higher one, ends the evaluation {@link Outcome#OVERRIDDEN} with a reason naming the override.
 *   <li><b>Projection</b> (only with {@code behavior { scale_down { projection = true } }}, Azure's
 *       anti-flap rule): a scale-in from {@code C} to {@code N} that got this far is projected: every
 *       check that read a value is asked again, by its own strategy, what it wants at {@code n}
 *       instances if its latest value were {@code value × C / n} (at {@code n = 0}, {@code value × C}:
 *       the load of nothing is undefined, and a load that stays needs at least one instance). The
 *       scale-in goes to the smallest {@code n} from {@code N} up at which no check wants more than
 *       {@code n}, or does not happen. It runs last, on the move the earlier rules left (stabilization
 *       and rates only ever shrink a scale-in, so it projects what would really be done), and it is a
 *       veto, not a recommendation: the stabilization history keeps the checks' own count. A strategy
 *       that throws or returns a negative count at {@code n} blocks that {@code n}. The original count
 *       is kept in the action's meta under {@link ScalingDecision#META_PROJECTED_FROM}.
 *   <li><b>Dry-run</b>: no change in count gives {@link Outcome#NO_CHANGE}; otherwise
 *       {@link Outcome#DRY_RUN} in dry-run (no cooldown starts), else {@link Outcome#SCALED}: the
 *       next state is the intent (last action, cooldown) marked unconfirmed, to be saved before the
 *       target is called and confirmed after.
 * </ol>
 * Every step that shaped the result adds a line to {@link ScalingDecision#reasons()}; when the
 * decision acts, a check's line carries its strategy's own explanation (always available, built on
 * demand, from {@link CheckResult#explanation()}). The count may be 0 at any point: strategies can scale a
 * group up from nothing.
 */
public final class Decider {
  private Decider() {}

  /**
   * Rule 1, the only one decided before the target is read: the schedule.
   *
   * @param policy the policy
   * @param now the evaluation's time
   * @return the {@link Outcome#SKIPPED_SCHEDULE} decision, or empty when the policy may act now; it
   *     leaves the policy's state as it was
   */
  public static Optional<ScalingDecision> beforeStatus(ScalingPolicy policy, Instant now) {
    // A policy without a schedule pays one field read; Optional.isPresent allocates nothing.
    if (policy.schedule().isPresent() && !policy.schedule().get().contains(now)) {
      ScalingDecision d = new ScalingDecision(policy.id(), policy.name(), now, OptionalLong.empty(), List.of(),
          Optional.empty(), List.of("outside the policy's schedule (" + policy.schedule().get() + ")"),
          Outcome.SKIPPED_SCHEDULE, Optional.empty());
      return Optional.of(d);
    }
    return Optional.empty();
  }

  /**
   * Rules 2 to 5, once the target's status is known: override, readiness, cooldown, which checks run.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param status the target's status
   * @param now the evaluation's time
   * @return a skipped plan, or the checks to run
   */
  public static Plan plan(ScalingPolicy policy, PolicyState state, TargetStatus status, Instant now) {
    Plan overridden = override(policy, state, status, now);
    if (overridden != null && overridden.skipped().isPresent()) {
      return overridden;
    }
    PolicyState live = overridden == null ? state : overridden.state();
    List<String> notes = overridden == null ? List.of() : overridden.notes();
    if (!status.ready()) {
      String why = status.meta().getOrDefault(TargetStatus.META_NOT_READY_REASON, "no reason given");
      return skippedPlan(policy, live, status, now, notes, "target not ready: " + why, Outcome.SKIPPED_NOT_READY);
    }
    if (live.override().isPresent() && live.override().get().kind() == OperatorOverride.Kind.HOLD) {
      return new Plan(policy, live, status, now, new boolean[policy.checks().size()], null, notes);
    }
    PolicyState next = cooldownFromEvent(policy, live, status);
    if (now.isBefore(next.cooldownUntil())) {
      String cause = next.cooldownUntil().equals(live.cooldownUntil())
          ? live.lastAction().map(a -> "after scaling " + a.direction().name().toLowerCase(Locale.ROOT) + " to "
              + a.count() + " at " + a.at() + (live.unconfirmed() ? " (not confirmed by the target)" : ""))
              .orElse("from the stored state")
          : "after an out-of-band target activity at " + next.knownEvent().orElseThrow();
      return skippedPlan(policy, next, status, now, notes, "in cooldown until " + next.cooldownUntil() + " ("
          + Duration.between(now, next.cooldownUntil()).toMillis() + " ms left) " + cause, Outcome.SKIPPED_COOLDOWN);
    }
    boolean[] runs = checksToRun(policy, status.count());
    return new Plan(policy, next, status, now, runs, null, outsideSchedules(policy, runs, now, notes));
  }

  /**
   * Rules 6 to 15: decides from the results of the checks the plan named, without the strategies, so
   * only for a policy that does not project its scale-ins (see {@link #decide(Plan, List, List, boolean)}).
   *
   * @param plan a plan that was not skipped
   * @param checks the results of the checks {@link Plan#runs(int)} named, in policy order
   * @param dryRun whether actions are only reported
   * @return the decision and the policy's next state
   * @throws IllegalArgumentException if the plan was skipped, or the policy projects its scale-ins
   */
  public static Decided decide(Plan plan, List<CheckResult> checks, boolean dryRun) {
    return decide(plan, checks, List.of(), dryRun);
  }

  /**
   * Rules 6 to 15, with the strategies the projection rule asks again.
   *
   * @param plan a plan that was not skipped
   * @param checks the results of the checks {@link Plan#runs(int)} named, in policy order
   * @param strategies one per check of the policy, in policy order (an element may be null for a check
   *     whose strategy could not be created: it always fails); may be empty for a policy without
   *     {@code projection}
   * @param dryRun whether actions are only reported
   * @return the decision and the policy's next state
   * @throws IllegalArgumentException if the plan was skipped, or the policy projects its scale-ins and
   *     {@code strategies} does not hold one per check
   */
  public static Decided decide(Plan plan, List<CheckResult> checks, List<? extends Strategy> strategies,
      boolean dryRun) {
    if (plan.skipped().isPresent()) {
      throw new IllegalArgumentException("the plan was skipped: " + plan.skipped().get().decision().reasons());
    }
    ScalingPolicy policy = plan.policy();
    boolean projects = projects(policy);
    if (projects && strategies.size() != policy.checks().size()) {
      throw new IllegalArgumentException("policy '" + policy.name() + "' projects its scale-ins "
          + "(behavior.scale_down.projection), so the decision needs one strategy per check ("
          + policy.checks().size() + ") but was given " + strategies.size());
    }
    long current = plan.status().count();
    List<String> reasons = new ArrayList<>(checks.size() + 4);
    reasons.addAll(plan.notes());
    Decided held = hold(plan, current, reasons, dryRun);
    if (held != null) {
      return held;
    }
    // Most policies declare no fallback: they skip the copy and the per-check scan of rule 7.
    List<CheckResult> voting = checks;
    PolicyState base = plan.state();
    if (hasFallback(policy)) {
      voting = new ArrayList<>(checks);
      base = base.withFallbacks(fallback(policy, base.fallbacks(), voting, current));
    }
    // Copied only once a negative count has to be replaced by a failure (rule 8): most evaluations keep the list.
    List<CheckResult> results = voting;
    boolean anyFailed = false;
    for (int i = 0; i < voting.size(); i++) {
      CheckResult check = voting.get(i);
      CheckResult result = negativeIsFailure(policy, check);
      if (result != check) {
        results = results == voting ? new ArrayList<>(voting) : results;
        results.set(i, result);
      }
      if (!result.isFailed()) {
        reasons.add(wantsLine(result, current));
        continue;
      }
      String failure = "check '" + result.name() + "' failed in " + result.failedPlugin().orElse("the engine") + ": "
          + result.error().orElse("");
      if (result.onError() == OnError.FAIL) {
        reasons.add(failure + " (on_error is fail)");
        // The decision lists the checks up to the one that failed it.
        return new Decided(decision(plan, current, results.subList(0, i + 1), Optional.empty(), reasons,
            Outcome.FAILED, Optional.of(failure)), base);
      }
      reasons.add(failure + " (ignored)");
      anyFailed = true;
    }
    CheckResult winner = merge(results, current, reasons);
    long desired = winner == null ? current : winner.desiredCount().getAsLong();
    long guarded = failedCheckGuard(desired, current, anyFailed, reasons);
    PolicyState state = base;
    if (policy.behavior().isPresent()) {
      Behaved behaved = behave(policy, policy.behavior().get(), state.behavior(), current, guarded,
          winner != null && guarded == desired, plan.now(), reasons);
      guarded = behaved.count;
      state = state.withBehavior(behaved.history);
    }
    long clamped = clamp(policy, guarded, reasons);
    Decided paused = pausedDirection(plan, state, current, clamped, results, reasons);
    if (paused != null) {
      return paused;
    }
    long count = projects && clamped < current && current <= policy.max()
        ? project(policy, results, strategies, current, clamped, plan.now(), reasons) : clamped;
    return apply(plan, state, current, guarded, clamped, count, winner, results, reasons, dryRun);
  }

  /**
   * Runs every rule in order on results the caller already has (tests, benchmarks, replays); results
   * of checks the plan would not run are left out.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param checks results of the policy's checks, in policy order (by name)
   * @param status the target's status
   * @param now the evaluation's time
   * @param dryRun whether actions are only reported
   * @return the decision and the next state
   * @throws IllegalArgumentException if the policy projects its scale-ins: that rule needs the strategies
   *     ({@link #next(ScalingPolicy, PolicyState, List, List, TargetStatus, Instant, boolean)})
   */
  public static Decided next(ScalingPolicy policy, PolicyState state, List<CheckResult> checks, TargetStatus status,
      Instant now, boolean dryRun) {
    return next(policy, state, checks, List.of(), status, now, dryRun);
  }

  /**
   * Runs every rule in order on results the caller already has, with the strategies the projection
   * rule asks again; results of checks the plan would not run are left out.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param checks results of the policy's checks, in policy order (by name)
   * @param strategies one per check of the policy, in policy order; may be empty for a policy that does
   *     not project its scale-ins
   * @param status the target's status
   * @param now the evaluation's time
   * @param dryRun whether actions are only reported
   * @return the decision and the next state
   * @throws IllegalArgumentException if the policy projects its scale-ins and {@code strategies} does not
   *     hold one per check
   */
  public static Decided next(ScalingPolicy policy, PolicyState state, List<CheckResult> checks,
      List<? extends Strategy> strategies, TargetStatus status, Instant now, boolean dryRun) {
    Optional<ScalingDecision> closed = beforeStatus(policy, now);
    if (closed.isPresent()) {
      return new Decided(closed.get(), state);
    }
    Plan plan = plan(policy, state, status, now);
    if (plan.skipped().isPresent()) {
      return plan.skipped().get();
    }
    List<CheckResult> running = checks;
    if (!plan.runsAll()) {
      running = new ArrayList<>(checks.size());
      for (CheckResult result : checks) {
        int index = indexOf(policy, result.name());
        if (index < 0 || plan.runs(index)) {
          running.add(result);
        }
      }
    }
    return decide(plan, running, strategies, dryRun);
  }

  /**
   * Like {@link #next} but returns the decision alone.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param checks results of the policy's checks, in policy order
   * @param status the target's status
   * @param now the evaluation's time
   * @param dryRun whether actions are only reported
   * @return the decision, never {@code null}
   */
  public static ScalingDecision decide(ScalingPolicy policy, PolicyState state, List<CheckResult> checks,
      TargetStatus status, Instant now, boolean dryRun) {
    return next(policy, state, checks, status, now, dryRun).decision();
  }

  /**
   * Returns the skip decision of rules 1 to 4, if any.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param status the target's status
   * @param now the evaluation's time
   * @return the {@link Outcome#SKIPPED_SCHEDULE}, {@link Outcome#OVERRIDDEN}, {@link Outcome#SKIPPED_NOT_READY}
   *     or {@link Outcome#SKIPPED_COOLDOWN} decision, or empty
   */
  public static Optional<ScalingDecision> skip(ScalingPolicy policy, PolicyState state, TargetStatus status,
      Instant now) {
    Optional<ScalingDecision> closed = beforeStatus(policy, now);
    if (closed.isPresent()) {
      return closed;
    }
    return plan(policy, state, status, now).skipped().map(Decided::decision);
  }

  /**
   * Returns the policy's confirmed state after {@code decision} was applied: the last action and a
   * cooldown of {@code cooldown_on_scale_up} after an UP, {@code cooldown} after a DOWN.
   *
   * @param policy the policy
   * @param state the state before
   * @param decision a decision with an action
   * @return the new state; {@code state} itself when the decision has no action
   */
  public static PolicyState stateAfter(ScalingPolicy policy, PolicyState state, ScalingDecision decision) {
    if (decision.action().isEmpty()) {
      return state;
    }
    return intent(policy, state, decision.currentCount().orElse(decision.action().get().count()),
        decision.action().get(), decision.time()).confirmed();
  }

  /**
   * Returns a failed decision for an evaluation that could not get as far as deciding.
   *
   * @param policy the policy
   * @param now the evaluation's time
   * @param currentCount the target's count, when known
   * @param checks the checks that ran
   * @param why what failed, naming the plug-in
   * @return a {@link Outcome#FAILED} decision
   */
  public static ScalingDecision failed(ScalingPolicy policy, Instant now, OptionalLong currentCount,
      List<CheckResult> checks, String why) {
    return new ScalingDecision(policy.id(), policy.name(), now, currentCount, checks, Optional.empty(), List.of(why),
        Outcome.FAILED, Optional.of(why));
  }

  // Rule 4: a target event we have not accounted for yet.
  private static PolicyState cooldownFromEvent(ScalingPolicy policy, PolicyState state, TargetStatus status) {
    String raw = status.meta().get(TargetStatus.META_LAST_EVENT);
    if (raw == null) {
      return state;
    }
    Instant event;
    try {
      event = Instant.ofEpochMilli(Long.parseLong(raw));
    } catch (NumberFormatException | DateTimeException e) {
      // A target reporting garbage must not block scaling; the stored cooldown still applies.
      return state;
    }
    if (state.knownEvent().isPresent() && !event.isAfter(state.knownEvent().get())) {
      return state;
    }
    Optional<PolicyState.LastAction> last = state.lastAction();
    boolean ours = last.isPresent() && !event.isBefore(last.get().at())
        && (state.knownEvent().isEmpty() || state.knownEvent().get().isBefore(last.get().at()));
    if (ours) {
      return state.withKnownEvent(event);
    }
    Instant until = event.plus(policy.cooldownOnScaleUp());
    Instant cooldown = until.isAfter(state.cooldownUntil()) ? until : state.cooldownUntil();
    return new PolicyState(state.lastAction(), cooldown, state.unconfirmed(), Optional.of(event), state.override(),
        state.fallbacks(), state.behavior());
  }

  // Rule 5: demand checks judge an empty group, the others a group with capacity.
  private static boolean[] checksToRun(ScalingPolicy policy, long current) {
    List<Check> checks = policy.checks();
    boolean hasDemand = false;
    boolean hasSchedule = false;
    for (Check check : checks) {
      hasDemand |= check.demand();
      hasSchedule |= check.schedule().isPresent();
    }
    if (!hasDemand && !hasSchedule) {
      // Every check runs: the shared mask, so the common policy allocates none per evaluation. A check
      // schedule needs a mask of its own, which outsideSchedules may clear.
      return Plan.ALL;
    }
    boolean[] runs = new boolean[checks.size()];
    boolean empty = current == 0;
    for (int i = 0; i < runs.length; i++) {
      runs[i] = !hasDemand || checks.get(i).demand() == empty;
    }
    return runs;
  }

  // Rule 5 (part): a check outside its own schedule does not run; the policy decides on the others.
  private static List<String> outsideSchedules(ScalingPolicy policy, boolean[] runs, Instant now, List<String> notes) {
    List<String> out = notes;
    List<Check> checks = policy.checks();
    for (int i = 0; i < runs.length; i++) {
      Optional<Schedule> schedule = checks.get(i).schedule();
      if (runs[i] && schedule.isPresent() && !schedule.get().contains(now)) {
        runs[i] = false;
        if (out == notes) {
          out = new ArrayList<>(notes);
        }
        out.add("check '" + checks.get(i).name() + "' did not run: outside its schedule (" + schedule.get() + ")");
      }
    }
    return out;
  }

  // Rule 8 (part): a strategy that returns a negative count has failed.
  private static CheckResult negativeIsFailure(ScalingPolicy policy, CheckResult check) {
    if (check.isFailed() || check.desiredCount().getAsLong() >= 0) {
      return check;
    }
    int index = indexOf(policy, check.name());
    String strategy = index < 0 ? "the strategy" : "strategy '" + policy.checks().get(index).strategy().name() + "'";
    return new CheckResult(check.name(), check.group(), check.onError(), check.points(), check.latest(),
        OptionalLong.empty(), Optional.of(strategy),
        Optional.of("returned a negative count (" + check.desiredCount().getAsLong() + ")"));
  }

  // Rule 9.
  private static CheckResult merge(List<CheckResult> results, long current, List<String> reasons) {
    CheckResult winner = null;
    // Grouped checks wait here (in policy order) until every member voted; most policies have none.
    Map<String, List<CheckResult>> groups = null;
    for (CheckResult check : results) {
      if (check.isFailed()) {
        continue;
      }
      if (check.group().isEmpty()) {
        winner = winner == null ? check : better(winner, check, current);
      } else {
        if (groups == null) {
          groups = new LinkedHashMap<>();
        }
        groups.computeIfAbsent(check.group().get(), k -> new ArrayList<>(2)).add(check);
      }
    }
    if (groups != null) {
      for (List<CheckResult> members : groups.values()) {
        CheckResult groupWinner = best(members, current);
        if (members.size() > 1 && direction(groupWinner, current) != Direction.NONE) {
          int ignored = 0;
          for (CheckResult m : members) {
            ignored += direction(m, current) == Direction.NONE ? 1 : 0;
          }
          if (ignored > 0) {
            reasons.add("group '" + groupWinner.group().orElse("") + "': ignored " + ignored
                + " NONE vote(s) because another check in the group wants a change");
          }
        }
        winner = winner == null ? groupWinner : better(winner, groupWinner, current);
      }
    }
    if (winner == null) {
      reasons.add(results.isEmpty() ? "no checks ran" : "no check produced a count");
    } else if (results.size() > 1) {
      reasons.add("check '" + winner.name() + "' wins with " + winner.desiredCount().getAsLong()
          + " (UP > NONE > DOWN, higher count on ties)");
    }
    return winner;
  }

  // Rule 10.
  private static long failedCheckGuard(long desired, long current, boolean anyFailed, List<String> reasons) {
    if (desired < current && anyFailed) {
      reasons.add("scale-down to " + desired + " suppressed because a check failed");
      return current;
    }
    return desired;
  }

  /** What the behaviour rule gives: the count and the history to keep. */
  private record Behaved(long count, BehaviorHistory history) {}

  // Rule 11: Kubernetes' normalizeDesiredReplicasWithBehaviors; the [min, max] bounds are left to the clamp.
  private static Behaved behave(ScalingPolicy policy, Behavior behavior, BehaviorHistory history, long current,
      long desired, boolean recordable, Instant now, List<String> reasons) {
    BehaviorHistory h = history.started(current, now);
    if (current < policy.min() || current > policy.max()) {
      // Kubernetes moves a count outside the bounds to the bound, whatever the checks want.
      long bound = current < policy.min() ? policy.min() : policy.max();
      reasons.add("count " + current + " is outside [" + policy.min() + ", " + policy.max() + "]: it goes to " + bound
          + " before any behavior rule");
      return new Behaved(bound, h);
    }
    if (!recordable) {
      return new Behaved(desired, h);
    }
    // Stabilization (stabilizeRecommendationWithBehaviors): this recommendation counts too.
    Behavior.Rules upRules = behavior.scaleUp();
    Behavior.Rules downRules = behavior.scaleDown();
    Instant upCutoff = now.minus(upRules.stabilizationWindow());
    Instant downCutoff = now.minus(downRules.stabilizationWindow());
    long up = desired;
    long down = desired;
    List<BehaviorHistory.Recommendation> recs = h.recommendations();
    for (int i = 0; i < recs.size(); i++) {
      BehaviorHistory.Recommendation r = recs.get(i);
      if (r.at().isAfter(upCutoff)) {
        up = Math.min(up, r.count());
      }
      if (r.at().isAfter(downCutoff)) {
        down = Math.max(down, r.count());
      }
    }
    long stabilized = Math.min(Math.max(current, up), down);
    h = h.recorded(desired, now, behavior.longestMemory());
    if (stabilized != desired) {
      reasons.add(desired > current
          ? "scale-up stabilized to " + stabilized + ": the lowest recommendation within the "
              + Durations.format(upRules.stabilizationWindow()) + " scale_up window"
          : "scale-down stabilized to " + stabilized + ": the highest recommendation within the "
              + Durations.format(downRules.stabilizationWindow()) + " scale_down window");
    }
    // Rate limits (convertDesiredReplicasWithBehaviorRate).
    if (stabilized > current) {
      Limit limit = rateLimit(upRules, true, current, h, now);
      long allowed = Math.max(limit.count, current);
      if (stabilized > allowed && allowed < policy.max()) {
        reasons.add(limitLine("scale-up", allowed, upRules, limit));
        return new Behaved(allowed, h);
      }
    } else if (stabilized < current) {
      Limit limit = rateLimit(downRules, false, current, h, now);
      long allowed = Math.min(limit.count, current);
      if (stabilized < allowed && allowed > policy.min()) {
        reasons.add(limitLine("scale-down", allowed, downRules, limit));
        return new Behaved(allowed, h);
      }
    }
    return new Behaved(stabilized, h);
  }

  /** A rate limit's count, the rate that set it (-1: disabled) and its period's starting count. */
  private record Limit(long count, int rate, long periodStart) {}

  // calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors, in double precision as Kubernetes.
  private static Limit rateLimit(Behavior.Rules rules, boolean up, long current, BehaviorHistory h, Instant now) {
    if (rules.select() == Behavior.Select.DISABLED) {
      return new Limit(current, -1, current);
    }
    // For a scale-up the most change is the highest limit, for a scale-down the lowest.
    boolean highest = up == (rules.select() == Behavior.Select.MAX);
    long result = highest ? Long.MIN_VALUE : Long.MAX_VALUE;
    int chosen = -1;
    long chosenStart = current;
    for (int i = 0; i < rules.rates().size(); i++) {
      Behavior.Rate rate = rules.rates().get(i);
      Instant cutoff = now.minus(rate.period());
      long start = current - BehaviorHistory.changeAfter(h.scaleUps(), cutoff)
          + BehaviorHistory.changeAfter(h.scaleDowns(), cutoff);
      long proposed;
      if (rate.type() == Behavior.RateType.COUNT) {
        proposed = up ? start + rate.value() : start - rate.value();
      } else {
        proposed = up ? (long) Math.ceil((double) start * (1 + (double) rate.value() / 100))
            : (long) ((double) start * (1 - (double) rate.value() / 100));
      }
      if (highest ? proposed > result : proposed < result) {
        result = proposed;
        chosen = i;
        chosenStart = start;
      }
    }
    return new Limit(result, chosen, chosenStart);
  }

  private static String limitLine(String what, long allowed, Behavior.Rules rules, Limit limit) {
    if (limit.rate < 0) {
      return what + " disabled by select = \"disabled\": count stays " + allowed;
    }
    return what + " limited to " + allowed + " by rate " + rules.rates().get(limit.rate) + " (period start "
        + limit.periodStart + (rules.rates().size() > 1 ? ", select " + rules.select().label() : "") + ")";
  }

  // Rule 12.
  private static long clamp(ScalingPolicy policy, long desired, List<String> reasons) {
    long clamped = Math.max(policy.min(), Math.min(policy.max(), desired));
    if (clamped != desired) {
      reasons.add("count " + desired + " capped to " + (desired > clamped ? "max " : "min ") + clamped);
    }
    return clamped;
  }

  // Rule 13: a paused direction ends the evaluation, naming the override.
  private static Decided pausedDirection(Plan plan, PolicyState base, long current, long clamped,
      List<CheckResult> results, List<String> reasons) {
    if (base.override().isEmpty()) {
      return null;
    }
    OperatorOverride o = base.override().get();
    Direction direction = Direction.of(current, clamped);
    boolean paused = o.kind() == OperatorOverride.Kind.PAUSE_SCALE_IN && direction == Direction.DOWN
        || o.kind() == OperatorOverride.Kind.PAUSE_SCALE_OUT && direction == Direction.UP;
    if (!paused) {
      return null;
    }
    reasons.add((direction == Direction.UP ? "scale-out" : "scale-in") + " from " + current + " to " + clamped
        + " suppressed by " + o.describe());
    return new Decided(decision(plan, current, results, Optional.empty(), reasons, Outcome.OVERRIDDEN,
        Optional.empty()), base);
  }

  private static boolean projects(ScalingPolicy policy) {
    return policy.behavior().isPresent() && policy.behavior().get().scaleDown().projection();
  }

  /**
   * Rule 14: the smallest count from {@code target} up (below {@code current}) at which no check,
   * its latest value projected there, would scale out; {@code current} when there is none.
   */
  private static long project(ScalingPolicy policy, List<CheckResult> results, List<? extends Strategy> strategies,
      long current, long target, Instant now, List<String> reasons) {
    String firstVeto = null;
    String lastVeto = null;
    for (long n = target; n < current; n++) {
      String veto = projectedVeto(policy, results, strategies, current, n, now);
      if (veto == null) {
        reasons.add(n == target
            ? "projection: at " + n + " no check would scale out"
            : "scale-down limited to " + n + " by projection: at " + target + " " + firstVeto + "; at " + n
                + " no check would scale out");
        return n;
      }
      firstVeto = firstVeto == null ? veto : firstVeto;
      lastVeto = veto;
    }
    reasons.add("scale-down to " + target + " cancelled by projection: at " + target + " " + firstVeto
        + (current - 1 > target ? "; at " + (current - 1) + " " + lastVeto : "") + "; count stays " + current);
    return current;
  }

  /** What would scale out at {@code n} once every check's latest value is projected there, or null. */
  private static String projectedVeto(ScalingPolicy policy, List<CheckResult> results,
      List<? extends Strategy> strategies, long current, long n, Instant now) {
    for (CheckResult result : results) {
      if (result.isFailed() || result.latest().isEmpty()) {
        // Failed checks already block a scale-in (rule 10); a fallback vote has no value to project.
        continue;
      }
      int index = indexOf(policy, result.name());
      Strategy strategy = index < 0 ? null : strategies.get(index);
      if (strategy == null) {
        continue;
      }
      double latest = result.latest().getAsDouble();
      double projected = latest * current / Math.max(n, 1);
      long wanted;
      try {
        wanted = strategy.desiredCount(n, MetricSeries.of(now.toEpochMilli(), projected));
      } catch (RuntimeException e) {
        return projectedLine(result, latest, current, n, projected) + " could not be asked: strategy '"
            + policy.checks().get(index).strategy().name() + "' failed: " + PluginResolver.message(e);
      }
      if (wanted < 0) {
        return projectedLine(result, latest, current, n, projected) + " could not be asked: strategy '"
            + policy.checks().get(index).strategy().name() + "' returned a negative count (" + wanted + ")";
      }
      if (wanted > n) {
        return projectedLine(result, latest, current, n, projected) + " would want " + wanted;
      }
    }
    return null;
  }

  /** E.g. {@code check 'cpu' (30 × 10 / 4 = 75)}; formatted only for a check that vetoes. */
  private static String projectedLine(CheckResult result, double latest, long current, long n, double projected) {
    return "check '" + result.name() + "' (" + number(latest) + " × " + current + " / " + Math.max(n, 1) + " = "
        + number(projected) + ")";
  }

  /** A metric value for reasons: at most two decimals, no trailing zeros. */
  private static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }

  // Rule 15.
  private static Decided apply(Plan plan, PolicyState base, long current, long desired, long clamped,
      long count, CheckResult winner, List<CheckResult> results, List<String> reasons, boolean dryRun) {
    Direction direction = Direction.of(current, count);
    if (direction == Direction.NONE) {
      reasons.add("no change: count stays " + current);
      return new Decided(decision(plan, current, results, Optional.empty(), reasons, Outcome.NO_CHANGE,
          Optional.empty()), base);
    }
    Map<String, String> meta = new HashMap<>(4);
    if (clamped != desired) {
      meta.put(ScalingDecision.META_CAPPED_FROM, Long.toString(desired));
    }
    if (count != clamped) {
      meta.put(ScalingDecision.META_PROJECTED_FROM, Long.toString(clamped));
    }
    if (winner != null) {
      meta.put(ScalingDecision.META_CHECK, winner.name());
    }
    base.override().ifPresent(o -> meta.put(ScalingDecision.META_OVERRIDE, o.kind().jsonName()));
    String fallbacks = activeFallbacks(plan.policy(), base.fallbacks());
    if (!fallbacks.isEmpty()) {
      meta.put(ScalingDecision.META_FALLBACK, fallbacks);
    }
    explainVotes(results, current, reasons);
    String summary = (direction == Direction.UP ? "scale up from " : "scale down from ") + current + " to " + count;
    reasons.add(dryRun ? summary + " (dry-run: the target is left untouched)" : summary);
    ScalingAction action = new ScalingAction(count, direction, String.join("; ", reasons), meta, dryRun);
    ScalingDecision d = decision(plan, current, results, Optional.of(action), reasons,
        dryRun ? Outcome.DRY_RUN : Outcome.SCALED, Optional.empty());
    return new Decided(d, dryRun ? base : intent(plan.policy(), base, current, action, plan.now()));
  }

  // Rule 2: an expired override is removed (with a note); a full pause ends the evaluation here.
  private static Plan override(ScalingPolicy policy, PolicyState state, TargetStatus status, Instant now) {
    if (state.override().isEmpty()) {
      return null;
    }
    OperatorOverride o = state.override().get();
    if (o.expiredAt(now)) {
      return new Plan(policy, state.withOverride(Optional.empty()), status, now, new boolean[0], null,
          List.of(o.describe() + " expired at " + o.until().orElseThrow() + "; removed"));
    }
    if (o.kind() == OperatorOverride.Kind.PAUSE) {
      return skippedPlan(policy, state, status, now, List.of(), "paused by " + o.describe(), Outcome.OVERRIDDEN);
    }
    return null;
  }

  // Rule 6: a hold moves the group to the held count; no check ran.
  private static Decided hold(Plan plan, long current, List<String> reasons, boolean dryRun) {
    Optional<OperatorOverride> o = plan.state().override();
    if (o.isEmpty() || o.get().kind() != OperatorOverride.Kind.HOLD) {
      return null;
    }
    long held = o.get().count().getAsLong();
    reasons.add("held at " + held + " by " + o.get().describe());
    long clamped = clamp(plan.policy(), held, reasons);
    if (clamped == current) {
      reasons.add("no change: count stays " + current);
      return new Decided(decision(plan, current, List.of(), Optional.empty(), reasons, Outcome.OVERRIDDEN,
          Optional.empty()), plan.state());
    }
    return apply(plan, plan.state(), current, held, clamped, clamped, null, List.of(), reasons, dryRun);
  }

  private static boolean hasFallback(ScalingPolicy policy) {
    for (Check check : policy.checks()) {
      if (check.fallback().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Rule 7: counts consecutive failures of the checks with a fallback and, in {@code checks}, replaces
   * the result of each that reached its {@code failures} by its fallback vote (outside any group).
   */
  private static CheckFallbacks fallback(ScalingPolicy policy, CheckFallbacks counts, List<CheckResult> checks,
      long current) {
    CheckFallbacks next = counts;
    for (int i = 0; i < checks.size(); i++) {
      CheckResult result = negativeIsFailure(policy, checks.get(i));
      int index = indexOf(policy, result.name());
      if (index < 0 || policy.checks().get(index).fallback().isEmpty()) {
        continue;
      }
      Fallback fallback = policy.checks().get(index).fallback().get();
      if (!result.isFailed()) {
        next = next.with(result.name(), 0);
        continue;
      }
      int before = next.of(result.name());
      int failures = before == Integer.MAX_VALUE ? before : before + 1;
      next = next.with(result.name(), failures);
      String last = result.failedPlugin().orElse("the engine") + " " + result.error().orElse("");
      FallbackStatus status = new FallbackStatus(failures, fallback.failures(), fallback.behavior(), last);
      if (status.active()) {
        long vote = fallback.vote(current);
        String why = "fallback " + fallback.behavior().hclName() + " after " + failures + " consecutive failures ("
            + fallback.failures() + " needed); last: " + last;
        checks.set(i, new CheckResult(result.name(), Optional.empty(), result.onError(), result.points(),
            result.latest(), OptionalLong.of(vote), result.failedPlugin(), Optional.empty(), Explanation.of(() -> why),
            Optional.of(status)));
      } else {
        checks.set(i, new CheckResult(result.name(), result.group(), result.onError(), result.points(),
            result.latest(), result.desiredCount(), result.failedPlugin(), result.error(), result.explanation(),
            Optional.of(status)));
      }
    }
    return next;
  }

  /** The checks whose fallback is voting under {@code counts}, comma-separated, in policy order. */
  private static String activeFallbacks(ScalingPolicy policy, CheckFallbacks counts) {
    if (counts.failures().isEmpty()) {
      return "";
    }
    StringBuilder names = new StringBuilder();
    for (Check check : policy.checks()) {
      if (check.fallback().isPresent() && counts.of(check.name()) >= check.fallback().get().failures()) {
        names.append(names.length() == 0 ? "" : ",").append(check.name());
      }
    }
    return names.toString();
  }

  private static PolicyState intent(ScalingPolicy policy, PolicyState state, long current, ScalingAction action,
      Instant at) {
    Duration cooldown = action.direction() == Direction.UP ? policy.cooldownOnScaleUp() : policy.cooldown();
    // Kubernetes' storeScaleEvent: only a policy with a behaviour keeps its scale events.
    BehaviorHistory history = policy.behavior().isEmpty() ? state.behavior()
        : state.behavior().scaled(current, action.count(), at, policy.behavior().get().longestPeriod());
    return new PolicyState(Optional.of(new PolicyState.LastAction(action.count(), action.direction(), at)),
        at.plus(cooldown), true, state.knownEvent(), state.override(), state.fallbacks(), history);
  }

  private static String wantsLine(CheckResult check, long current) {
    long wanted = check.desiredCount().getAsLong();
    return "check '" + check.name() + "' wants " + wanted
        + (wanted > current ? " (up from " : wanted < current ? " (down from " : " (no change from ") + current + ")";
  }

  /**
   * Adds each strategy's own explanation to its check's line, for a decision that acts. Only then:
   * building the text formats numbers, and most evaluations change nothing (the explanation stays
   * readable, built on demand, from {@link CheckResult#explanation()}).
   */
  private static void explainVotes(List<CheckResult> results, long current, List<String> reasons) {
    for (CheckResult result : results) {
      if (result.isFailed()) {
        continue;
      }
      String why = result.explanation().text();
      int line = why.isEmpty() ? -1 : reasons.indexOf(wantsLine(result, current));
      if (line >= 0) {
        reasons.set(line, reasons.get(line) + ": " + why);
      }
    }
  }

  private static Plan skippedPlan(ScalingPolicy policy, PolicyState state, TargetStatus status, Instant now,
      List<String> notes, String reason, Outcome outcome) {
    List<String> reasons = new ArrayList<>(notes.size() + 1);
    reasons.addAll(notes);
    reasons.add(reason);
    ScalingDecision d = new ScalingDecision(policy.id(), policy.name(), now, OptionalLong.of(status.count()),
        List.of(), Optional.empty(), reasons, outcome, Optional.empty());
    return new Plan(policy, state, status, now, new boolean[0], new Decided(d, state));
  }

  private static ScalingDecision decision(Plan plan, long current, List<CheckResult> checks,
      Optional<ScalingAction> action, List<String> reasons, Outcome outcome, Optional<String> error) {
    return new ScalingDecision(plan.policy().id(), plan.policy().name(), plan.now(), OptionalLong.of(current), checks,
        action, reasons, outcome, error);
  }

  private static int indexOf(ScalingPolicy policy, String checkName) {
    List<Check> checks = policy.checks();
    for (int i = 0; i < checks.size(); i++) {
      if (checks.get(i).name().equals(checkName)) {
        return i;
      }
    }
    return -1;
  }

  /** Picks the winning vote; inside a group NONE votes only count when every vote is NONE. */
  private static CheckResult best(List<CheckResult> votes, long current) {
    CheckResult winner = null;
    for (CheckResult vote : votes) {
      if (direction(vote, current) == Direction.NONE && votes.size() > 1) {
        continue;
      }
      winner = winner == null ? vote : better(winner, vote, current);
    }
    return winner != null ? winner : votes.get(0);
  }

  /** UP > NONE > DOWN; for the same direction the higher count (the safer choice) wins; ties keep the first. */
  private static CheckResult better(CheckResult a, CheckResult b, long current) {
    int ra = rank(direction(a, current));
    int rb = rank(direction(b, current));
    if (ra != rb) {
      return ra > rb ? a : b;
    }
    return b.desiredCount().getAsLong() > a.desiredCount().getAsLong() ? b : a;
  }

  private static int rank(Direction d) {
    return switch (d) {
      case UP -> 2;
      case NONE -> 1;
      case DOWN -> 0;
    };
  }

  private static Direction direction(CheckResult vote, long current) {
    return Direction.of(current, vote.desiredCount().getAsLong());
  }
}
