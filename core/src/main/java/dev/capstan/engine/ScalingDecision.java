package dev.capstan.engine;

import dev.capstan.spi.ScalingAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One evaluation of one policy, explained: its inputs, the action chosen, why, and what came of it.
 * This is the embedder's audit trail; listeners receive one per evaluation.
 *
 * @param policyId the policy's id
 * @param policyName the policy's name
 * @param time when the evaluation ran (the clock's instant at its start)
 * @param currentCount the target's count, when it could be read
 * @param checks one result per check that ran, in policy order; empty when the evaluation was skipped
 *     before querying
 * @param action the action chosen (for {@link Outcome#SCALED}, {@link Outcome#DRY_RUN}, and a
 *     {@link Outcome#FAILED} whose target call failed); empty otherwise
 * @param reasons every step of the decision in order, including each suppression
 * @param outcome what came of it
 * @param error what failed, for {@link Outcome#FAILED}
 */
public record ScalingDecision(String policyId, String policyName, Instant time, OptionalLong currentCount,
    List<CheckResult> checks, Optional<ScalingAction> action, List<String> reasons, Outcome outcome,
    Optional<String> error) {

  /** Action meta key: the count the checks wanted before it was clamped to {@code [min, max]}. */
  public static final String META_CAPPED_FROM = "capstan.capped_from";

  /**
   * Action meta key: the scale-in target before the projection rule
   * ({@code behavior.scale_down.projection}) raised it, when it did.
   */
  public static final String META_PROJECTED_FROM = "capstan.projected_from";
  /** Action meta key: the check whose vote won. */
  public static final String META_CHECK = "capstan.check";

  /** Action meta key: the kind of the operator's {@link OperatorOverride} in force when the action was decided. */
  public static final String META_OVERRIDE = "capstan.override";

  /** Action meta key: the checks (comma-separated) that voted their {@code fallback} instead of failing. */
  public static final String META_FALLBACK = "capstan.fallback";

  /**
   * Checks for nulls and copies the lists.
   *
   * @param policyId the policy's id
   * @param policyName the policy's name
   * @param time when the evaluation ran (the clock's instant at its start)
   * @param currentCount the target's count, when it could be read
   * @param checks one result per check that ran, in policy order; empty when the evaluation was skipped before querying
   * @param action the action chosen (for {@link Outcome#SCALED}, {@link Outcome#DRY_RUN}, and a {@link Outcome#FAILED} whose target call failed); empty otherwise
   * @param reasons every step of the decision in order, including each suppression
   * @param outcome what came of it
   * @param error what failed, for {@link Outcome#FAILED}
   * @throws NullPointerException if a field is null
   */
  public ScalingDecision {
    Objects.requireNonNull(policyId, "policyId");
    Objects.requireNonNull(policyName, "policyName");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(currentCount, "currentCount");
    checks = List.copyOf(checks);
    Objects.requireNonNull(action, "action");
    reasons = List.copyOf(reasons);
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(error, "error");
  }

  /**
   * Returns a copy whose outcome is {@link Outcome#FAILED}, keeping the action that was attempted.
   *
   * @param why what failed, naming the plug-in
   * @return the failed decision, with {@code why} appended to the reasons
   */
  public ScalingDecision failed(String why) {
    List<String> more = new ArrayList<>(reasons.size() + 1);
    more.addAll(reasons);
    more.add(why);
    return new ScalingDecision(policyId, policyName, time, currentCount, checks, action, more, Outcome.FAILED,
        Optional.of(why));
  }

  /**
   * Returns the count the action moves to, or the current count when there is no action.
   *
   * @return the desired count; empty when neither is known
   */
  public OptionalLong desiredCount() {
    return action.isPresent() ? OptionalLong.of(action.get().count()) : currentCount;
  }
}
