package dev.capstan.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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
  private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

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
      Instant t = timestamp(origin, line, cells[0]);
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

  private static Instant timestamp(String origin, int line, String cell) {
    try {
      return OffsetDateTime.parse(cell).toInstant();
    } catch (DateTimeParseException e) {
      throw new BacktestException(origin + " line " + line + ", column 1 (timestamp): '" + cell
          + "' is not an RFC 3339 time, e.g. 2026-03-02T00:00:00Z");
    }
  }

  private static double number(String origin, int line, int c, String name, String cell) {
    if (cell.isEmpty()) {
      return Double.NaN;
    }
    if (!NUMBER.matcher(cell).matches()) {
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

  private static String[] fields(String line) {
    String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ',') {
        out.add(text.substring(from, i).strip());
        from = i + 1;
      }
    }
    return out.toArray(String[]::new);
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }
}
