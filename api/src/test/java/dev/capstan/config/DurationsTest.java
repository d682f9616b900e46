package dev.capstan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "90s, PT1M30S",
      "5m, PT5M",
      "1h30m, PT1H30M",
      "250ms, PT0.25S",
      "1.5h, PT1H30M",
      "0, PT0S",
      "0s, PT0S",
      "-2m, PT-2M",
      "+10s, PT10S",
      "1h1m1s1ms1us1ns, PT1H1M1.001001001S",
      "10µs, PT0.00001S",
      "2us, PT0.000002S",
      "300ns, PT0.0000003S",
      ".5s, PT0.5S",
      "2h45m30.5s, PT2H45M30.5S"
  })
  void parse_goForms_giveDuration(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''| it is empty",
      "5| '5' has no unit",
      "5x| 'x' is not a unit",
      "5 m| ' m' is not a unit",
      "m| 'm' is not a number",
      "1..2s| '1..2' is not a number",
      "-| it has a sign but no number",
      "1h30| '30' has no unit"
  })
  void parse_badText_namesTextAndProblem(String text, String why) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a duration such as 90s, 5m or 1h30m")
        .hasMessageContaining(why.strip());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "250ms", "10s", "1m30s", "1h0m0s", "2h45m30.5s", "1us", "7ns", "-5m0s"})
  void format_roundTripsThroughParse(String go) {
    Duration d = Durations.parse(go);
    assertThat(Durations.format(d)).isEqualTo(go);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @ParameterizedTest
  @CsvSource({"7d, PT168H", "1d12h, PT36H", "366d, PT8784H", "36h, PT36H", "0.5d, PT12H"})
  void parseWithDays_countsDaysAndEveryGoUnit(String text, String iso) {
    assertThat(Durations.parseWithDays(text)).isEqualTo(Duration.parse(iso));
  }

  @org.junit.jupiter.api.Test
  void parse_days_areRefusedAsGoRefusesThem() {
    assertThatThrownBy(() -> Durations.parse("7d")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'7d' is not a duration such as 90s, 5m or 1h30m: 'd' is not a unit (use ns, us, ms, s, m or h)");
  }

  @org.junit.jupiter.api.Test
  void parseWithDays_unknownUnit_listsDaysAmongTheUnits() {
    assertThatThrownBy(() -> Durations.parseWithDays("2w")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'2w' is not a duration such as 90s, 5m, 1h30m or 7d: 'w' is not a unit (use ns, us, ms, s, m, h or d)");
  }
}
