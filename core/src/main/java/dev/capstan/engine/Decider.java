package dev.capstan.engine;

import dev.capstan.policy.OnError;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.Direction;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The engine's pure decision function: from a policy, its state, its checks' results and the target's
 * status, decide what to do, following nomad-autoscaler's rules plus one of Kubernetes' HPA.
 *
 * <p>The rules, in the order they apply:
 * <ol>
 *   <li>Outside the policy's {@link ScalingPolicy#schedule() schedule} nothing happens
 *       ({@link Outcome#SKIPPED_SCHEDULE}).
 *   <li>A target that is not ready is skipped ({@link Outcome#SKIPPED_NOT_READY}).
 *   <li>Inside the cooldown nothing happens ({@link Outcome#SKIPPED_COOLDOWN}). The cooldown ends at
 *       {@link PolicyState#cooldownUntil()} or, when the target reports its last activity under
 *       {@link TargetStatus#META_LAST_EVENT}, at that time plus the policy's cooldown, whichever is later.
 *   <li>A failed check whose {@code on_error} is {@code fail} fails the evaluation ({@link Outcome#FAILED});
 *       other failed checks are dropped.
 *   <li>Within a check group, NONE votes are ignored unless every vote is NONE. Across groups (a check
 *       without a group is a group of its own), UP beats NONE beats DOWN; of two UPs or two DOWNs the
 *       higher count wins.
 *   <li>When any check failed, a DOWN is suppressed: a broken metric must not shrink a group.
 *   <li>The count is clamped to {@code [min, max]}, even when no check voted; the original count is
 *       kept in the action's meta under {@link ScalingDecision#META_CAPPED_FROM}.
 *   <li>No change in count gives {@link Outcome#NO_CHANGE}; otherwise {@link Outcome#DRY_RUN} in dry-run,
 *       else {@link Outcome#SCALED}, meaning the action is to be applied.
 * </ol>
 * Every step that shaped the result adds a line to {@link ScalingDecision#reasons()}. The count may be
 * 0 at any point: strategies can scale a group up from nothing.
 */
public final class Decider {
  private Decider() {}

  /**
   * Decides what one evaluation does.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param checks the results of the policy's checks, in policy order; may be empty when the caller
   *     knows (from {@link #skip}) that the evaluation is skipped
   * @param status the target's status
   * @param now the evaluation's time
   * @param dryRun whether actions are only reported
   * @return the decision, never {@code null}
   */
  public static ScalingDecision decide(ScalingPolicy policy, PolicyState state, List<CheckResult> checks,
      TargetStatus status, Instant now, boolean dryRun) {
    Optional<ScalingDecision> skipped = skip(policy, state, status, now);
    if (skipped.isPresent()) {
      return skipped.get();
    }
    long current = status.count();
    List<String> reasons = new ArrayList<>(checks.size() + 4);
    boolean anyFailed = false;
    CheckResult winner = null;
    // Grouped checks wait here (in policy order) until every member voted; most policies have none.
    Map<String, List<CheckResult>> groups = null;
    for (CheckResult check : checks) {
      if (check.isFailed()) {
        String failure = "check '" + check.name() + "' failed in " + check.failedPlugin().orElse("the engine")
            + ": " + check.error().orElse("");
        if (check.onError() == OnError.FAIL) {
          reasons.add(failure + " (on_error is fail)");
          return result(policy, now, current, checks, Optional.empty(), reasons, Outcome.FAILED,
              Optional.of(failure));
        }
        reasons.add(failure + " (ignored)");
        anyFailed = true;
        continue;
      }
      long wanted = check.desiredCount().getAsLong();
      reasons.add("check '" + check.name() + "' wants " + wanted
          + (wanted > current ? " (up from " : wanted < current ? " (down from " : " (no change from ") + current + ")");
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

    long desired = current;
    String winnerName = null;
    if (winner == null) {
      reasons.add(checks.isEmpty() ? "no checks ran" : "no check produced a count");
    } else {
      desired = winner.desiredCount().getAsLong();
      winnerName = winner.name();
      if (checks.size() > 1) {
        reasons.add("check '" + winnerName + "' wins with " + desired + " (UP > NONE > DOWN, higher count on ties)");
      }
      if (desired < current && anyFailed) {
        reasons.add("scale-down to " + desired + " suppressed because a check failed");
        desired = current;
      }
    }

    long clamped = Math.max(policy.min(), Math.min(policy.max(), desired));
    if (clamped != desired) {
      reasons.add("count " + desired + " capped to " + (desired > clamped ? "max " : "min ") + clamped);
    }
    Direction direction = Direction.of(current, clamped);
    if (direction == Direction.NONE) {
      reasons.add("no change: count stays " + current);
      return result(policy, now, current, checks, Optional.empty(), reasons, Outcome.NO_CHANGE, Optional.empty());
    }
    Map<String, String> meta = new HashMap<>(4);
    if (clamped != desired) {
      meta.put(ScalingDecision.META_CAPPED_FROM, Long.toString(desired));
    }
    if (winnerName != null) {
      meta.put(ScalingDecision.META_CHECK, winnerName);
    }
    String summary = (direction == Direction.UP ? "scale up from " : "scale down from ") + current + " to " + clamped;
    reasons.add(dryRun ? summary + " (dry-run: the target is left untouched)" : summary);
    ScalingAction action = new ScalingAction(clamped, direction, String.join("; ", reasons), meta, dryRun);
    return result(policy, now, current, checks, Optional.of(action), reasons,
        dryRun ? Outcome.DRY_RUN : Outcome.SCALED, Optional.empty());
  }

  /**
   * Returns the skip decision when the policy's schedule is closed, the target is not ready or the policy
   * is in cooldown, so a loop can avoid querying metrics it would ignore.
   *
   * @param policy the policy
   * @param state the policy's state
   * @param status the target's status
   * @param now the evaluation's time
   * @return the {@link Outcome#SKIPPED_SCHEDULE}, {@link Outcome#SKIPPED_NOT_READY} or
   *     {@link Outcome#SKIPPED_COOLDOWN} decision, or empty
   */
  public static Optional<ScalingDecision> skip(ScalingPolicy policy, PolicyState state, TargetStatus status,
      Instant now) {
    // A policy without a schedule pays one field read; Optional.isPresent allocates nothing.
    if (policy.schedule().isPresent() && !policy.schedule().get().contains(now)) {
      return Optional.of(result(policy, now, status.count(), List.of(), Optional.empty(),
          List.of("outside the policy's schedule (" + policy.schedule().get() + ")"), Outcome.SKIPPED_SCHEDULE,
          Optional.empty()));
    }
    if (!status.ready()) {
      String why = status.meta().getOrDefault(TargetStatus.META_NOT_READY_REASON, "no reason given");
      return Optional.of(result(policy, now, status.count(), List.of(), Optional.empty(),
          List.of("target not ready: " + why), Outcome.SKIPPED_NOT_READY, Optional.empty()));
    }
    Instant until = state.cooldownUntil();
    String cause = null;
    String lastEvent = status.meta().get(TargetStatus.META_LAST_EVENT);
    if (lastEvent != null) {
      try {
        Instant event = Instant.ofEpochMilli(Long.parseLong(lastEvent));
        if (event.plus(policy.cooldown()).isAfter(until)) {
          until = event.plus(policy.cooldown());
          cause = "after the target's last activity at " + event;
        }
      } catch (NumberFormatException | java.time.DateTimeException e) {
        // A target reporting garbage must not block scaling; the stored cooldown still applies.
      }
    }
    if (now.isBefore(until)) {
      if (cause == null) {
        cause = state.lastAction()
            .map(a -> "after scaling " + a.direction().name().toLowerCase(java.util.Locale.ROOT) + " to " + a.count()
                + " at " + a.at())
            .orElse("from the stored state");
      }
      return Optional.of(result(policy, now, status.count(), List.of(), Optional.empty(),
          List.of("in cooldown until " + until + " (" + Duration.between(now, until).toMillis() + " ms left) " + cause),
          Outcome.SKIPPED_COOLDOWN, Optional.empty()));
    }
    return Optional.empty();
  }

  /**
   * Returns the policy's state after {@code decision} was applied: the last action and a cooldown of
   * {@code cooldown_on_scale_up} after an UP, {@code cooldown} after a DOWN.
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
    ScalingAction action = decision.action().get();
    Duration cooldown = action.direction() == Direction.UP ? policy.cooldownOnScaleUp() : policy.cooldown();
    return new PolicyState(Optional.of(new PolicyState.LastAction(action.count(), action.direction(), decision.time())),
        decision.time().plus(cooldown));
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

  private static ScalingDecision result(ScalingPolicy policy, Instant now, long current, List<CheckResult> checks,
      Optional<ScalingAction> action, List<String> reasons, Outcome outcome, Optional<String> error) {
    return new ScalingDecision(policy.id(), policy.name(), now, OptionalLong.of(current), checks, action, reasons,
        outcome, error);
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
