package dev.capstan.agent;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place ({@code \r}) on a terminal. It redraws only when the whole
 * percentage changes, so a long simulation writes at most a hundred updates; when the stream is not
 * a terminal (a log, a pipe) only the finished bar is written. Not thread-safe.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintWriter out;
  private final String label;
  private final boolean interactive;
  private int shownPercent = -1;

  ProgressBar(PrintWriter out, String label, boolean interactive) {
    this.out = out;
    this.label = label;
    this.interactive = interactive;
  }

  /** Shows {@code done} of {@code total}; ignores calls that would not change the bar. */
  void update(long done, long total) {
    if (interactive) {
      draw(done, total);
    }
  }

  private void draw(long done, long total) {
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
    draw(1, 1);
    out.println();
    out.flush();
  }
}
