package dev.capstan.engine;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An operator's override of one policy (issue 20): pause scale-in, scale-out or both, or hold the group
 * at a count, optionally until an instant, with a reason and an author. It lives in the policy's
 * {@link PolicyState}, so it survives restarts and moves with the policy under HA; set it with
 * {@link Autoscaler#override(String, OperatorOverride)}. The first evaluation at or after {@link #until()}
 * removes it (and logs that it did).
 *
 * <p>Named {@code OperatorOverride}, not {@code Override}, so it never shadows {@link java.lang.Override}
 * in this package.
 *
 * @param kind what the override does
 * @param count the count to hold at, for {@link Kind#HOLD} only
 * @param until when the override ends by itself; empty for one that lasts until it is cleared
 * @param reason why it was set (free text, may be empty)
 * @param author who set it (free text, may be empty)
 * @param setAt when it was set ({@link Autoscaler#override} stamps it with the engine's clock)
 */
public record OperatorOverride(Kind kind, OptionalLong count, Optional<Instant> until, String reason, String author,
    Instant setAt) {

  /** What an override does. */
  public enum Kind {
    /** No scale-in: a decision to lower the count ends {@link Outcome#OVERRIDDEN}; scale-out goes on. */
    PAUSE_SCALE_IN,
    /** No scale-out: a decision to raise the count ends {@link Outcome#OVERRIDDEN}; scale-in goes on. */
    PAUSE_SCALE_OUT,
    /** Nothing is queried or scaled: every evaluation ends {@link Outcome#OVERRIDDEN}. */
    PAUSE,
    /** The group is moved to {@link #count()} (clamped to the policy's bounds) and kept there, whatever the checks say. */
    HOLD;

    /**
     * Returns the JSON and command-line spelling, e.g. {@code pause_scale_in}.
     *
     * @return the lower-case name
     */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks the fields.
   *
   * @param kind what the override does
   * @param count the count to hold at, for {@link Kind#HOLD} only
   * @param until when the override ends by itself, if it does
   * @param reason why it was set
   * @param author who set it
   * @param setAt when it was set
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code count} is missing or negative for a hold, or given for a pause
   */
  public OperatorOverride {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(count, "count");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(setAt, "setAt");
    if (kind == Kind.HOLD && (count.isEmpty() || count.getAsLong() < 0)) {
      throw new IllegalArgumentException("count was '" + (count.isPresent() ? count.getAsLong() : "")
          + "' but it must be a count of at least 0 to hold at");
    }
    if (kind != Kind.HOLD && count.isPresent()) {
      throw new IllegalArgumentException("count was '" + count.getAsLong() + "' but it must only be given to hold");
    }
  }

  /**
   * Returns an override pausing scale-in, with no expiry, reason or author.
   *
   * @return the override
   */
  public static OperatorOverride pauseScaleIn() {
    return of(Kind.PAUSE_SCALE_IN);
  }

  /**
   * Returns an override pausing scale-out, with no expiry, reason or author.
   *
   * @return the override
   */
  public static OperatorOverride pauseScaleOut() {
    return of(Kind.PAUSE_SCALE_OUT);
  }

  /**
   * Returns an override pausing the policy altogether, with no expiry, reason or author.
   *
   * @return the override
   */
  public static OperatorOverride pause() {
    return of(Kind.PAUSE);
  }

  /**
   * Returns an override holding the group at {@code count}, with no expiry, reason or author.
   *
   * @param count the count, at least 0
   * @return the override
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public static OperatorOverride hold(long count) {
    return new OperatorOverride(Kind.HOLD, OptionalLong.of(count), Optional.empty(), "", "", Instant.EPOCH);
  }

  /**
   * Returns an override of a pause kind (every kind but {@link Kind#HOLD}).
   *
   * @param kind the kind
   * @return the override
   * @throws IllegalArgumentException for {@link Kind#HOLD}, which needs a count
   */
  public static OperatorOverride of(Kind kind) {
    return new OperatorOverride(kind, OptionalLong.empty(), Optional.empty(), "", "", Instant.EPOCH);
  }

  /**
   * Returns this override ending at {@code until}.
   *
   * @param until the instant it ends
   * @return a copy
   */
  public OperatorOverride endingAt(Instant until) {
    return new OperatorOverride(kind, count, Optional.of(until), reason, author, setAt);
  }

  /**
   * Returns this override with a reason.
   *
   * @param reason why it is set
   * @return a copy
   */
  public OperatorOverride withReason(String reason) {
    return new OperatorOverride(kind, count, until, reason, author, setAt);
  }

  /**
   * Returns this override with an author.
   *
   * @param author who sets it
   * @return a copy
   */
  public OperatorOverride withAuthor(String author) {
    return new OperatorOverride(kind, count, until, reason, author, setAt);
  }

  /**
   * Returns this override stamped with the time it was set.
   *
   * @param setAt when it was set
   * @return a copy
   */
  public OperatorOverride withSetAt(Instant setAt) {
    return new OperatorOverride(kind, count, until, reason, author, setAt);
  }

  /**
   * Returns whether the override has ended at {@code now}: it has an end and {@code now} is not before it.
   *
   * @param now the time
   * @return whether it has expired
   */
  public boolean expiredAt(Instant now) {
    return until.isPresent() && !now.isBefore(until.get());
  }

  /**
   * Describes the override for reasons and logs, e.g.
   * {@code override pause_scale_in by alice until 2024-05-01T10:00:00Z: incident 42}.
   *
   * @return the description
   */
  public String describe() {
    return "override " + kind.jsonName() + (kind == Kind.HOLD ? " at " + count.getAsLong() : "")
        + (author.isEmpty() ? "" : " by " + author) + until.map(u -> " until " + u).orElse("")
        + (reason.isEmpty() ? "" : ": " + reason);
  }
}
