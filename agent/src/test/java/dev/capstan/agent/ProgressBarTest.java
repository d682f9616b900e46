package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

final class ProgressBarTest {
  private final StringWriter text = new StringWriter();

  @Test
  void update_onATerminal_redrawsOnlyWhenThePercentageChanges() {
    ProgressBar bar = new ProgressBar(new PrintWriter(text), "sim", true);

    bar.update(0, 1000);
    bar.update(1, 1000);
    bar.update(500, 1000);
    bar.finish();

    assertThat(text.toString().split("\r", -1)).hasSize(4);
    assertThat(text.toString()).contains("] 50%").endsWith("[" + "#".repeat(30) + "] 100%" + System.lineSeparator());
  }

  @Test
  void update_notATerminal_writesOnlyTheFinishedBar() {
    ProgressBar bar = new ProgressBar(new PrintWriter(text), "sim", false);

    bar.update(500, 1000);
    bar.finish();

    assertThat(text.toString()).isEqualTo("\rsim [" + "#".repeat(30) + "] 100%" + System.lineSeparator());
  }
}
