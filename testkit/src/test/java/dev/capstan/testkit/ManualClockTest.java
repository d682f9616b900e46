package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

final class ManualClockTest {

  @Test
  void advance_movesOnlyWhenTold() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z").toEpochMilli());
  }

  @Test
  void advance_negative_rejected() {
    assertThatThrownBy(() -> ManualClock.startingAtEpochOf2026().advance(Duration.ofSeconds(-1)))
        .hasMessage("a clock only moves forward, but amount was PT-1S");
  }

  @Test
  void withZone_sharesTime() {
    ManualClock clock = ManualClock.startingAtEpochOf2026();
    var zoned = clock.withZone(ZoneId.of("Europe/Brussels"));
    clock.advance(Duration.ofHours(1));
    assertThat(zoned.instant()).isEqualTo(clock.instant());
    assertThat(zoned.getZone()).isEqualTo(ZoneId.of("Europe/Brussels"));
  }
}
