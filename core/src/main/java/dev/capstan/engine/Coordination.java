package dev.capstan.engine;

/**
 * Tells an engine which policies this member of a group of engines owns, so several engines can share
 * one set of policies without two of them scaling the same group (see {@code ha-zookeeper}).
 *
 * <p>The engine asks twice: {@link #owns} on every scheduled tick, before any plug-in is called (a
 * policy this member does not own makes no call at all and is not reported), and {@link #mayScale}
 * right before the target's scale call, after the intent was saved — the fence. A fenced evaluation
 * fails without calling the target. Implementations are thread-safe and {@link #owns} must not block:
 * it runs on the scheduler thread.
 */
public interface Coordination {

  /**
   * Returns the coordination of a lone engine (the default): it owns every policy and is never fenced.
   *
   * @return the coordination that owns everything
   */
  static Coordination ownsEverything() {
    return OwnsEverything.INSTANCE;
  }

  /**
   * Whether this member owns a policy now, from what it knows locally; must not block.
   *
   * @param policyId the policy's id
   * @return true when this member should evaluate the policy
   */
  boolean owns(String policyId);

  /**
   * Whether this member may call the target of a policy now; called right before the scale call and
   * may make a round trip to confirm ownership. The engine runs it under the policy's plug-in timeout
   * (75 % of its interval), interrupting it when overdue: no answer in time, an exception or false all
   * fence the call, and the failed decision says which. The default asks {@link #owns}.
   *
   * @param policyId the policy's id
   * @return true when the scale call may go out
   * @throws RuntimeException when ownership cannot be confirmed; its message goes into the decision
   */
  default boolean mayScale(String policyId) {
    return owns(policyId);
  }

  /** The lone engine's coordination. */
  enum OwnsEverything implements Coordination {
    /** The only instance. */
    INSTANCE;

    @Override
    public boolean owns(String policyId) {
      return true;
    }
  }
}
