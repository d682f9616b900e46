package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.engine.OperatorOverride;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class ScheduledOverrideTest {
  private static final Instant FROM = Instant.parse("2026-05-01T18:00:00Z");

  @Test
  void parse_holdWithCountAndLength_endsThatLongAfterItsStart() {
    ScheduledOverride o = ScheduledOverride.parse("hold:10@2026-05-01T18:00:00Z/63h");

    assertThat(o.from()).isEqualTo(FROM);
    assertThat(o.override().kind()).isEqualTo(OperatorOverride.Kind.HOLD);
    assertThat(o.override().count()).isEqualTo(OptionalLong.of(10));
    assertThat(o.override().until()).contains(Instant.parse("2026-05-04T09:00:00Z"));
    assertThat(o.override().author()).isEqualTo("backtest");
  }

  @Test
  void parse_pauseWithoutLength_lastsToTheEnd() {
    ScheduledOverride o = ScheduledOverride.parse("pause_scale_in@2026-05-01T18:00:00Z");

    assertThat(o.override().kind()).isEqualTo(OperatorOverride.Kind.PAUSE_SCALE_IN);
    assertThat(o.override().until()).isEqualTo(Optional.empty());
  }

  @Test
  void parse_eachBadPart_namesTheOptionAndThePart() {
    assertThatThrownBy(() -> ScheduledOverride.parse("pause")).isInstanceOf(BacktestException.class)
        .hasMessageStartingWith("--override was 'pause' but it must read KIND[:COUNT]@FROM[/FOR]");
    assertThatThrownBy(() -> ScheduledOverride.parse("stop@2026-05-01T18:00:00Z"))
        .hasMessage("--override was 'stop@2026-05-01T18:00:00Z' but its kind 'stop' must be pause, pause_scale_in, "
            + "pause_scale_out or hold");
    assertThatThrownBy(() -> ScheduledOverride.parse("hold@2026-05-01T18:00:00Z"))
        .hasMessageContaining("but hold needs a count");
    assertThatThrownBy(() -> ScheduledOverride.parse("hold:-1@2026-05-01T18:00:00Z"))
        .hasMessageContaining("its count '-1' must be a whole number of at least 0");
    assertThatThrownBy(() -> ScheduledOverride.parse("pause:3@2026-05-01T18:00:00Z"))
        .hasMessageContaining("only hold takes a count, not pause");
    assertThatThrownBy(() -> ScheduledOverride.parse("pause@friday"))
        .hasMessageContaining("its start 'friday' must be an ISO-8601 instant");
    assertThatThrownBy(() -> ScheduledOverride.parse("pause@2026-05-01T18:00:00Z/soon"))
        .hasMessageContaining("its length 'soon' must be a duration");
    assertThatThrownBy(() -> ScheduledOverride.parse("pause@2026-05-01T18:00:00Z/0s"))
        .hasMessageContaining("its length '0s' must be positive");
  }
}
