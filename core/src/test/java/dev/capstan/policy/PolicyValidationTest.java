package dev.capstan.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PolicyValidationTest {
  private static final String P = "policies/web.hcl: policy 'web': ";
  private static final String C = P + "check 'cpu': ";
  /** A check built on its own does not know its policy, so its messages start with the check. */
  private static final String BUILT_C = "check 'cpu': ";
  private static final String ORIGIN = "policies/web.hcl";

  /** Wraps a policy block's body into a complete file with a valid check and target. */
  private static String policy(String scaling, String policy, String check) {
    return """
        scaling "web" {
          %s
          policy {
            %s
            check "cpu" {
              %s
            }
            target "aws-asg" { aws_asg_name = "web" }
          }
        }
        """.formatted(scaling, policy, check);
  }

  private static final String GOOD_CHECK = """
      source = "prometheus"
      query  = "avg(cpu)"
      strategy "target-value" { target = 70 }
      """;

  private static List<String> problems(String hcl) {
    return catchThrowableOfType(PolicyException.class, () -> Policies.parse(hcl, ORIGIN)).problems();
  }

  private static List<String> problems(ScalingPolicy.Builder builder) {
    return catchThrowableOfType(PolicyException.class, builder::build).problems();
  }

  private static List<String> problems(Check.Builder builder) {
    return catchThrowableOfType(PolicyException.class, builder::build).problems();
  }

  /** A builder holding the same valid policy as {@code policy("max = 3", "", GOOD_CHECK)}. */
  private static ScalingPolicy.Builder valid() {
    return ScalingPolicy.builder().origin(ORIGIN).name("web").max(3)
        .check(Check.of("cpu", "prometheus", "avg(cpu)", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of("aws_asg_name", "web")));
  }

  @Test
  void baseline_validPolicy_parsesAndEqualsTheBuiltOne() {
    assertThat(Policies.parse(policy("max = 3", "", GOOD_CHECK), ORIGIN)).containsExactly(valid().build());
  }

  @Test
  void min_negative_isRefusedInFileAndBuilder() {
    String expected = P + "min was '-1' but it must be at least 0";
    assertThat(problems(policy("min = -1\nmax = 3", "", GOOD_CHECK))).containsExactly(expected);
    assertThat(problems(valid().min(-1))).containsExactly(expected);
  }

  @Test
  void max_belowMin_isRefusedInFileAndBuilder() {
    String expected = P + "max was '3' but it must be at least min (5)";
    assertThat(problems(policy("min = 5\nmax = 3", "", GOOD_CHECK))).containsExactly(expected);
    assertThat(problems(valid().min(5))).containsExactly(expected);
  }

  @Test
  void max_missing_isRefusedInFileAndBuilder() {
    String expected = P + "max is required but was missing";
    assertThat(problems(policy("min = 1", "", GOOD_CHECK))).containsExactly(expected);
    ScalingPolicy.Builder noMax = ScalingPolicy.builder().origin(ORIGIN).name("web")
        .check(Check.of("cpu", "prometheus", "avg(cpu)", PluginRef.of("target-value", Map.of("target", "70"))))
        .target(PluginRef.of("aws-asg", Map.of()));
    assertThat(problems(noMax)).containsExactly(expected);
  }

  @Test
  void scalingAttributes_wrongTypes_areAllReportedAtOnce() {
    assertThat(problems(policy("min = 1.5\nmax = \"ten\"\nenabled = \"yes\"\ntype = \"vertical\"", "", GOOD_CHECK)))
        .containsExactly(
            P + "enabled was 'yes' but it must be true or false",
            P + "min was '1.5' but it must be a whole number",
            P + "max was 'ten' but it must be a whole number",
            P + "type was 'vertical' but it must be one of horizontal, cluster");
  }

  @Test
  void type_unknown_isRefusedInBuilderToo() {
    assertThat(problems(valid().type("vertical")))
        .containsExactly(P + "type was 'vertical' but it must be one of horizontal, cluster");
  }

  @Test
  void policyAttributes_unknown_suggestOrListOrRedirect() {
    assertThat(problems(policy("max = 3", "evalution_interval = \"1m\"\nfoo = 1\nmin = 2", GOOD_CHECK)))
        .containsExactly(
            P + "evalution_interval is not a known attribute; did you mean evaluation_interval?",
            P + "foo is not a known attribute; known attributes are behavior, check, cooldown, cooldown_on_scale_up, "
                + "evaluation_interval, lint, on_check_error, schedule, target",
            P + "min is not a known attribute here; it belongs in the scaling block");
  }

  @Test
  void scalingAttributes_unknown_suggestOrRedirect() {
    assertThat(problems(policy("max = 3\ncooldown = \"1m\"\nenabeld = true", "", GOOD_CHECK)))
        .containsExactly(
            P + "cooldown is not a known attribute here; it belongs in the policy block",
            P + "enabeld is not a known attribute; did you mean enabled?");
  }

  @Test
  void topLevel_unknownBlock_isRefused() {
    assertThat(problems(policy("max = 3", "", GOOD_CHECK) + "min = 1\n")).containsExactly(
        "policies/web.hcl: min is not a known top-level block; a policy file holds only scaling \"<name>\" { ... } blocks");
  }

  @Test
  void scaling_withoutName_isRefused() {
    assertThat(problems("scaling { max = 3 }\n")).containsExactly("policies/web.hcl: scaling blocks need a name: "
        + "scaling \"<name>\" { ... } (found attribute max directly inside scaling)");
  }

  @Test
  void scaling_blankName_isRefusedInFileAndBuilder() {
    String expected = "policies/web.hcl: a policy needs a name: scaling \"<name>\" { ... }";
    assertThat(problems(policy("max = 3", "", GOOD_CHECK).replace("\"web\"", "\"\""))).containsExactly(expected);
    assertThat(problems(valid().name(" "))).containsExactly(expected);
  }

  @Test
  void durations_unparseableZeroOrNegative_areAllReported() {
    assertThat(problems(policy("max = 3", "cooldown = \"5 minutes\"\ncooldown_on_scale_up = \"0\"\n"
        + "evaluation_interval = \"-1s\"\non_check_error = \"maybe\"", GOOD_CHECK)))
        .containsExactly(
            P + "cooldown was '5 minutes' but it must be a duration such as 90s, 5m or 1h30m",
            P + "on_check_error was 'maybe' but it must be one of ignore, fail",
            P + "cooldown_on_scale_up was '0s' but it must be a positive duration",
            P + "evaluation_interval was '-1s' but it must be a positive duration");
  }

  @Test
  void durations_zeroOrNegative_areRefusedInBuilderToo() {
    assertThat(problems(valid().cooldown(Duration.ZERO).cooldownOnScaleUp(Duration.ofSeconds(-1))
        .evaluationInterval(Duration.ZERO)))
        .containsExactly(
            P + "cooldown was '0s' but it must be a positive duration",
            P + "cooldown_on_scale_up was '-1s' but it must be a positive duration",
            P + "evaluation_interval was '0s' but it must be a positive duration");
  }

  @Test
  void checkAttributes_badValuesAndTypos_areAllReported() {
    assertThat(problems(policy("max = 3", "", "query_window = \"0s\"\nquery_window_offset = \"-1m\"\n"
        + "on_error = \"panic\"\nquerry = \"x\"\nstrategy \"target-value\" { target = 70 }")))
        .containsExactly(
            C + "querry is not a known attribute; did you mean query?",
            C + "on_error was 'panic' but it must be one of ignore, fail",
            C + "source is required but was missing (the metric source, e.g. \"prometheus\")",
            C + "query is required but was missing",
            C + "query_window was '0s' but it must be a positive duration",
            C + "query_window_offset was '-1m0s' but it must not be negative");
  }

  @Test
  void check_badWindowsAndMissingQuery_areRefusedInBuilderToo() {
    Check.Builder check = Check.builder().name("cpu").queryWindow(Duration.ZERO)
        .queryWindowOffset(Duration.ofMinutes(-1)).strategy(PluginRef.of("target-value", Map.of()));

    assertThat(problems(check)).containsExactly(
        BUILT_C + "source is required but was missing (the metric source, e.g. \"prometheus\")",
        BUILT_C + "query is required but was missing",
        BUILT_C + "query_window was '0s' but it must be a positive duration",
        BUILT_C + "query_window_offset was '-1m0s' but it must not be negative");
  }

  @Test
  void check_withoutStrategy_isRefusedInFileAndBuilder() {
    String rule = "it has no strategy but it needs one: strategy \"<name>\" { ... }";
    assertThat(problems(policy("max = 3", "", "source = \"p\"\nquery = \"q\""))).containsExactly(C + rule);
    assertThat(problems(Check.builder().name("cpu").source("p").query("q"))).containsExactly(BUILT_C + rule);
    assertThat(problems(Check.builder().name("cpu").source("p").query("q").strategy(PluginRef.of("", Map.of()))))
        .containsExactly(BUILT_C + rule);
  }

  @Test
  void check_fixedValueStrategy_needsNoSourceOrQuery() {
    String hcl = policy("max = 3", "", "strategy \"fixed-value\" { value = 2 }");

    assertThat(Policies.parse(hcl, ORIGIN).get(0).checks().get(0).source()).isEmpty();
  }

  @Test
  void check_twoStrategies_isRefused() {
    assertThat(problems(policy("max = 3", "", "strategy \"a\" {}\nstrategy \"b\" {}\nsource = \"p\"\nquery = \"q\"")))
        .containsExactly(C + "it has 2 strategy blocks (a, b) but it needs exactly one");
  }

  @Test
  void strategy_withoutName_isRefused() {
    assertThat(problems(policy("max = 3", "", "strategy { target = 70 }\nsource = \"p\"\nquery = \"q\"")))
        .containsExactly(C + "strategy blocks need a name: strategy \"<name>\" { ... } "
            + "(found attribute target directly inside strategy)");
  }

  @Test
  void strategy_nonLiteralAttributes_areRefused() {
    assertThat(problems(policy("max = 3", "",
        "strategy \"t\" {\n target = [1, 2]\n nested = { a = 1 }\n ref = var.x\n}\nsource = \"p\"\nquery = \"q\"")))
        .containsExactly(
            C + "strategy 't': target is a list but it must be a string, number or boolean",
            C + "strategy 't': nested is a block but it must be a string, number or boolean",
            C + "strategy 't': ref was 'var.x' but it must be a string, number or boolean (quote strings: \"var.x\")");
  }

  @Test
  void policy_withoutPolicyBlock_isRefused() {
    assertThat(problems("scaling \"web\" { max = 3 }\n"))
        .containsExactly(P + "it has no policy block but it needs one: policy { check ... target ... }");
  }

  @Test
  void policy_policyNotABlock_isRefused() {
    assertThat(problems(policy("max = 3", "", GOOD_CHECK).replace("policy {", "policy = 3\npolicy2 {")))
        .containsExactly(P + "policy2 is not a known attribute; did you mean policy?",
            P + "policy must be a block { ... } but it is '3'");
  }

  @Test
  void policy_withoutTarget_isRefusedInFileAndBuilder() {
    String expected = P + "it has no target but it needs one: target \"<name>\" { ... }";
    assertThat(problems("scaling \"web\" {\n max = 3\n policy {\n check \"cpu\" {\n" + GOOD_CHECK + "}\n}\n}\n"))
        .containsExactly(expected);
    ScalingPolicy.Builder b = ScalingPolicy.builder().origin(ORIGIN).name("web").max(3)
        .check(Check.of("cpu", "p", "q", PluginRef.of("target-value", Map.of())));
    assertThat(problems(b)).containsExactly(expected);
  }

  @Test
  void policy_withoutChecks_isRefusedInFileAndBuilder() {
    String expected = P + "it has no check but it needs at least one: check \"<name>\" { ... }";
    assertThat(problems("scaling \"web\" {\n max = 3\n policy {\n target \"x\" {}\n}\n}\n")).containsExactly(expected);
    assertThat(problems(ScalingPolicy.builder().origin(ORIGIN).name("web").max(3)
        .target(PluginRef.of("x", Map.of())))).containsExactly(expected);
  }

  @Test
  void policy_sameNameTwiceInAFile_isRefused() {
    assertThat(problems(policy("max = 3", "", GOOD_CHECK) + policy("max = 4", "", GOOD_CHECK)))
        .containsExactly(P + "the name is defined 2 times but policy names must be unique");
  }

  @Test
  void check_sameNameTwice_isRefusedInFileAndBuilder() {
    String expected = P + "check 'cpu' is defined more than once but check names must be unique";
    assertThat(problems(policy("max = 3", "", GOOD_CHECK)
        .replace("check \"cpu\" {", "check \"cpu\" {\n" + GOOD_CHECK + "}\ncheck \"cpu\" {")))
        .containsExactly(expected);
    Check cpu = Check.of("cpu", "p", "q", PluginRef.of("target-value", Map.of()));
    assertThat(problems(valid().check(cpu))).containsExactly(expected);
  }

  @Test
  void target_twoBlocks_isRefused() {
    assertThat(problems(policy("max = 3", "target \"gce-mig\" {}", GOOD_CHECK)))
        .containsExactly(P + "it has 2 target blocks (gce-mig, aws-asg) but it needs exactly one");
  }

  @Test
  void problems_acrossLevels_areReportedInOneException() {
    PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parse(
        policy("min = -1\nmax = 3", "evalution_interval = \"1m\"", "query_window = \"soon\"\n" + GOOD_CHECK), ORIGIN));

    assertThat(e.problems()).containsExactly(
        P + "evalution_interval is not a known attribute; did you mean evaluation_interval?",
        C + "query_window was 'soon' but it must be a duration such as 90s, 5m or 1h30m",
        P + "min was '-1' but it must be at least 0");
    assertThat(e).hasMessage(String.join("\n", e.problems()));
  }
}
