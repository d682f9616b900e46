package dev.capstan.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a check votes once it has failed {@link #failures()} times in a row (HCL
 * {@code fallback { failures = 3; count = 4 }} or {@code fallback { failures = 3; behavior = "current" }}),
 * after KEDA's {@code fallback}. The engine counts each check's consecutive failures in the policy's
 * state; the fallback vote never outvotes a healthy check that asks for more capacity (see the engine's
 * docs for the exact rule).
 *
 * <p>Immutable and thread-safe.
 */
public final class Fallback {

  /** How the fallback count is computed from the configured {@code count} and the group's current count. */
  public enum Behavior {
    /** The configured count (the default when a count is given). */
    STATIC,
    /** The current count: the check votes "no change". Takes no count. */
    CURRENT,
    /** The higher of the current count and the configured count. */
    CURRENT_IF_HIGHER,
    /** The lower of the current count and the configured count. */
    CURRENT_IF_LOWER;

    /**
     * Returns the HCL spelling, e.g. {@code current_if_higher}.
     *
     * @return the lower-case name
     */
    public String hclName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final int failures;
  private final Behavior behavior;
  private final OptionalLong count;

  private Fallback(int failures, Behavior behavior, OptionalLong count) {
    this.failures = failures;
    this.behavior = behavior;
    this.count = count;
  }

  /**
   * Returns a fallback to a fixed count.
   *
   * @param failures consecutive failures after which the fallback votes, at least 1
   * @param count the count to vote, not negative
   * @return the fallback
   * @throws IllegalArgumentException naming the field, e.g. {@code fallback.failures was '0' but it must be at least 1}
   */
  public static Fallback count(int failures, long count) {
    return of(failures, Behavior.STATIC, OptionalLong.of(count));
  }

  /**
   * Returns a fallback with the given behavior.
   *
   * @param failures consecutive failures after which the fallback votes, at least 1
   * @param behavior how the vote is computed
   * @param count the configured count: required (not negative) for every behavior but
   *     {@link Behavior#CURRENT}, which refuses one
   * @return the fallback
   * @throws IllegalArgumentException naming the field and the rule it breaks
   * @throws NullPointerException if {@code behavior} or {@code count} is null
   */
  public static Fallback of(int failures, Behavior behavior, OptionalLong count) {
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(count, "count");
    if (failures < 1) {
      throw new IllegalArgumentException("fallback.failures was '" + failures + "' but it must be at least 1");
    }
    if (behavior == Behavior.CURRENT && count.isPresent()) {
      throw new IllegalArgumentException("fallback.count was '" + count.getAsLong()
          + "' but it must not be given with behavior \"current\", which votes the current count");
    }
    if (behavior != Behavior.CURRENT && count.isEmpty()) {
      throw new IllegalArgumentException("fallback.count is missing but it must be given with behavior \""
          + behavior.hclName() + "\"");
    }
    if (count.isPresent() && count.getAsLong() < 0) {
      throw new IllegalArgumentException("fallback.count was '" + count.getAsLong() + "' but it must not be negative");
    }
    return new Fallback(failures, behavior, count);
  }

  /**
   * Returns the number of consecutive failures of the check after which it votes the fallback.
   *
   * @return at least 1
   */
  public int failures() {
    return failures;
  }

  /**
   * Returns how the vote is computed.
   *
   * @return the behavior
   */
  public Behavior behavior() {
    return behavior;
  }

  /**
   * Returns the configured count.
   *
   * @return the count; empty for {@link Behavior#CURRENT}
   */
  public OptionalLong count() {
    return count;
  }

  /**
   * Returns the count the check votes while its fallback is active.
   *
   * @param current the group's current count
   * @return the fallback count, not negative
   */
  public long vote(long current) {
    return switch (behavior) {
      case STATIC -> count.getAsLong();
      case CURRENT -> current;
      case CURRENT_IF_HIGHER -> Math.max(current, count.getAsLong());
      case CURRENT_IF_LOWER -> Math.min(current, count.getAsLong());
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fallback f && failures == f.failures && behavior == f.behavior && count.equals(f.count);
  }

  @Override
  public int hashCode() {
    return Objects.hash(failures, behavior, count);
  }

  @Override
  public String toString() {
    return "fallback { failures = " + failures + (count.isPresent() ? "; count = " + count.getAsLong() : "")
        + (behavior == Behavior.STATIC ? "" : "; behavior = \"" + behavior.hclName() + "\"") + " }";
  }
}
