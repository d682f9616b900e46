package dev.capstan.engine;

import dev.capstan.spi.Direction;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine remembers about one policy between evaluations (and, with a file-backed
 * {@link StateStore}, between restarts). The {@link Decider} computes the next state on every
 * evaluation; the engine saves it whenever it changed.
 *
 * @param lastAction the last action applied (or being applied) to the target, if any
 * @param cooldownUntil no action is taken before this instant; {@link Instant#EPOCH} when there is no
 *     cooldown
 * @param unconfirmed whether {@code lastAction} is an intent saved before the target was called and
 *     not yet confirmed: a process killed during the call leaves it set, and the next start treats it
 *     as a scale that happened (its cooldown holds), since the target may well have scaled
 * @param knownEvent the latest target activity time ({@link dev.capstan.spi.TargetStatus#META_LAST_EVENT})
 *     already accounted for, either as the result of our own last action or as an out-of-band event
 * @param override the operator's override in force, if any ({@link OperatorOverride})
 * @param fallbacks consecutive failures of the checks that declare a {@code fallback}
 * @param behavior the recommendations and scale events a policy's {@link dev.capstan.policy.Behavior}
 *     needs; {@link BehaviorHistory#EMPTY} for a policy without one
 */
public record PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil, boolean unconfirmed,
    Optional<Instant> knownEvent, Optional<OperatorOverride> override, CheckFallbacks fallbacks,
    BehaviorHistory behavior) {

  /** The state of a policy that never scaled. */
  public static final PolicyState INITIAL = new PolicyState(Optional.empty(), Instant.EPOCH);

  /**
   * Checks for nulls.
   *
   * @param lastAction the last action applied (or being applied) to the target, if any
   * @param cooldownUntil no action is taken before this instant; {@link Instant#EPOCH} when there is no cooldown
   * @param unconfirmed whether {@code lastAction} is an intent not yet confirmed by the target
   * @param knownEvent the latest target activity time already accounted for
   * @param override the operator's override in force, if any
   * @param fallbacks consecutive failures of the checks that declare a fallback
   * @param behavior the history a policy's behaviour needs
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code unconfirmed} is set without a last action
   */
  public PolicyState {
    Objects.requireNonNull(override, "override");
    Objects.requireNonNull(fallbacks, "fallbacks");
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(lastAction, "lastAction");
    Objects.requireNonNull(cooldownUntil, "cooldownUntil");
    Objects.requireNonNull(knownEvent, "knownEvent");
    if (unconfirmed && lastAction.isEmpty()) {
      throw new IllegalArgumentException("an unconfirmed state needs the action it intends");
    }
  }

  /**
   * Creates a state with no override and no failing check.
   *
   * @param lastAction the last action applied (or being applied) to the target, if any
   * @param cooldownUntil no action is taken before this instant
   * @param unconfirmed whether {@code lastAction} is an intent not yet confirmed by the target
   * @param knownEvent the latest target activity time already accounted for
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code unconfirmed} is set without a last action
   */
  public PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil, boolean unconfirmed,
      Optional<Instant> knownEvent) {
    this(lastAction, cooldownUntil, unconfirmed, knownEvent, Optional.empty(), CheckFallbacks.NONE, BehaviorHistory.EMPTY);
  }
  /**
   * Creates a state with no behaviour history.
   *
   * @param lastAction the last action applied (or being applied) to the target, if any
   * @param cooldownUntil no action is taken before this instant
   * @param unconfirmed whether {@code lastAction} is an intent not yet confirmed by the target
   * @param knownEvent the latest target activity time already accounted for
   * @param override the operator's override in force, if any
   * @param fallbacks consecutive failures of the checks that declare a fallback
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code unconfirmed} is set without a last action
   */
  public PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil, boolean unconfirmed,
      Optional<Instant> knownEvent, Optional<OperatorOverride> override, CheckFallbacks fallbacks) {
    this(lastAction, cooldownUntil, unconfirmed, knownEvent, override, fallbacks, BehaviorHistory.EMPTY);
  }

  /**
   * Creates a state with no override and no failing check.
   *
   * @param lastAction the last action applied (or being applied) to the target, if any
   * @param cooldownUntil no action is taken before this instant
   * @param unconfirmed whether {@code lastAction} is an intent not yet confirmed by the target
   * @param knownEvent the latest target activity time already accounted for
   * @param behavior the history a policy's behaviour needs
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code unconfirmed} is set without a last action
   */
  public PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil, boolean unconfirmed,
      Optional<Instant> knownEvent, BehaviorHistory behavior) {
    this(lastAction, cooldownUntil, unconfirmed, knownEvent, Optional.empty(), CheckFallbacks.NONE, behavior);
  }

  /**
   * Returns this state with another behaviour history.
   *
   * @param history the recommendations and scale events to keep
   * @return a copy, or this state when the history is the same
   */
  public PolicyState withBehavior(BehaviorHistory history) {
    return history.equals(behavior) ? this
        : new PolicyState(lastAction, cooldownUntil, unconfirmed, knownEvent, override, fallbacks, history);
  }


  /**
   * Creates a confirmed state with no known target event.
   *
   * @param lastAction the last action applied to the target, if any
   * @param cooldownUntil no action is taken before this instant
   * @throws NullPointerException if a field is null
   */
  public PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil) {
    this(lastAction, cooldownUntil, false, Optional.empty());
  }

  /**
   * Returns this state with the intent confirmed: the target answered the scale call.
   *
   * @return a confirmed copy
   */
  public PolicyState confirmed() {
    return unconfirmed ? new PolicyState(lastAction, cooldownUntil, false, knownEvent, override, fallbacks, behavior) : this;
  }

  /**
   * Returns this state with {@code event} recorded as accounted for.
   *
   * @param event the target activity time
   * @return a copy knowing the event
   */
  public PolicyState withKnownEvent(Instant event) {
    return new PolicyState(lastAction, cooldownUntil, unconfirmed, Optional.of(event), override, fallbacks, behavior);
  }

  /**
   * Returns this state with another override (or none).
   *
   * @param override the override in force, or empty
   * @return a copy
   */
  public PolicyState withOverride(Optional<OperatorOverride> override) {
    return new PolicyState(lastAction, cooldownUntil, unconfirmed, knownEvent, override, fallbacks, behavior);
  }

  /**
   * Returns this state with other consecutive-failure counts.
   *
   * @param fallbacks the counts
   * @return a copy, or this when they are equal
   */
  public PolicyState withFallbacks(CheckFallbacks fallbacks) {
    return fallbacks.equals(this.fallbacks) ? this
        : new PolicyState(lastAction, cooldownUntil, unconfirmed, knownEvent, override, fallbacks, behavior);
  }

  /**
   * One applied action.
   *
   * @param count the count the target was moved to
   * @param direction {@link Direction#UP} or {@link Direction#DOWN}
   * @param at when the action was decided
   */
  public record LastAction(long count, Direction direction, Instant at) {
    /**
     * Checks for nulls.
     *
     * @param count the count the target was moved to
     * @param direction {@link Direction#UP} or {@link Direction#DOWN}
     * @param at when the action was decided
     * @throws NullPointerException if a field is null
     */
    public LastAction {
      Objects.requireNonNull(direction, "direction");
      Objects.requireNonNull(at, "at");
    }
  }
}
