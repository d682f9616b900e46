package dev.capstan.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@link History} from CSV, strictly: the first problem stops the read and is reported with
 * the file, line and column (1-based, and the column's name), so a bad export is fixed, not guessed at.
 *
 * <p>The format: a header {@code timestamp,<name>...}, then one row per point. Timestamps are RFC 3339
 * ({@code 2026-03-02T00:00:00Z}, any offset), strictly increasing at one fixed step (the step of the
 * first two rows). A value is a plain decimal number ({@code 12}, {@code -0.5}, {@code 1e3}); an
 * empty cell is a missing sample. No quoting: commas only separate fields.
 */
final class HistoryCsv {
  private HistoryCsv() {}

  static History read(Path file, Optional<String> sizeColumn) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString(), sizeColumn);
    } catch (IOException e) {
      throw new BacktestException("cannot read the history " + file + ": " + e.getMessage(), e);
    }
  }

  static History read(BufferedReader in, String origin, Optional<String> sizeColumn) throws IOException {
    String header = in.readLine();
    if (header == null || header.isBlank()) {
      throw new BacktestException(origin + " line 1: the file is empty; it must start with a header"
          + " 'timestamp,<check name>...'");
    }
    String[] names = fields(stripBom(header));
    if (!names[0].equals("timestamp")) {
      throw new BacktestException(origin + " line 1, column 1: the header starts with '" + names[0]
          + "' but it must start with 'timestamp'");
    }
    if (names.length < 2) {
      throw new BacktestException(origin + " line 1: the header has no column after 'timestamp'; add one per check");
    }
    Set<String> seen = new HashSet<>();
    for (int c = 1; c < names.length; c++) {
      if (names[c].isEmpty()) {
        throw new BacktestException(origin + " line 1, column " + (c + 1) + ": the column has no name");
      }
      if (names[c].contains("\"")) {
        throw new BacktestException(origin + " line 1, column " + (c + 1) + ": quoted fields are not supported");
      }
      if (!seen.add(names[c])) {
        throw new BacktestException(origin + " line 1, column " + (c + 1) + ": the column '" + names[c]
            + "' appears twice");
      }
    }
    int sizeIndex = -1;
    if (sizeColumn.isPresent()) {
      sizeIndex = Arrays.asList(names).indexOf(sizeColumn.get());
      if (sizeIndex < 1) {
        throw new BacktestException(origin + " line 1: there is no recorded-size column '" + sizeColumn.get()
            + "'; the columns are " + String.join(", ", Arrays.asList(names).subList(1, names.length)));
      }
    }
    int columns = names.length;
    double[][] values = new double[columns][1024];
    Instant start = null;
    Instant previous = null;
    Duration step = null;
    int rows = 0;
    int line = 1;
    Timestamps timestamps = new Timestamps();
    int blankAt = 0;
    for (String text = in.readLine(); text != null; text = in.readLine()) {
      line++;
      if (text.isBlank()) {
        blankAt = blankAt == 0 ? line : blankAt;
        continue;
      }
      if (blankAt != 0) {
        throw new BacktestException(origin + " line " + blankAt + ": a blank line between rows; remove it");
      }
      String[] cells = fields(text);
      if (cells.length != columns) {
        throw new BacktestException(origin + " line " + line + ": " + cells.length + " columns, but the header has "
            + columns + " (" + String.join(",", names) + ")");
      }
      Instant t = timestamps.parse(origin, line, cells[0]);
      if (previous != null) {
        Duration gap = Duration.between(previous, t);
        if (step == null) {
          if (gap.isNegative() || gap.isZero()) {
            throw new BacktestException(origin + " line " + line + ", column 1 (timestamp): " + cells[0]
                + " is not after the previous row's time; rows must be in time order");
          }
          step = gap;
        } else if (!gap.equals(step)) {
          throw new BacktestException(origin + " line " + line + ", column 1 (timestamp): " + cells[0] + " is "
              + dev.capstan.config.Durations.format(gap) + " after the previous row, but rows must be at the fixed"
              + " step of the first two rows, " + dev.capstan.config.Durations.format(step));
        }
      } else {
        start = t;
      }
      previous = t;
      if (rows == values[0].length) {
        for (int c = 0; c < columns; c++) {
          values[c] = Arrays.copyOf(values[c], rows * 2);
        }
      }
      for (int c = 1; c < columns; c++) {
        values[c][rows] = number(origin, line, c, names[c], cells[c]);
      }
      rows++;
    }
    if (rows == 0) {
      throw new BacktestException(origin + " line 2: no rows after the header");
    }
    if (step == null) {
      throw new BacktestException(origin + " line " + line + ": only one row; the step is the time between the"
          + " first two rows, so a history needs at least two");
    }
    History.Builder history = History.builder(start, step);
    for (int c = 1; c < columns; c++) {
      double[] column = Arrays.copyOf(values[c], rows);
      if (c == sizeIndex) {
        history.recordedSize(column);
      } else {
        history.series(names[c], column);
      }
    }
    return history.build();
  }

  /**
   * Parses the timestamp column. A month of 15 s rows is 172,800 timestamps, and the general
   * {@link OffsetDateTime#parse} is most of a read's time, so the common shape
   * {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM)} is read digit by digit, with the day looked up
   * once per date; anything else, valid or not, goes to {@link OffsetDateTime#parse}, whose verdict
   * (and the error) stands. Not thread-safe: one per read.
   */
  static final class Timestamps {
    private String datePrefix = "";
    private long dayStartSecond;

    Instant parse(String origin, int line, String cell) {
      long seconds = fast(cell);
      if (seconds != Long.MIN_VALUE) {
        return Instant.ofEpochSecond(seconds, nanos(cell));
      }
      try {
        return OffsetDateTime.parse(cell).toInstant();
      } catch (DateTimeParseException e) {
        throw new BacktestException(origin + " line " + line + ", column 1 (timestamp): '" + cell
            + "' is not an RFC 3339 time, e.g. 2026-03-02T00:00:00Z");
      }
    }

    /** The epoch second of {@code cell} in the common shape, or {@link Long#MIN_VALUE} to parse it generally. */
    private long fast(String s) {
      int n = s.length();
      if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
          || s.charAt(16) != ':') {
        return Long.MIN_VALUE;
      }
      int hour = digits(s, 11);
      int minute = digits(s, 14);
      int second = digits(s, 17);
      if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
        return Long.MIN_VALUE;
      }
      int i = 19;
      if (s.charAt(i) == '.') {
        int digitsStart = ++i;
        while (i < n && Character.isDigit(s.charAt(i))) {
          i++;
        }
        if (i == digitsStart || i - digitsStart > 9) {
          return Long.MIN_VALUE;
        }
      }
      int offsetSeconds;
      if (i == n - 1 && s.charAt(i) == 'Z') {
        offsetSeconds = 0;
      } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
        int oh = digits(s, i + 1);
        int om = digits(s, i + 4);
        if (oh < 0 || oh > 18 || om < 0 || om > 59) {
          return Long.MIN_VALUE;
        }
        offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      } else {
        return Long.MIN_VALUE;
      }
      if (!s.regionMatches(0, datePrefix, 0, 10) || datePrefix.isEmpty()) {
        int year = digits(s, 0) * 100 + digits(s, 2);
        int month = digits(s, 5);
        int day = digits(s, 8);
        if (digits(s, 0) < 0 || digits(s, 2) < 0 || month < 1 || day < 1) {
          return Long.MIN_VALUE;
        }
        try {
          dayStartSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400L;
        } catch (DateTimeException e) {
          return Long.MIN_VALUE;
        }
        datePrefix = s.substring(0, 10);
      }
      return dayStartSecond + hour * 3600L + minute * 60L + second - offsetSeconds;
    }

    /** The fraction of a second in a string {@link #fast} accepted, in nanoseconds. */
    private static long nanos(String s) {
      if (s.charAt(19) != '.') {
        return 0;
      }
      long nanos = 0;
      int i = 20;
      int scale = 100_000_000;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        nanos += (s.charAt(i) - '0') * (long) scale;
        scale /= 10;
        i++;
      }
      return nanos;
    }

    /** The two ASCII digits at {@code at} as a number, or -1. */
    private static int digits(String s, int at) {
      char a = s.charAt(at);
      char b = s.charAt(at + 1);
      return a >= '0' && a <= '9' && b >= '0' && b <= '9' ? (a - '0') * 10 + (b - '0') : -1;
    }
  }

  private static double number(String origin, int line, int c, String name, String cell) {
    if (cell.isEmpty()) {
      return Double.NaN;
    }
    if (!isPlainDecimal(cell)) {
      throw new BacktestException(origin + " line " + line + ", column " + (c + 1) + " (" + name + "): '" + cell
          + "' is not a number; write a plain decimal like 12 or 0.5, or leave the cell empty for a missing sample");
    }
    double v = Double.parseDouble(cell);
    if (!Double.isFinite(v)) {
      throw new BacktestException(origin + " line " + line + ", column " + (c + 1) + " (" + name + "): '" + cell
          + "' is too large to be a finite number");
    }
    return v;
  }

  /**
   * Whether {@code s} is {@code [-+]?(digits[.digits]|.digits)([eE][-+]?digits)?}: what
   * {@link Double#parseDouble} takes minus its hex, {@code NaN} and {@code Infinity} forms and type suffixes.
   */
  static boolean isPlainDecimal(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      i++;
    }
    int intStart = i;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
    }
    boolean intDigits = i > intStart;
    boolean fracDigits = false;
    if (i < n && s.charAt(i) == '.') {
      i++;
      int fracStart = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      fracDigits = i > fracStart;
    }
    if (!intDigits && !fracDigits) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
        i++;
      }
      int expStart = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == expStart) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String[] fields(String line) {
    String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    int commas = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ',') {
        commas++;
      }
    }
    String[] out = new String[commas + 1];
    int from = 0;
    int k = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ',') {
        out[k++] = text.substring(from, i).strip();
        from = i + 1;
      }
    }
    return out;
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }
}
