package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SchedulePolicyTest {
  private static final String ORIGIN = "policies/web.hcl";
  private static final String P = ORIGIN + ": policy 'web': ";

  private static String hcl(String schedule) {
    return """
        scaling "web" {
          max = 3
          policy {
            schedule {
              %s
            }
            check "cpu" {
              source = "prometheus"
              query  = "avg(cpu)"
              strategy "target-value" { target = 70 }
            }
            target "aws-asg" { aws_asg_name = "web" }
          }
        }
        """.formatted(schedule);
  }

  private static ScalingPolicy.Builder valid() {
    return ScalingPolicy.builder().origin(ORIGIN).name("web").max(3)
        .check(Check.of("cpu", "prometheus", "avg(cpu)", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of("aws_asg_name", "web")));
  }

  private static List<String> problems(String schedule) {
    return catchThrowableOfType(PolicyException.class, () -> Policies.parse(hcl(schedule), ORIGIN)).problems();
  }

  @Test
  void hcl_startEndTimezone_equalsTheBuiltPolicy() {
    List<ScalingPolicy> parsed = Policies.parse(hcl("""
        start    = "0 8 * * mon-fri"
        end      = "0 20 * * mon-fri"
        timezone = "Europe/Brussels"
        """), ORIGIN);

    Schedule office = Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", ZoneId.of("Europe/Brussels"));
    assertThat(parsed).containsExactly(valid().schedule(office).build());
    assertThat(parsed.get(0).schedule()).contains(office);
  }

  @Test
  void hcl_startDuration_defaultsToUtc() {
    List<ScalingPolicy> parsed = Policies.parse(hcl("""
        start    = "0 8 * * *"
        duration = "12h"
        """), ORIGIN);

    assertThat(parsed).containsExactly(
        valid().schedule(Schedule.lasting("0 8 * * *", Duration.ofHours(12), ZoneId.of("UTC"))).build());
  }

  @Test
  void json_scheduleBlock_equalsTheHclOne() {
    String json = """
        {"scaling": {"web": {"max": 3, "policy": {
          "schedule": {"start": "0 8 * * mon-fri", "end": "0 20 * * mon-fri"},
          "check": {"cpu": {"source": "prometheus", "query": "avg(cpu)", "strategy": {"target-value": {"target": 70}}}},
          "target": {"aws-asg": {"aws_asg_name": "web"}}}}}}
        """;

    assertThat(Policies.parse(json, ORIGIN)).isEqualTo(Policies.parse(hcl("""
        start = "0 8 * * mon-fri"
        end   = "0 20 * * mon-fri"
        """), ORIGIN));
  }

  @Test
  void noSchedule_isEmpty() {
    assertThat(valid().build().schedule()).isEmpty();
  }

  @Test
  void badValues_areAllReportedAtOnce() {
    assertThat(problems("""
        start    = "0 8 * *"
        end      = "0 20 * * mon-fry"
        timezone = "Europe/Bruxelles"
        """)).containsExactly(
        P + "schedule.start was '0 8 * *' but it must be a cron expression of exactly 5 fields (minute hour "
            + "day-of-month month day-of-week), such as \"0 8 * * mon-fri\"",
        P + "schedule.end was '0 20 * * mon-fry' but its day-of-week field 'mon-fry' must be 0-6 (7 is Sunday "
            + "too) or sun-sat",
        P + "schedule.timezone was 'Europe/Bruxelles' but it must be a time zone ID such as \"Europe/Brussels\" "
            + "or \"UTC\"");
  }

  @Test
  void fieldRules_eachNameTheFieldAndItsRange() {
    assertThat(problems("start = \"60 8 * * *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '60 8 * * *' but its minute field '60' must be 0-59");
    assertThat(problems("start = \"0 8 0 * *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '0 8 0 * *' but its day-of-month field '0' must be 1-31");
    assertThat(problems("start = \"0 8 * foo *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '0 8 * foo *' but its month field 'foo' must be 1-12 or jan-dec");
    assertThat(problems("start = \"0 20-8 * * *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '0 20-8 * * *' but its hour field '20-8' has range '20-8' that ends before it starts");
    assertThat(problems("start = \"*/0 8 * * *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '*/0 8 * * *' but its minute field '*/0' has step '0' but a step must be a whole "
            + "number of at least 1");
    assertThat(problems("start = \"0 8 30 feb *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.start was '0 8 30 feb *' but it never fires: no month has such a day");
  }

  @Test
  void startEqualToEnd_isRefused() {
    assertThat(problems("start = \"0 8 * * 1-5\"\nend = \"0 8 * * mon-fri\"")).containsExactly(
        P + "schedule.end was '0 8 * * mon-fri' but it must fire at other times than start, or the window never opens");
  }

  @Test
  void endAndDuration_exactlyOneIsRequired() {
    assertThat(problems("start = \"0 8 * * *\"")).containsExactly(
        P + "schedule has neither end nor duration but it needs exactly one of them");
    assertThat(problems("start = \"0 8 * * *\"\nend = \"0 9 * * *\"\nduration = \"1h\"")).containsExactly(
        P + "schedule has both end and duration but it needs exactly one of them");
  }

  @Test
  void missingStart_andBadDuration_areReported() {
    assertThat(problems("duration = \"0s\"")).containsExactly(
        P + "schedule.start is required but was missing (a cron expression such as \"0 8 * * mon-fri\")",
        P + "schedule.duration was '0s' but it must be a positive duration");
  }

  @Test
  void unknownAttribute_getsASuggestion() {
    assertThat(problems("strat = \"0 8 * * *\"\nstart = \"0 8 * * *\"\nend = \"0 9 * * *\"")).containsExactly(
        P + "schedule.strat is not a known attribute; did you mean start?");
  }

  @Test
  void checkLevelSchedule_isTheChecksOwn() {
    String hcl = """
        scaling "web" {
          max = 3
          policy {
            check "cpu" {
              source = "prometheus"
              query  = "avg(cpu)"
              schedule {
                start = "0 8 * * *"
                end   = "0 9 * * *"
              }
              strategy "target-value" { target = 70 }
            }
            target "aws-asg" { aws_asg_name = "web" }
          }
        }
        """;

    Check cpu = Check.builder().name("cpu").source("prometheus").query("avg(cpu)")
        .schedule(Schedule.between("0 8 * * *", "0 9 * * *", Schedule.DEFAULT_TIMEZONE))
        .strategy(PluginRef.of("target-value", Map.of("target", "70"))).build();
    assertThat(Policies.parse(hcl, ORIGIN)).singleElement()
        .satisfies(p -> assertThat(p.checks()).containsExactly(cpu))
        .satisfies(p -> assertThat(p.schedule()).isEmpty());
  }

  @Test
  void checkLevelSchedule_badCron_namesTheCheck() {
    String hcl = """
        scaling "web" {
          max = 3
          policy {
            check "cpu" {
              source = "prometheus"
              query  = "avg(cpu)"
              schedule { start = "0 8 * *" }
              strategy "target-value" { target = 70 }
            }
            target "aws-asg" { aws_asg_name = "web" }
          }
        }
        """;

    assertThat(catchThrowableOfType(PolicyException.class, () -> Policies.parse(hcl, ORIGIN)).problems())
        .isNotEmpty().allSatisfy(p -> assertThat(p).startsWith(P + "check 'cpu': schedule"));
  }
}
