package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class WorkloadTest {
  private static final Instant MIDNIGHT = Instant.parse("2026-03-02T00:00:00Z");

  @Test
  void generate_sameSeed_sameDemand() {
    Workload a = Workload.generate(7, MIDNIGHT, Duration.ofHours(48));
    Workload b = Workload.generate(7, MIDNIGHT, Duration.ofHours(48));

    for (int m = 0; m < a.minutes(); m += 17) {
      Instant t = MIDNIGHT.plus(Duration.ofMinutes(m));
      assertThat(a.demandMhz(t)).isEqualTo(b.demandMhz(t));
    }
    assertThat(a.bursts()).isEqualTo(b.bursts());
  }

  @Test
  void generate_otherSeed_otherBursts() {
    assertThat(Workload.generate(1, MIDNIGHT, Duration.ofHours(48)).bursts())
        .isNotEqualTo(Workload.generate(2, MIDNIGHT, Duration.ofHours(48)).bursts());
  }

  @Test
  void demand_afternoonIsBusierThanNight() {
    // Seed 3 has no burst on the first day before 15:00, so the daily cycle shows alone.
    Workload w = Workload.generate(3, MIDNIGHT, Duration.ofHours(24));
    assertThat(w.bursts()).allSatisfy(b -> assertThat(b.start()).isAfter(MIDNIGHT.plus(Duration.ofHours(15))));

    assertThat(w.demandMhz(MIDNIGHT.plus(Duration.ofHours(14))))
        .isGreaterThan(w.demandMhz(MIDNIGHT.plus(Duration.ofHours(2))) + Workload.DAILY_SWING_MHZ / 2);
  }

  @Test
  void bursts_arriveAboutAsOftenAsConfigured() {
    Workload w = Workload.generate(11, MIDNIGHT, Duration.ofDays(30));

    assertThat(w.bursts().size()).isBetween(60, 120);
  }
}
