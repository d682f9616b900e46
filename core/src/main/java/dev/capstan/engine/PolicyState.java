package dev.capstan.engine;

import dev.capstan.spi.Direction;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine remembers about one policy between evaluations (and, with a file-backed
 * {@link StateStore}, between restarts).
 *
 * @param lastAction the last action applied to the target, if any
 * @param cooldownUntil no action is taken before this instant; {@link Instant#EPOCH} when there is no
 *     cooldown
 */
public record PolicyState(Optional<LastAction> lastAction, Instant cooldownUntil) {

  /** The state of a policy that never scaled. */
  public static final PolicyState INITIAL = new PolicyState(Optional.empty(), Instant.EPOCH);

  /**
   * Checks for nulls.
   *
   * @param lastAction the last action applied to the target, if any
   * @param cooldownUntil no action is taken before this instant; {@link Instant#EPOCH} when there is no cooldown
   * @throws NullPointerException if a field is null
   */
  public PolicyState {
    Objects.requireNonNull(lastAction, "lastAction");
    Objects.requireNonNull(cooldownUntil, "cooldownUntil");
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
