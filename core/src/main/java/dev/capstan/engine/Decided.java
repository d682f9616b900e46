package dev.capstan.engine;

import java.util.Objects;

/**
 * What the {@link Decider} returns for one evaluation: the decision and the policy's state after it.
 * The engine saves {@code nextState} whenever it differs from the state it started from; for a
 * {@link Outcome#SCALED} decision it is the intent (marked unconfirmed), saved before the target is
 * called.
 *
 * @param decision the decision
 * @param nextState the policy's state after this evaluation
 */
public record Decided(ScalingDecision decision, PolicyState nextState) {
  /**
   * Checks for nulls.
   *
   * @param decision the decision
   * @param nextState the policy's state after this evaluation
   * @throws NullPointerException if a field is null
   */
  public Decided {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(nextState, "nextState");
  }
}
