package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class PolicyLintTest {
  private static final PluginRef TARGET = PluginRef.of("aws-asg", Map.of("aws_asg_name", "web"));

  /** A sound policy: min 1, cooldown above the interval, a target-value tolerance above 1/max. */
  private static ScalingPolicy.Builder sound() {
    return ScalingPolicy.builder().name("web").origin("web.hcl").min(1).max(10).target(TARGET)
        .check(cpu(Map.of("target", "70", "threshold", "0.1")));
  }

  private static Check cpu(Map<String, String> targetValue) {
    return Check.of("cpu", "prometheus", "avg(cpu)", PluginRef.of("target-value", targetValue));
  }

  private static Check threshold(String name, Map<String, String> config) {
    return Check.of(name, "prometheus", "avg(cpu)", PluginRef.of("threshold", config));
  }

  private static List<String> rules(ScalingPolicy policy) {
    return PolicyLint.lint(policy).stream().map(LintWarning::rule).toList();
  }

  @Test
  void lint_soundPolicy_noWarnings() {
    assertThat(PolicyLint.lint(sound().build())).isEmpty();
  }

  @Test
  void lint_cooldownShorterThanInterval_warnsWithBothDurations() {
    ScalingPolicy policy = sound().cooldown(Duration.ofSeconds(5)).evaluationInterval(Duration.ofSeconds(30))
        .check(Check.builder().name("mem").source("prometheus").query("avg(mem)").queryWindow(Duration.ofMinutes(1))
            .strategy(PluginRef.of("target-value", Map.of("target", "70", "threshold", "0.1"))).build())
        .build();

    List<LintWarning> warnings = PolicyLint.lint(policy);

    assertThat(warnings).extracting(LintWarning::rule).containsExactly("cooldown-below-interval");
    assertThat(warnings.get(0).toString()).isEqualTo("web.hcl: policy 'web': warning: cooldown PT5S is shorter "
        + "than evaluation_interval PT30S, so it never delays an evaluation");
  }

  @Test
  void lint_cooldownOnScaleUpShorterThanInterval_warns() {
    assertThat(rules(sound().cooldownOnScaleUp(Duration.ofSeconds(1)).build()))
        .containsExactly("cooldown-below-interval");
    assertThat(rules(sound().cooldownOnScaleUp(Duration.ofSeconds(10)).build())).isEmpty();
  }

  @Test
  void lint_queryWindowShorterThanInterval_warnsNamingTheCheck() {
    ScalingPolicy policy = sound().evaluationInterval(Duration.ofMinutes(2)).cooldown(Duration.ofMinutes(5))
        .build();

    List<LintWarning> warnings = PolicyLint.lint(policy);

    assertThat(warnings).extracting(LintWarning::rule).containsExactly("query-window-below-interval");
    assertThat(warnings.get(0).toString()).startsWith("web.hcl: policy 'web': check 'cpu': warning: query_window "
        + "PT1M is shorter than evaluation_interval PT2M");
  }

  @Test
  void lint_instantQuery_isNotAWindowShorterThanTheInterval() {
    ScalingPolicy policy = sound().evaluationInterval(Duration.ofMinutes(2)).cooldown(Duration.ofMinutes(5)).build();
    ScalingPolicy instant = policy.toBuilder()
        .checks(List.of(policy.checks().get(0).toBuilder().queryInstant().build())).build();

    assertThat(rules(instant)).isEmpty();
  }

  @Test
  void lint_minZeroWithOnlyUtilizationChecks_warns() {
    assertThat(rules(sound().min(0).build())).containsExactly("min-zero-without-demand");
    assertThat(PolicyLint.lint(sound().min(0).build()).get(0).message())
        .endsWith("say so with lint { ignore = [\"min-zero-without-demand\"] }");
    assertThat(rules(sound().min(0).checks(List.of(threshold("grow",
        Map.of("lower_bound", "80", "percentage", "50")))).build()))
        .containsExactly("min-zero-without-demand");
  }

  @Test
  void lint_minZeroWithADemandCheckOrADeltaCheck_noWarning() {
    Check pending = Check.of("pending", "prometheus", "sum(blocked)",
        PluginRef.of("threshold", Map.of("lower_bound", "1", "value", "1"))).withDemand(true);
    assertThat(rules(sound().min(0).check(pending).build())).isEmpty();
    assertThat(rules(sound().min(0).checks(List.of(threshold("grow",
        Map.of("lower_bound", "80", "delta", "1")))).build())).isEmpty();
  }

  @Test
  void lint_targetValueThresholdBelowOneInstance_warns() {
    List<LintWarning> explicit = PolicyLint.lint(sound().checks(List.of(cpu(Map.of("target", "70",
        "threshold", "0.05")))).build());
    List<LintWarning> defaulted = PolicyLint.lint(sound().checks(List.of(cpu(Map.of("target", "70")))).build());

    assertThat(explicit).extracting(LintWarning::rule).containsExactly("target-value-threshold-below-step");
    assertThat(explicit.get(0).message()).startsWith("threshold 0.05 is below 0.1, one instance's share at max = 10");
    assertThat(defaulted.get(0).message()).startsWith("threshold 0.01 (the default) is below 0.1");
  }

  @Test
  void lint_targetValueThresholdAtOneInstance_noWarning() {
    assertThat(rules(sound().max(100).checks(List.of(cpu(Map.of("target", "70")))).build())).isEmpty();
  }

  @Test
  void lint_thresholdBandsOverlapInOppositeDirections_warns() {
    ScalingPolicy policy = sound().checks(List.of(
        threshold("out", Map.of("lower_bound", "70", "delta", "1")),
        threshold("in", Map.of("upper_bound", "80", "delta", "-1")))).build();

    List<LintWarning> warnings = PolicyLint.lint(policy);

    assertThat(warnings).extracting(LintWarning::rule).containsExactly("threshold-overlap");
    assertThat(warnings.get(0).toString()).isEqualTo("web.hcl: policy 'web': check 'in': warning: its band "
        + "[70, 80) overlaps check 'out', which scales out while this one scales in, so a metric in the "
        + "overlap makes the policy flap");
  }

  @Test
  void lint_thresholdBandsMeetingWithoutAGap_warns() {
    List<LintWarning> warnings = PolicyLint.lint(sound().checks(List.of(
        threshold("out", Map.of("lower_bound", "70", "delta", "1")),
        threshold("in", Map.of("upper_bound", "70", "delta", "-1")))).build());

    assertThat(warnings).extracting(LintWarning::rule).containsExactly("threshold-no-gap");
    assertThat(warnings.get(0).message()).startsWith("its band meets the band of check 'out' at 70 with no gap");
  }

  @Test
  void lint_thresholdBandsApartOrSameDirectionOrOtherMetric_noWarning() {
    assertThat(rules(sound().checks(List.of(
        threshold("out", Map.of("lower_bound", "70", "delta", "1")),
        threshold("in", Map.of("upper_bound", "40", "delta", "-1")))).build())).isEmpty();
    assertThat(rules(sound().checks(List.of(
        threshold("out", Map.of("lower_bound", "70", "delta", "1")),
        threshold("more", Map.of("lower_bound", "90", "percentage", "50")))).build())).isEmpty();
    assertThat(rules(sound().checks(List.of(
        threshold("out", Map.of("lower_bound", "70", "delta", "1")),
        Check.of("in", "prometheus", "avg(mem)", PluginRef.of("threshold",
            Map.of("upper_bound", "80", "delta", "-1"))))).build())).isEmpty();
  }

  @Test
  void lint_thresholdValuesOverlapWithDifferentCounts_warns() {
    assertThat(rules(sound().checks(List.of(
        threshold("busy", Map.of("lower_bound", "50", "value", "8")),
        threshold("quiet", Map.of("upper_bound", "60", "value", "2")))).build()))
        .containsExactly("threshold-overlap");
  }

  @Test
  void lint_scheduleWhoseEndFiresAtEveryStart_warnsNamingBoth() {
    ScalingPolicy policy = sound().schedule(Schedule.between("0 8 * * mon", "0 8 * * *", ZoneId.of("UTC"))).build();

    List<LintWarning> warnings = PolicyLint.lint(policy);

    assertThat(warnings).extracting(LintWarning::rule).containsExactly("schedule-never-opens");
    assertThat(warnings.get(0).message()).startsWith("schedule.end '0 8 * * *' fires at every minute schedule.start "
        + "'0 8 * * mon' fires");
  }

  @Test
  void lint_scheduleThatOpens_noWarning() {
    assertThat(rules(sound().schedule(Schedule.between("0 8 * * mon", "0 20 * * *", ZoneId.of("UTC"))).build()))
        .isEmpty();
    // Every start minute but one (Monday 08:00 in February) is also an end minute: it opens then.
    assertThat(rules(sound().schedule(Schedule.between("0 8 * * mon", "0 8 * 1,3-12 *", ZoneId.of("UTC"))).build()))
        .isEmpty();
    assertThat(rules(sound().schedule(Schedule.lasting("0 8 * * mon", Duration.ofHours(1), ZoneId.of("UTC")))
        .build())).isEmpty();
  }

  @Test
  void lint_ruleThePolicyIgnores_isNotReportedButOthersAre() {
    ScalingPolicy policy = sound().min(0).cooldown(Duration.ofSeconds(5)).evaluationInterval(Duration.ofSeconds(30))
        .checks(List.of(Check.builder().name("cpu").source("prometheus").query("avg(cpu)")
            .queryWindow(Duration.ofMinutes(1)).strategy(PluginRef.of("target-value", Map.of("target", "70",
                "threshold", "0.1"))).build()))
        .lintIgnored(Set.of(LintRule.MIN_ZERO_WITHOUT_DEMAND)).build();

    assertThat(rules(policy)).containsExactly("cooldown-below-interval");
    assertThat(rules(policy.toBuilder().lintIgnored(Set.of()).build()))
        .containsExactly("cooldown-below-interval", "min-zero-without-demand");
  }

  @Test
  void lint_sharedTargetIgnoredByTheLaterPolicy_isNotReported() {
    ScalingPolicy first = sound().build();
    ScalingPolicy second = sound().name("web-2").origin("web-2.hcl").lintIgnored(Set.of(LintRule.SHARED_TARGET))
        .build();

    assertThat(PolicyLint.lint(List.of(first, second))).isEmpty();
  }

  @Test
  void lint_twoPoliciesOnTheSameTarget_warnsOnTheLater() {
    ScalingPolicy first = sound().build();
    ScalingPolicy second = sound().name("web-2").origin("web-2.hcl").build();
    ScalingPolicy other = sound().name("api").target(PluginRef.of("aws-asg", Map.of("aws_asg_name", "api")))
        .build();

    List<LintWarning> warnings = PolicyLint.lint(List.of(first, other, second));

    assertThat(warnings).extracting(LintWarning::policy, LintWarning::rule)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web-2", "shared-target"));
    assertThat(warnings.get(0).message()).contains("policy 'web' in web.hcl");
  }
}
