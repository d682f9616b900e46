package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class HistoryCsvTest {
  private static History read(String csv, String sizeColumn) throws Exception {
    return HistoryCsv.read(new BufferedReader(new StringReader(csv)), "h.csv", Optional.ofNullable(sizeColumn));
  }

  private static void refused(String csv, String message) {
    assertThatThrownBy(() -> read(csv, null)).isInstanceOf(BacktestException.class).hasMessageContaining(message);
  }

  @Test
  void read_wellFormed_givesStepSeriesSizesAndMissingSamples() throws Exception {
    History h = read("timestamp,cpu,size\n2026-03-02T00:00:00Z,50,2\n2026-03-02T01:00:15+01:00,,3\r\n"
        + "2026-03-02T00:00:30Z,1e2,4\n\n", "size");

    assertThat(h.start()).isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    assertThat(h.step()).isEqualTo(Duration.ofSeconds(15));
    assertThat(h.size()).isEqualTo(3);
    assertThat(h.names()).containsExactly("cpu");
    assertThat(h.value("cpu", 0)).isEqualTo(50);
    assertThat(h.value("cpu", 1)).isNaN();
    assertThat(h.value("cpu", 2)).isEqualTo(100);
    assertThat(h.recordedSize(1)).isEqualTo(3);
  }

  @Test
  void read_badNumber_namesLineAndColumn() {
    refused("timestamp,cpu,queue\n2026-03-02T00:00:00Z,50,1\n2026-03-02T00:00:15Z,50,abc\n",
        "h.csv line 3, column 3 (queue): 'abc' is not a number");
  }

  @Test
  void read_badTimestamp_namesLineAndColumn() {
    refused("timestamp,cpu\n2026-03-02 00:00:00,50\n", "h.csv line 2, column 1 (timestamp): '2026-03-02 00:00:00'"
        + " is not an RFC 3339 time");
  }

  @Test
  void read_unevenStep_namesTheLineAndTheStep() {
    refused("timestamp,cpu\n2026-03-02T00:00:00Z,1\n2026-03-02T00:00:15Z,1\n2026-03-02T00:00:45Z,1\n",
        "h.csv line 4, column 1 (timestamp): 2026-03-02T00:00:45Z is 30s after the previous row, but rows must be at"
            + " the fixed step of the first two rows, 15s");
  }

  @Test
  void read_shortRow_namesTheLineAndTheHeader() {
    refused("timestamp,cpu,queue\n2026-03-02T00:00:00Z,1\n", "h.csv line 2: 2 columns, but the header has 3");
  }

  @Test
  void read_headerWithoutTimestamp_isRefused() {
    refused("time,cpu\n", "h.csv line 1, column 1: the header starts with 'time' but it must start with 'timestamp'");
  }

  @Test
  void read_duplicateColumn_isRefused() {
    refused("timestamp,cpu,cpu\n", "h.csv line 1, column 3: the column 'cpu' appears twice");
  }

  @Test
  void read_missingSizeColumn_listsTheColumns() {
    assertThatThrownBy(() -> read("timestamp,cpu\n2026-03-02T00:00:00Z,1\n2026-03-02T00:00:15Z,1\n", "size"))
        .hasMessageContaining("no recorded-size column 'size'; the columns are cpu");
  }

  @Test
  void read_nonFiniteOrHexNumber_isRefused() {
    refused("timestamp,cpu\n2026-03-02T00:00:00Z,NaN\n", "'NaN' is not a number");
    refused("timestamp,cpu\n2026-03-02T00:00:00Z,0x10\n", "'0x10' is not a number");
  }
}
