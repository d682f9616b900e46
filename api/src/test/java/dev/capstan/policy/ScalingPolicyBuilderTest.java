package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ScalingPolicyBuilderTest {
  private static final Check CPU = Check.of("cpu", "prometheus", "avg(cpu)",
      PluginRef.of("target-value", Map.of("target", "70")));
  private static final Schedule OFFICE = Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", ZoneId.of("UTC"));

  private static ScalingPolicy.Builder web() {
    return ScalingPolicy.builder().name("web").max(10).check(CPU).target(PluginRef.of("aws-asg", Map.of("aws_asg_name", "web")));
  }

  private static List<String> problems(ScalingPolicy.Builder builder) {
    return catchThrowableOfType(PolicyException.class, builder::build).problems();
  }

  private static List<String> problems(Check.Builder builder) {
    return catchThrowableOfType(PolicyException.class, builder::build).problems();
  }

  @Test
  void build_emptyBuilder_reportsEveryMissingFieldAtOnce() {
    assertThat(problems(ScalingPolicy.builder())).containsExactly(
        "builder: a policy needs a name: scaling \"<name>\" { ... }",
        "builder: policy 'null': max is required but was missing",
        "builder: policy 'null': it has no check but it needs at least one: check \"<name>\" { ... }",
        "builder: policy 'null': it has no target but it needs one: target \"<name>\" { ... }");
  }

  @Test
  void build_badValues_namePolicyFieldValueAndRule() {
    assertThat(problems(web().origin("policies/web.hcl").min(-2).cooldown(Duration.ZERO).type("vertical")))
        .containsExactly(
            "policies/web.hcl: policy 'web': min was '-2' but it must be at least 0",
            "policies/web.hcl: policy 'web': cooldown was '0s' but it must be a positive duration",
            "policies/web.hcl: policy 'web': type was 'vertical' but it must be one of horizontal, cluster");
  }

  @Test
  void checkBuild_badValues_nameCheckFieldValueAndRule() {
    assertThat(problems(Check.builder().name("cpu").queryWindow(Duration.ofSeconds(-5)).group(" ")
        .strategy(PluginRef.of("target-value", Map.of()))))
        .containsExactly(
            "check 'cpu': source is required but was missing (the metric source, e.g. \"prometheus\")",
            "check 'cpu': query is required but was missing",
            "check 'cpu': query_window was '-5s' but it must be a positive duration",
            "check 'cpu': group was ' ' but it must not be blank");
    assertThat(problems(Check.builder())).containsExactly(
        "a check needs a name: check \"<name>\" { ... }",
        "check '': it has no strategy but it needs one: strategy \"<name>\" { ... }",
        "check '': source is required but was missing (the metric source, e.g. \"prometheus\")",
        "check '': query is required but was missing");
  }

  @Test
  void checkBuild_metriclessStrategy_needsNoSourceOrQuery() {
    Check floor = Check.builder().name("floor").strategy(PluginRef.of("fixed-value", Map.of("value", "2"))).build();

    assertThat(floor.source()).isEmpty();
    assertThat(floor.query()).isEmpty();
  }

  @Test
  void isSet_defaultsLeftAlone_areUnsetAndExplicitDefaultsAreSet() {
    ScalingPolicy defaults = web().build();
    ScalingPolicy explicit = web().cooldown(ScalingPolicy.DEFAULT_COOLDOWN).enabled(true).build();

    assertThat(EnumSet.allOf(ScalingPolicy.Field.class)).noneMatch(defaults::isSet);
    assertThat(EnumSet.allOf(ScalingPolicy.Field.class)).filteredOn(explicit::isSet)
        .containsExactly(ScalingPolicy.Field.ENABLED, ScalingPolicy.Field.COOLDOWN);
    assertThat(explicit).isEqualTo(defaults).hasSameHashCodeAs(defaults);
  }

  @Test
  void checkIsSet_explicitDefaultWindow_isSetButEqual() {
    Check explicit = CPU.toBuilder().queryWindow(Check.DEFAULT_QUERY_WINDOW).build();

    assertThat(CPU.isSet(Check.Field.QUERY_WINDOW)).isFalse();
    assertThat(explicit.isSet(Check.Field.QUERY_WINDOW)).isTrue();
    assertThat(explicit.isSet(Check.Field.DEMAND)).isFalse();
    assertThat(explicit).isEqualTo(CPU).hasSameHashCodeAs(CPU);
  }

  @Test
  void toBuilder_unchanged_roundTripsValuesAndSetness() {
    ScalingPolicy p = web().origin("policies/web.hcl").min(1).cooldown(Duration.ofMinutes(2))
        .cooldownOnScaleUp(Duration.ofSeconds(30)).evaluationInterval(Duration.ofSeconds(15))
        .onCheckError(OnError.FAIL).type("cluster").schedule(OFFICE).build();

    ScalingPolicy copy = p.toBuilder().build();

    assertThat(copy).isEqualTo(p).hasToString(p.toString());
    assertThat(copy.id()).isEqualTo(ScalingPolicy.idOf("policies/web.hcl", "web"));
    assertThat(EnumSet.allOf(ScalingPolicy.Field.class)).allMatch(f -> copy.isSet(f) == p.isSet(f));
  }

  @Test
  void toBuilder_newCooldown_keepsEveryOtherFieldAndTheScheduleAndScaleUpFollows() {
    ScalingPolicy p = web().schedule(OFFICE).evaluationInterval(Duration.ofSeconds(30)).build();

    ScalingPolicy q = p.toBuilder().cooldown(Duration.ofMinutes(1)).build();

    assertThat(q.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(q.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(1));
    assertThat(q.schedule()).contains(OFFICE);
    assertThat(q.toBuilder().cooldown(p.cooldown()).build()).isEqualTo(p);
  }

  @Test
  void toBuilder_scaleUpCooldownSet_staysWhenTheCooldownChanges() {
    ScalingPolicy p = web().cooldownOnScaleUp(Duration.ofSeconds(30)).build();

    assertThat(p.toBuilder().cooldown(Duration.ofMinutes(1)).build().cooldownOnScaleUp())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void checks_onACopy_replacesTheChecksInOrder() {
    Check mem = Check.of("mem", "prometheus", "avg(mem)", PluginRef.of("target-value", Map.of("target", "80")));

    ScalingPolicy p = web().build().toBuilder().checks(List.of(mem, CPU)).build();

    assertThat(p.checks()).containsExactly(mem, CPU);
  }

  @Test
  void checkToBuilder_everyField_roundTrips() {
    Check full = Check.builder().name("q").source("prometheus").query("sum(q)").queryWindow(Duration.ofMinutes(5))
        .queryWindowOffset(Duration.ofMinutes(1)).group("load").strategy(PluginRef.of("threshold", Map.of()))
        .onError(OnError.FAIL).demand(true).build();

    Check copy = full.toBuilder().build();

    assertThat(copy).isEqualTo(full).hasToString(full.toString());
    assertThat(EnumSet.allOf(Check.Field.class)).allMatch(copy::isSet);
    assertThat(copy.withDemand(false).demand()).isFalse();
    assertThat(copy.group()).contains("load");
    assertThat(copy.onError()).contains(OnError.FAIL);
  }
}
