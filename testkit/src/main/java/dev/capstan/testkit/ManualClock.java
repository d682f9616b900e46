package dev.capstan.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that moves only when a test moves it, so time-based behaviour is tested without
 * sleeping. Thread-safe.
 */
public final class ManualClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /**
   * Creates a clock standing at {@code start}, in UTC.
   *
   * @param start the initial instant
   */
  public ManualClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Creates a clock standing at 2026-01-01T00:00:00Z.
   *
   * @return a new clock
   */
  public static ManualClock startingAtEpochOf2026() {
    return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Moves the clock forward.
   *
   * @param amount how far; must not be negative
   * @return the new instant
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public Instant advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, but amount was " + amount);
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /**
   * Sets the clock to {@code instant}, which may be earlier (to test a clock that jumps back).
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a view of this clock in another zone; both move together. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
