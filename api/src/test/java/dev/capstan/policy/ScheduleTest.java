package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

final class ScheduleTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId BRUSSELS = ZoneId.of("Europe/Brussels");
  /** Business hours, Monday to Friday, 08:00 to 20:00. 2026-11-23 is a Monday. */
  private static final Schedule OFFICE = Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", UTC);

  private static Instant utc(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(UTC).toInstant();
  }

  private static Instant brussels(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(BRUSSELS).toInstant();
  }

  @Test
  void contains_startMinute_isInsideAndTheSecondBeforeIsNot() {
    assertThat(OFFICE.contains(utc("2026-11-23T08:00:00"))).isTrue();
    assertThat(OFFICE.contains(utc("2026-11-23T07:59:59"))).isFalse();
  }

  @Test
  void contains_endMinute_isOutsideAndTheSecondBeforeIsInside() {
    assertThat(OFFICE.contains(utc("2026-11-23T19:59:59"))).isTrue();
    assertThat(OFFICE.contains(utc("2026-11-23T20:00:00"))).isFalse();
  }

  @Test
  void contains_weekend_isOutsideAndMondayMorningOpensAgain() {
    assertThat(OFFICE.contains(utc("2026-11-27T12:00:00"))).as("Friday noon").isTrue();
    assertThat(OFFICE.contains(utc("2026-11-28T12:00:00"))).as("Saturday noon").isFalse();
    assertThat(OFFICE.contains(utc("2026-11-29T12:00:00"))).as("Sunday noon").isFalse();
    assertThat(OFFICE.contains(utc("2026-11-30T08:00:00"))).as("Monday 08:00").isTrue();
  }

  @Test
  void contains_endBeforeStart_wrapsPastMidnight() {
    Schedule night = Schedule.between("0 22 * * *", "30 6 * * *", UTC);

    assertThat(night.contains(utc("2026-11-23T21:59:00"))).isFalse();
    assertThat(night.contains(utc("2026-11-23T22:00:00"))).isTrue();
    assertThat(night.contains(utc("2026-11-24T00:00:00"))).isTrue();
    assertThat(night.contains(utc("2026-11-24T06:29:59"))).isTrue();
    assertThat(night.contains(utc("2026-11-24T06:30:00"))).isFalse();
    assertThat(night.contains(utc("2026-11-24T12:00:00"))).isFalse();
  }

  @Test
  void contains_friday_evening_to_monday_morning_wrapsAcrossTheWeekend() {
    Schedule weekend = Schedule.between("0 18 * * fri", "0 6 * * 1", UTC);

    assertThat(weekend.contains(utc("2026-11-27T17:59:00"))).isFalse();
    assertThat(weekend.contains(utc("2026-11-28T03:00:00"))).isTrue();
    assertThat(weekend.contains(utc("2026-11-30T05:59:00"))).isTrue();
    assertThat(weekend.contains(utc("2026-11-30T06:00:00"))).isFalse();
    assertThat(weekend.contains(utc("2026-11-25T12:00:00"))).isFalse();
  }

  @Test
  void contains_timezone_readsTheExpressionsInLocalTime() {
    Schedule office = Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", BRUSSELS);

    // Winter: Brussels is UTC+1, so 08:00 local is 07:00 UTC.
    assertThat(office.contains(utc("2026-11-23T07:00:00"))).isTrue();
    assertThat(office.contains(utc("2026-11-23T06:59:59"))).isFalse();
    assertThat(office.contains(utc("2026-11-23T18:59:59"))).isTrue();
    assertThat(office.contains(utc("2026-11-23T19:00:00"))).isFalse();
  }

  @Test
  void contains_springForwardDay_opensAtLocalWallClockTime() {
    // 2026-03-29 (Sunday): Brussels jumps from 02:00 CET to 03:00 CEST.
    Schedule daily = Schedule.between("0 8 * * *", "0 20 * * *", BRUSSELS);

    assertThat(daily.contains(brussels("2026-03-29T07:59:59"))).isFalse();
    assertThat(daily.contains(brussels("2026-03-29T08:00:00"))).isTrue();
    assertThat(brussels("2026-03-29T08:00:00")).isEqualTo(utc("2026-03-29T06:00:00"));
    assertThat(daily.contains(utc("2026-03-29T17:59:59"))).as("19:59:59 CEST").isTrue();
    assertThat(daily.contains(utc("2026-03-29T18:00:00"))).as("20:00 CEST").isFalse();
  }

  @Test
  void contains_startInsideTheSkippedHour_opensWhenTheClockJumpsPastIt() {
    // 02:30 never happens on 2026-03-29 in Brussels; the window opens at 03:00 CEST, the first minute after it.
    Schedule early = Schedule.between("30 2 * * *", "0 5 * * *", BRUSSELS);

    assertThat(early.contains(utc("2026-03-29T00:59:59"))).as("01:59:59 CET").isFalse();
    assertThat(early.contains(utc("2026-03-29T01:00:00"))).as("03:00 CEST").isTrue();
    assertThat(early.contains(utc("2026-03-29T02:59:59"))).as("04:59:59 CEST").isTrue();
    assertThat(early.contains(utc("2026-03-29T03:00:00"))).as("05:00 CEST").isFalse();
  }

  @Test
  void contains_fallBackDay_closesAtLocalWallClockTime() {
    // 2026-10-25 (Sunday): Brussels goes back from 03:00 CEST to 02:00 CET.
    Schedule daily = Schedule.between("0 8 * * *", "0 20 * * *", BRUSSELS);

    assertThat(daily.contains(utc("2026-10-25T06:59:59"))).as("07:59:59 CET").isFalse();
    assertThat(daily.contains(utc("2026-10-25T07:00:00"))).as("08:00 CET").isTrue();
    assertThat(daily.contains(utc("2026-10-25T18:59:59"))).as("19:59:59 CET").isTrue();
    assertThat(daily.contains(utc("2026-10-25T19:00:00"))).as("20:00 CET").isFalse();
  }

  @Test
  void contains_duration_isRealElapsedTimeEvenAcrossTheChange() {
    // Opens 00:00 local on the fall-back day; 8h of real time end at 07:00 CET, not 08:00.
    Schedule eightHours = Schedule.lasting("0 0 * * *", Duration.ofHours(8), BRUSSELS);

    assertThat(eightHours.contains(brussels("2026-10-25T00:00:00"))).isTrue();
    assertThat(eightHours.contains(utc("2026-10-25T05:59:59"))).as("06:59:59 CET").isTrue();
    assertThat(eightHours.contains(utc("2026-10-25T06:00:00"))).as("07:00 CET").isFalse();
    assertThat(eightHours.contains(brussels("2026-10-24T23:59:59"))).isFalse();
  }

  @Test
  void contains_cronSyntax_listsStepsNamesAndSundaySeven() {
    Schedule everyQuarter = Schedule.lasting("*/15 9-17 * jan,jul * ", Duration.ofMinutes(5), UTC);
    assertThat(everyQuarter.contains(utc("2026-01-05T09:45:00"))).isTrue();
    assertThat(everyQuarter.contains(utc("2026-01-05T09:50:00"))).isFalse();
    assertThat(everyQuarter.contains(utc("2026-02-02T09:45:00"))).as("February").isFalse();

    Schedule sunday = Schedule.between("0 0 * * 7", "0 0 * * 1", UTC);
    assertThat(sunday.contains(utc("2026-11-29T13:00:00"))).isTrue();
    assertThat(sunday.contains(utc("2026-11-28T13:00:00"))).isFalse();
  }

  @Test
  void contains_dayOfMonthAndDayOfWeek_matchesEither() {
    // Opens on the 1st and on every Monday, for an hour.
    Schedule either = Schedule.lasting("0 12 1 * mon", Duration.ofHours(1), UTC);

    assertThat(either.contains(utc("2026-12-01T12:30:00"))).as("Tuesday the 1st").isTrue();
    assertThat(either.contains(utc("2026-11-23T12:30:00"))).as("Monday the 23rd").isTrue();
    assertThat(either.contains(utc("2026-11-24T12:30:00"))).as("Tuesday the 24th").isFalse();
  }

  @Test
  void contains_leapDayStart_isFoundYearsBack() {
    Schedule leap = Schedule.between("0 0 29 feb *", "0 0 1 mar *", UTC);

    assertThat(leap.contains(utc("2028-02-29T10:00:00"))).isTrue();
    assertThat(leap.contains(utc("2027-02-28T10:00:00"))).isFalse();
  }

  @Test
  void equalsAndToString_compareAsWritten() {
    assertThat(Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", UTC)).isEqualTo(OFFICE)
        .hasSameHashCodeAs(OFFICE).hasToString("start '0 8 * * mon-fri', end '0 20 * * mon-fri', UTC");
    assertThat(Schedule.lasting("0 8 * * *", Duration.ofHours(8), BRUSSELS))
        .hasToString("start '0 8 * * *', duration 8h0m0s, Europe/Brussels");
  }

  @Test
  void factory_badValues_namesEveryProblem() {
    PolicyException e = catchThrowableOfType(PolicyException.class,
        () -> Schedule.between("0 25 * * *", "0 8 * * mon-fry", UTC));

    assertThat(e.problems()).containsExactly(
        "schedule.start was '0 25 * * *' but its hour field '25' must be 0-23",
        "schedule.end was '0 8 * * mon-fry' but its day-of-week field 'mon-fry' must be 0-6 (7 is Sunday too) or sun-sat");
  }

  @Test
  void factory_zeroDuration_isRefused() {
    PolicyException e = catchThrowableOfType(PolicyException.class,
        () -> Schedule.lasting("0 8 * * *", Duration.ZERO, UTC));

    assertThat(e.problems()).containsExactly("schedule.duration was '0s' but it must be a positive duration");
  }
}
