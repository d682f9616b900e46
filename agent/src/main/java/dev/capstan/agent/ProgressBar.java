package dev.capstan.agent;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place ({@code \r}) on a terminal stream. It redraws only when the
 * whole percentage changes, so a long simulation writes at most a hundred updates. Not thread-safe.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintWriter out;
  private final String label;
  private int shownPercent = -1;

  ProgressBar(PrintWriter out, String label) {
    this.out = out;
    this.label = label;
  }

  /** Shows {@code done} of {@code total}; ignores calls that would not change the bar. */
  void update(long done, long total) {
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    if (percent == shownPercent) {
      return;
    }
    shownPercent = percent;
    int filled = percent * WIDTH / 100;
    out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "%");
    out.flush();
  }

  /** Shows 100% and ends the line. */
  void finish() {
    update(1, 1);
    out.println();
    out.flush();
  }
}
