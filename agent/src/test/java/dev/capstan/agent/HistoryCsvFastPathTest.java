package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CSV reader's fast paths (timestamps read digit by digit, numbers checked without a regex) must
 * agree exactly with the general parsers they stand in for: compared here against
 * {@link OffsetDateTime#parse} and the former number pattern as reference models.
 */
final class HistoryCsvFastPathTest {
  private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
  private static final List<DateTimeFormatter> SHAPES = List.of(
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX"),
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX"),
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SXXX"),
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmXXX"));

  @Test
  void timestamps_agreeWithOffsetDateTimeParse_acrossShapesOffsetsAndDays() {
    Random random = new Random(7);
    HistoryCsv.Timestamps timestamps = new HistoryCsv.Timestamps();
    long t = Instant.parse("1999-12-31T22:00:00Z").getEpochSecond();
    for (int i = 0; i < 20_000; i++) {
      // Mostly small steps (the same date again and again), sometimes a jump across days and years.
      t += random.nextInt(10) == 0 ? random.nextInt(400 * 86_400) : random.nextInt(5_000);
      int offsetMinutes = (random.nextInt(3) == 0 ? 0 : random.nextInt(14 * 60 * 2 + 1) - 14 * 60);
      OffsetDateTime when = Instant.ofEpochSecond(t, random.nextInt(1_000_000_000))
          .atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
      String text = SHAPES.get(random.nextInt(SHAPES.size())).format(when);
      assertThat(timestamps.parse("h.csv", 2, text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }
  }

  @Test
  void timestamps_refuseWhatOffsetDateTimeRefuses_evenInTheFastShape() {
    HistoryCsv.Timestamps timestamps = new HistoryCsv.Timestamps();
    timestamps.parse("h.csv", 2, "2026-02-28T00:00:00Z");
    for (String bad : List.of("2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-02-28T24:00:00Z",
        "2026-02-28T23:60:00Z", "2026-02-28T23:59:60Z", "2026-02-28T00:00:00+19:00",
        "2026-02-28T00:00:00", "2026-02-2aT00:00:00Z", "2026-02-28T00:00:00Zx")) {
      assertThatThrownBy(() -> OffsetDateTime.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
      assertThatThrownBy(() -> timestamps.parse("h.csv", 9, bad)).as(bad).isInstanceOf(BacktestException.class)
          .hasMessage("h.csv line 9, column 1 (timestamp): '" + bad + "' is not an RFC 3339 time, e.g."
              + " 2026-03-02T00:00:00Z");
    }
  }

  @Test
  void timestamps_acceptAnEmptyFraction_asOffsetDateTimeDoes() {
    assertThat(new HistoryCsv.Timestamps().parse("h.csv", 2, "2026-02-28T00:00:00.Z"))
        .isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
  }

  @Test
  void numbers_agreeWithThePlainDecimalPattern() {
    List<String> cases = List.of("0", "12", "-0.5", "+3", "1.", ".5", "1e3", "1E-3", "2.5e+10", "", ".", "-", "e3",
        "1e", "1e+", "0x10", "NaN", "Infinity", "1d", "1f", " 1", "1 ", "1.2.3", "--1", "+-1", "١٢", "1_000");
    for (String s : cases) {
      assertThat(HistoryCsv.isPlainDecimal(s)).as("'%s'", s).isEqualTo(NUMBER.matcher(s).matches());
    }
    Random random = new Random(11);
    String alphabet = "0123456789.eE+-x ";
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(7); n > 0; n--) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertThat(HistoryCsv.isPlainDecimal(s.toString())).as("'%s'", s).isEqualTo(NUMBER.matcher(s).matches());
    }
  }
}
