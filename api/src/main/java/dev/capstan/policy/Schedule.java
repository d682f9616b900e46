package dev.capstan.policy;

import dev.capstan.config.Durations;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When a policy may act: nomad-autoscaler's {@code schedule} block, a recurring window that opens at each
 * firing of the {@code start} cron expression and closes at the next firing of {@code end}, or
 * {@code duration} after it opened.
 *
 * <p>Expressions are strict five-field cron ({@code minute hour day-of-month month day-of-week}) read in
 * {@link #timezone()} (default UTC, as nomad-autoscaler; the time zone is a Capstan extension). A window is
 * open from its start minute (inclusive) to its end minute (exclusive); it may wrap past midnight or a
 * weekend. Times are wall-clock times of the zone, so {@code 0 8 * * *} opens at 08:00 local time on
 * both sides of a daylight-saving change; a {@code duration} is real elapsed time from that opening.
 *
 * <p>With {@code end}, the window is open when the latest start at or before now is later than the
 * latest end at or before now (equal minutes close it), as in nomad-autoscaler. Only the last
 * {@value Cron#HORIZON_DAYS} days are searched, so an expression that last fired before that counts as
 * never having fired.
 */
public final class Schedule {
  /** The time zone used when none is given. */
  public static final ZoneId DEFAULT_TIMEZONE = ZoneId.of("UTC");

  private final String start;
  private final @Nullable String end;
  private final @Nullable Duration duration;
  private final ZoneId timezone;
  private final Cron startCron;
  private final @Nullable Cron endCron;
  private final ZoneRules rules;

  private Schedule(String start, @Nullable String end, @Nullable Duration duration, ZoneId timezone,
      Cron startCron, @Nullable Cron endCron) {
    this.start = start;
    this.end = end;
    this.duration = duration;
    this.timezone = timezone;
    this.startCron = startCron;
    this.endCron = endCron;
    this.rules = timezone.getRules();
  }

  /**
   * Returns a window that opens at each firing of {@code start} and closes at the next firing of {@code end}.
   *
   * @param start a five-field cron expression, e.g. {@code "0 8 * * mon-fri"}
   * @param end a five-field cron expression that fires at other minutes than {@code start}
   * @param timezone the zone both are read in
   * @return the schedule
   * @throws PolicyException naming every problem, as {@code schedule.start was '...' but it ...}
   */
  public static Schedule between(String start, String end, ZoneId timezone) {
    return orThrow(start, Objects.requireNonNull(end, "end"), null, timezone);
  }

  /**
   * Returns a window that opens at each firing of {@code start} and stays open for {@code duration}.
   *
   * @param start a five-field cron expression
   * @param duration a positive duration
   * @param timezone the zone {@code start} is read in
   * @return the schedule
   * @throws PolicyException naming every problem
   */
  public static Schedule lasting(String start, Duration duration, ZoneId timezone) {
    return orThrow(start, null, Objects.requireNonNull(duration, "duration"), timezone);
  }

  private static Schedule orThrow(String start, @Nullable String end, @Nullable Duration duration, ZoneId zone) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(zone, "timezone");
    List<String> problems = new ArrayList<>();
    Schedule schedule = of(start, end, duration, zone.getId(), "", problems);
    if (schedule == null) {
      throw new PolicyException(problems);
    }
    return schedule;
  }

  /**
   * Validates the parts of a schedule block, adding one message per broken rule, each starting with
   * {@code at}; the parser and the factories share it so both say the same.
   */
  static @Nullable Schedule of(@Nullable String start, @Nullable String end, @Nullable Duration duration,
      @Nullable String timezone, String at, List<String> problems) {
    int before = problems.size();
    Cron startCron = null;
    if (start == null) {
      problems.add(at + "schedule.start is required but was missing (a cron expression such as \"0 8 * * mon-fri\")");
    } else {
      startCron = cron(at, "start", start, problems);
    }
    Cron endCron = null;
    if (end != null && duration != null) {
      problems.add(at + "schedule has both end and duration but it needs exactly one of them");
    } else if (end == null && duration == null) {
      problems.add(at + "schedule has neither end nor duration but it needs exactly one of them");
    } else if (end != null) {
      endCron = cron(at, "end", end, problems);
      if (startCron != null && endCron != null && startCron.sameAs(endCron)) {
        problems.add(at + "schedule.end was '" + end + "' but it must fire at other times than start, or the "
            + "window never opens");
      }
    } else if (duration.isNegative() || duration.isZero()) {
      problems.add(at + "schedule.duration was '" + Durations.format(duration) + "' but it must be a positive duration");
    }
    ZoneId zone = DEFAULT_TIMEZONE;
    if (timezone != null) {
      try {
        zone = ZoneId.of(timezone);
      } catch (DateTimeException e) {
        problems.add(at + "schedule.timezone was '" + timezone + "' but it must be a time zone ID such as "
            + "\"Europe/Brussels\" or \"UTC\"");
      }
    }
    if (problems.size() > before || startCron == null) {
      return null;
    }
    return new Schedule(start, end, duration, zone, startCron, endCron);
  }

  private static @Nullable Cron cron(String at, String field, String text, List<String> problems) {
    List<String> why = new ArrayList<>(1);
    Cron cron = Cron.parse(text, why);
    why.forEach(rule -> problems.add(at + "schedule." + field + " was '" + text + "' but " + rule));
    return cron;
  }

  /**
   * Returns whether the window is open at {@code instant}; allocates nothing for {@code end} windows.
   *
   * @param instant the moment
   * @return true from a start (inclusive) to the following end (exclusive)
   */
  public boolean contains(Instant instant) {
    long local = instant.getEpochSecond() + rules.getOffset(instant).getTotalSeconds();
    long minute = Math.floorDiv(local, 60);
    long lastStart = startCron.lastAtOrBefore(minute);
    if (lastStart == Cron.NONE) {
      return false;
    }
    if (endCron != null) {
      long lastEnd = endCron.lastAtOrBefore(minute);
      return lastEnd == Cron.NONE || lastStart > lastEnd;
    }
    Instant opened = LocalDateTime.ofEpochSecond(lastStart * 60, 0, ZoneOffset.UTC).atZone(timezone).toInstant();
    return instant.isBefore(opened.plus(Objects.requireNonNull(duration)));
  }

  /**
   * Returns whether the window can never open: its {@code end} fires at every minute its {@code start}
   * fires, and equal minutes close it (e.g. start {@code "0 8 * * mon"}, end {@code "0 8 * * *"}). An
   * {@code end} equal to {@code start} is refused when the schedule is made; a {@code duration} window
   * always opens.
   *
   * @return true when no instant is inside the window
   */
  public boolean neverOpens() {
    return endCron != null && endCron.firesWhenever(startCron);
  }

  /**
   * Returns the cron expression that opens the window.
   *
   * @return the expression as written
   */
  public String start() {
    return start;
  }

  /**
   * Returns the cron expression that closes the window, when the window is not a fixed duration.
   *
   * @return the expression as written, or empty
   */
  public Optional<String> end() {
    return Optional.ofNullable(end);
  }

  /**
   * Returns how long the window stays open, when it has no end expression.
   *
   * @return the duration, or empty
   */
  public Optional<Duration> duration() {
    return Optional.ofNullable(duration);
  }

  /**
   * Returns the zone the expressions are read in.
   *
   * @return the zone; {@link #DEFAULT_TIMEZONE} unless set
   */
  public ZoneId timezone() {
    return timezone;
  }

  /**
   * Compares the schedules as written: start, end or duration, and zone.
   *
   * @param o another object
   * @return whether it is an equal schedule
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Schedule s && start.equals(s.start) && Objects.equals(end, s.end)
        && Objects.equals(duration, s.duration) && timezone.equals(s.timezone);
  }

  /**
   * Returns a hash consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hash(start, end, duration, timezone);
  }

  /**
   * Describes the window for reasons and logs.
   *
   * @return e.g. {@code start '0 8 * * mon-fri', end '0 20 * * mon-fri', Europe/Brussels}
   */
  @Override
  public String toString() {
    return "start '" + start + "', " + (end != null ? "end '" + end + "'" : "duration "
        + Durations.format(Objects.requireNonNull(duration))) + ", " + timezone.getId();
  }
}
