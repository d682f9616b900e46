package dev.capstan.policy;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A strict five-field cron expression ({@code minute hour day-of-month month day-of-week}), as
 * nomad-autoscaler's {@code schedule} block takes it, evaluated on wall-clock minutes counted from the
 * local epoch.
 *
 * <p>Fields take a star, numbers, ranges {@code a-b}, steps ({@code a-b/n}, or a star followed by
 * {@code /n}), lists {@code a,b}, and English names ({@code jan}, {@code mon}); day-of-week 0 and 7 are Sunday. When both
 * day fields are restricted a day matches either one, as in every cron since Vixie's. Each field is a bit
 * set, so matching allocates nothing.
 */
final class Cron {
  /** Far enough back to find a February 29 occurrence across a non-leap century year. */
  static final int HORIZON_DAYS = 8 * 366 + 1;
  /** Returned by {@link #lastAtOrBefore} when the expression did not fire within {@link #HORIZON_DAYS}. */
  static final long NONE = Long.MIN_VALUE;

  private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");
  private static final int[] LOW = {0, 0, 1, 1, 0};
  private static final int[] HIGH = {59, 23, 31, 12, 7};
  private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
      "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
  private static final int[] DAYS_IN_MONTH = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  private final long minutes;
  private final int hours;
  private final int daysOfMonth;
  private final int months;
  private final int daysOfWeek;
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  private Cron(long[] bits, boolean anyDayOfMonth, boolean anyDayOfWeek) {
    this.minutes = bits[0];
    this.hours = (int) bits[1];
    this.daysOfMonth = (int) bits[2];
    this.months = (int) bits[3];
    // Sunday may be written 0 or 7; keep one bit for it.
    this.daysOfWeek = (int) ((bits[4] | (bits[4] >>> 7)) & 0x7F);
    this.anyDayOfMonth = anyDayOfMonth;
    this.anyDayOfWeek = anyDayOfWeek;
  }

  /**
   * Parses {@code text}, or returns why it is not a strict five-field cron expression.
   *
   * @param text the expression
   * @param problems receives the reason (the rule part of a message: "its hour field ... must be ...")
   * @return the expression, or {@code null} after adding exactly one problem
   */
  static @Nullable Cron parse(String text, List<String> problems) {
    String[] fields = text.strip().split("\\s+");
    if (text.isBlank() || fields.length != 5) {
      problems.add("it must be a cron expression of exactly 5 fields (minute hour day-of-month month "
          + "day-of-week), such as \"0 8 * * mon-fri\"");
      return null;
    }
    long[] bits = new long[5];
    for (int f = 0; f < 5; f++) {
      String rule = field(fields[f], f, bits);
      if (rule != null) {
        problems.add("its " + FIELDS.get(f) + " field '" + fields[f] + "' " + rule);
        return null;
      }
    }
    Cron cron = new Cron(bits, isAny(fields[2]), isAny(fields[4]));
    if (!cron.canFire()) {
      problems.add("it never fires: no month has such a day");
      return null;
    }
    return cron;
  }

  private static boolean isAny(String field) {
    return field.startsWith("*") || field.equals("?");
  }

  /** Sets the bits of field {@code f}; returns the rule it breaks, or {@code null}. */
  private static @Nullable String field(String text, int f, long[] bits) {
    String range = "must be " + LOW[f] + "-" + (f == 4 ? 6 : HIGH[f])
        + (f == 3 ? " or jan-dec" : f == 4 ? " (7 is Sunday too) or sun-sat" : "");
    for (String part : text.split(",", -1)) {
      int step = 1;
      int slash = part.indexOf('/');
      String base = part;
      if (slash >= 0) {
        base = part.substring(0, slash);
        Integer parsed = number(part.substring(slash + 1));
        if (parsed == null || parsed < 1) {
          return "has step '" + part.substring(slash + 1) + "' but a step must be a whole number of at least 1";
        }
        step = parsed;
      }
      int from;
      int to;
      if (base.equals("*") || (base.equals("?") && (f == 2 || f == 4))) {
        from = LOW[f];
        to = f == 4 ? 6 : HIGH[f];
      } else {
        int dash = base.indexOf('-', 1);
        Integer a = value(dash < 0 ? base : base.substring(0, dash), f);
        Integer b = dash < 0 ? a : value(base.substring(dash + 1), f);
        if (a == null || b == null || a < LOW[f] || b > HIGH[f] || a > HIGH[f] || b < LOW[f]) {
          return range;
        }
        if (a > b) {
          return "has range '" + base + "' that ends before it starts";
        }
        from = a;
        to = dash < 0 && slash >= 0 ? (f == 4 ? 6 : HIGH[f]) : b;
      }
      for (int v = from; v <= to; v += step) {
        bits[f] |= 1L << v;
      }
    }
    return null;
  }

  private static @Nullable Integer value(String text, int f) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (f == 3 && MONTHS.contains(lower)) {
      return MONTHS.indexOf(lower) + 1;
    }
    if (f == 4 && DAYS.contains(lower)) {
      return DAYS.indexOf(lower);
    }
    return number(text);
  }

  private static @Nullable Integer number(String text) {
    if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return Integer.parseInt(text);
  }

  /** Whether some month has one of the days of month (a day-of-week rule always fires). */
  private boolean canFire() {
    if (!anyDayOfWeek && !anyDayOfMonth) {
      return true;
    }
    if (anyDayOfMonth) {
      return true;
    }
    for (int m = 1; m <= 12; m++) {
      if ((months & (1 << m)) != 0 && Integer.numberOfTrailingZeros(daysOfMonth) <= DAYS_IN_MONTH[m]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the latest minute at or before {@code localMinute} at which this expression fires.
   *
   * @param localMinute wall-clock minutes since 1970-01-01T00:00 in the schedule's zone
   * @return that minute, or {@link #NONE} when it did not fire within {@link #HORIZON_DAYS}
   */
  long lastAtOrBefore(long localMinute) {
    long today = Math.floorDiv(localMinute, 1440);
    int limit = (int) (localMinute - today * 1440);
    for (long day = today; day > today - HORIZON_DAYS; day--) {
      if (matchesDay(day)) {
        int minuteOfDay = lastMinuteOfDay(day == today ? limit : 1439);
        if (minuteOfDay >= 0) {
          return day * 1440 + minuteOfDay;
        }
      }
    }
    return NONE;
  }

  /** Returns the latest firing minute of a matching day at or before {@code limit}, or -1. */
  private int lastMinuteOfDay(int limit) {
    int lastHour = limit / 60;
    for (int h = lastHour; h >= 0; h--) {
      if ((hours & (1 << h)) == 0) {
        continue;
      }
      int maxMinute = h == lastHour ? limit % 60 : 59;
      long candidates = minutes & ((2L << maxMinute) - 1);
      if (candidates != 0) {
        return h * 60 + 63 - Long.numberOfLeadingZeros(candidates);
      }
    }
    return -1;
  }

  /** Whether the day (days since 1970-01-01) matches month and the day fields; civil date by Hinnant's method. */
  private boolean matchesDay(long epochDay) {
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int dayOfMonth = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    if ((months & (1 << month)) == 0) {
      return false;
    }
    int dayOfWeek = (int) Math.floorMod(epochDay + 4, 7L);
    boolean domMatch = (daysOfMonth & (1 << dayOfMonth)) != 0;
    boolean dowMatch = (daysOfWeek & (1 << dayOfWeek)) != 0;
    if (anyDayOfMonth || anyDayOfWeek) {
      return domMatch && dowMatch;
    }
    return domMatch || dowMatch;
  }

  /**
   * Whether this expression fires at every minute {@code other} fires (and maybe more). Fields are
   * independent, so that holds when each of {@code other}'s minutes and hours is one of ours and each of
   * its days one of ours; days are compared over 400 years, after which the Gregorian calendar, weekdays
   * included, repeats (146,097 days, a whole number of weeks).
   */
  boolean firesWhenever(Cron other) {
    if ((other.minutes & ~minutes) != 0 || (other.hours & ~hours) != 0) {
      return false;
    }
    for (long day = 0; day < 146_097; day++) {
      if (other.matchesDay(day) && !matchesDay(day)) {
        return false;
      }
    }
    return true;
  }

  /** Whether both expressions fire at exactly the same minutes. */
  boolean sameAs(Cron other) {
    return minutes == other.minutes && hours == other.hours && daysOfMonth == other.daysOfMonth
        && months == other.months && daysOfWeek == other.daysOfWeek && anyDayOfMonth == other.anyDayOfMonth
        && anyDayOfWeek == other.anyDayOfWeek;
  }
}
