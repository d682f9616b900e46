package dev.capstan.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders simulation results as a plain-text table for the terminal. */
final class SummaryTable {
  private static final String[] HEADERS = {"policy", "target", "instance", "actions", "up", "down",
      "instance-hours", "cost", "min over capacity", "peak"};

  private SummaryTable() {}

  /** Returns the table, one row per result, columns aligned, ending with a line break. */
  static String render(List<SimulationResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADERS);
    for (SimulationResult r : results) {
      rows.add(new String[] {
          r.policyName(),
          r.profile().target(),
          r.profile().instanceType(),
          Integer.toString(r.actions().size()),
          Long.toString(r.scaleUps()),
          Long.toString(r.scaleDowns()),
          String.format(Locale.ROOT, "%.1f", r.instanceHours()),
          String.format(Locale.ROOT, "$%.2f", r.cost()),
          String.format(Locale.ROOT, "%.0f", r.minutesOverCapacity()),
          Long.toString(r.peakCount())});
    }
    int[] widths = new int[HEADERS.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        // Names and labels read left to right; numbers line up on the right.
        String cell = c < 3 ? pad(row[c], widths[c]) : " ".repeat(widths[c] - row[c].length()) + row[c];
        out.append(c == 0 ? "" : "  ").append(cell);
      }
      out.append(System.lineSeparator());
    }
    return out.toString().replaceAll(" +(\\R)", "$1");
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }
}
