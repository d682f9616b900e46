package dev.capstan.engine;

import dev.capstan.policy.ScalingPolicy;

/**
 * Receives every decision the engine makes. Called on the evaluating thread: keep it quick, and
 * thread-safe. A listener that throws is logged and does not affect the engine or other listeners.
 */
public interface ScalingListener {

  /**
   * Called once per evaluation, whatever its outcome.
   *
   * @param decision the decision, with its inputs and reasons
   */
  void onDecision(ScalingDecision decision);

  /**
   * Called when an evaluation failed because of an exception in a plug-in or the state store, just
   * before {@link #onDecision} receives the {@link Outcome#FAILED} decision. Does nothing by default.
   *
   * @param policy the policy being evaluated
   * @param error what was thrown; a {@link java.util.concurrent.TimeoutException} for a plug-in that hung
   */
  default void onError(ScalingPolicy policy, Throwable error) {}
}
