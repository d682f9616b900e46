package dev.capstan.engine;

import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.TargetStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Decider}'s verdict once the target's status is known, before any check runs: either the
 * evaluation is skipped (not ready, cooldown), or these checks are to run. The loop runs exactly the
 * checks {@link #runs(int)} names and hands their results to {@link Decider#decide(Plan, java.util.List, boolean)}.
 */
public final class Plan {
  /**
   * {@code runs} of a plan that runs every check (a policy without demand checks), compared by identity:
   * nothing to allocate per plan.
   */
  static final boolean[] ALL = new boolean[0];

  private final ScalingPolicy policy;
  private final PolicyState state;
  private final TargetStatus status;
  private final Instant now;
  private final boolean[] runs;
  private final Decided skipped;
  private final List<String> notes;

  Plan(ScalingPolicy policy, PolicyState state, TargetStatus status, Instant now, boolean[] runs, Decided skipped) {
    this(policy, state, status, now, runs, skipped, List.of());
  }

  Plan(ScalingPolicy policy, PolicyState state, TargetStatus status, Instant now, boolean[] runs, Decided skipped,
      List<String> notes) {
    this.notes = notes;
    this.policy = policy;
    this.state = state;
    this.status = status;
    this.now = now;
    this.runs = runs;
    this.skipped = skipped;
  }

  /**
   * Returns the skip decision, when the evaluation ends here.
   *
   * @return the decision and next state, or empty when checks are to run
   */
  public Optional<Decided> skipped() {
    return Optional.ofNullable(skipped);
  }

  /**
   * Returns whether the policy's check at {@code index} is to run.
   *
   * @param index the check's position in {@link ScalingPolicy#checks()}
   * @return whether to run it; false for every check of a skipped plan
   */
  public boolean runs(int index) {
    return skipped == null && (runs == ALL || runs[index]);
  }

  /** Whether every check of the policy is to run (not skipped, no demand checks). */
  boolean runsAll() {
    return skipped == null && runs == ALL;
  }

  /** Reasons the rules before the checks gave (an expired override), to head the decision's reasons. */
  List<String> notes() {
    return notes;
  }

  /**
   * Returns the policy.
   *
   * @return the policy this plan is for
   */
  public ScalingPolicy policy() {
    return policy;
  }

  /**
   * Returns the state after the rules so far (for example with a newly seen target event).
   *
   * @return the state the decision builds on
   */
  public PolicyState state() {
    return state;
  }

  /**
   * Returns the target's status.
   *
   * @return the status the plan was made from
   */
  public TargetStatus status() {
    return status;
  }

  /**
   * Returns the evaluation's time.
   *
   * @return the instant the plan was made for
   */
  public Instant now() {
    return now;
  }
}
