package dev.capstan.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses and formats durations in Go's syntax, the one nomad-autoscaler policy files use.
 *
 * <p>A duration is an optional sign and one or more decimal numbers, each with an optional fraction
 * and a unit: {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}.
 * Examples: {@code "90s"}, {@code "5m"}, {@code "1h30m"}, {@code "250ms"}, {@code "1.5h"}. A bare
 * {@code "0"} is zero; any other number needs a unit.
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses a Go duration.
   *
   * @param text the duration, e.g. {@code "1h30m"}
   * @return the parsed duration
   * @throws IllegalArgumentException if {@code text} is not a Go duration; the message quotes it and
   *     says what is expected
   */
  public static Duration parse(String text) {
    return parse(text, false);
  }

  /**
   * Parses a Go duration that may also count days ({@code d}, 24 hours), as Capstan's command-line
   * spans do: {@code 7d}, {@code 1d12h}, {@code 366d}. Policy and agent files keep {@link #parse}, for
   * Go (and so nomad-autoscaler) has no day unit.
   *
   * @param text the duration, e.g. {@code "7d"} or {@code "36h"}
   * @return the parsed duration
   * @throws IllegalArgumentException if {@code text} is not such a duration; the message quotes it and
   *     says what is expected
   */
  public static Duration parseWithDays(String text) {
    return parse(text, true);
  }

  private static Duration parse(String text, boolean days) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw invalid(text, days, "it is empty");
    }
    boolean negative = false;
    int i = 0;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    if (i == s.length()) {
      throw invalid(text, days, "it has a sign but no number");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(text, days, "'" + (number.isEmpty() ? s.substring(start) : number) + "' is not a number");
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw invalid(text, days, "'" + number + "' has no unit");
      }
      nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos(text, unit, days))));
    }
    // Go truncates fractions of a nanosecond too.
    BigDecimal[] secondsAndNanos = nanos.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
    Duration d;
    try {
      d = Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue());
    } catch (ArithmeticException e) {
      throw invalid(text, days, "it is too long");
    }
    return negative ? d.negated() : d;
  }

  private static long unitNanos(String text, String unit, boolean days) {
    if (days && unit.equals("d")) {
      return 86_400_000_000_000L;
    }
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> throw invalid(text, days, "'" + unit + "' is not a unit "
          + (days ? "(use ns, us, ms, s, m, h or d)" : "(use ns, us, ms, s, m or h)"));
    };
  }

  private static IllegalArgumentException invalid(String text, boolean days, String why) {
    return new IllegalArgumentException("'" + text + "' is not a duration such as 90s, 5m" + (days ? ", 1h30m or 7d"
        : " or 1h30m") + ": " + why);
  }

  /**
   * Formats a duration the way Go prints it, e.g. {@code "1h30m0s"}, {@code "250ms"}, {@code "0s"}.
   *
   * @param duration the duration
   * @return its Go form, which {@link #parse} reads back to the same value
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    long totalNanos;
    try {
      totalNanos = duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.toHours() + "h";
    }
    if (totalNanos < 1_000_000_000L) {
      if (totalNanos % 1_000_000L == 0) {
        return totalNanos / 1_000_000L + "ms";
      }
      if (totalNanos % 1_000L == 0) {
        return totalNanos / 1_000L + "us";
      }
      return totalNanos + "ns";
    }
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    int nanos = duration.toNanosPart();
    StringBuilder sb = new StringBuilder();
    if (hours > 0) {
      sb.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      sb.append(minutes).append('m');
    }
    sb.append(seconds);
    if (nanos > 0) {
      String frac = String.format("%09d", nanos).replaceAll("0+$", "");
      sb.append('.').append(frac);
    }
    return sb.append('s').toString();
  }
}
