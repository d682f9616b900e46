package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ValidateCommandTest {
  private final CliRun cli = new CliRun();

  @TempDir
  Path dir;

  private int validate(String... args) {
    return cli.execute("validate", args);
  }

  @Test
  void validate_examples_allValid() {
    int status = validate("../examples/policies");

    assertThat(status).isZero();
    assertThat(cli.out()).endsWith("4 policies are valid" + System.lineSeparator())
        .contains("note: the keys of target 'aws-asg' were not checked");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void validate_examplesWithTheirAgentFile_allValid() {
    int status = validate("--config", "../examples/agent.hcl", "../examples/policies");

    assertThat(status).isZero();
    assertThat(cli.out()).doesNotContain("target 'aws-asg' were not checked").endsWith("4 policies are valid"
        + System.lineSeparator());
  }

  @Test
  void validate_nomadExamplesWithTheirAgentFile_allValid() {
    int status = validate("--config", "../examples/agent.hcl", "../examples/nomad-policies");

    assertThat(status).isZero();
    assertThat(cli.out()).doesNotContain("were not checked").endsWith("2 policies are valid" + System.lineSeparator());
  }

  private Path policy(String check, String target) throws IOException {
    return Files.writeString(dir.resolve("p.hcl"), """
        scaling "web" {
          enabled = true
          min = 1
          max = 5
          policy {
            check "cpu" {
              source = "prometheus"
              query  = "up"
              %s
            }
            %s
          }
        }
        """.formatted(check, target));
  }

  private Path agentFile() throws IOException {
    return Files.writeString(dir.resolve("agent.hcl"), """
        target "web" {
          driver = "validating-test"
        }
        """);
  }

  private static final String GOOD_STRATEGY = "strategy \"target-value\" { target = 70 }";
  private static final String GOOD_TARGET = "target \"web\" { group = \"web\" }";

  @Test
  void validate_goodPluginsWithAgentFile_valid() throws IOException {
    Path file = policy(GOOD_STRATEGY, GOOD_TARGET);

    int status = validate("--config", agentFile().toString(), file.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).isEqualToIgnoringNewLines("1 policy is valid");
  }

  @Test
  void validate_badStrategyValue_namesFilePolicyCheckAndKey() throws IOException {
    Path file = policy("strategy \"target-value\" { target = \"abc\" }", GOOD_TARGET);

    int status = validate("--config", agentFile().toString(), file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': check 'cpu': strategy 'target-value': target was 'abc' but it")
        .contains("1 problem found");
  }

  @Test
  void validate_unknownStrategyKey_namesIt() throws IOException {
    Path file = policy("strategy \"target-value\" {\n target = 70\n treshold = 0.1\n }", GOOD_TARGET);

    int status = validate("--config", agentFile().toString(), file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': check 'cpu': strategy 'target-value': 'treshold' is not a known key");
  }

  @Test
  void validate_unknownStrategy_listsTheKnownOnes() throws IOException {
    Path file = policy("strategy \"target-valu\" { target = 70 }", GOOD_TARGET);

    int status = validate("--config", agentFile().toString(), file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': check 'cpu': strategy 'target-valu': unknown strategy 'target-valu'; available:")
        .contains("target-value");
  }

  @Test
  void validate_unknownTarget_listsTheKnownOnes() throws IOException {
    Path file = policy(GOOD_STRATEGY, "target \"aws-agg\" { aws_asg_name = \"web\" }");

    int status = validate(file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': target 'aws-agg': unknown target 'aws-agg'; available:")
        .contains("aws-asg");
  }

  @Test
  void validate_unknownTargetKey_namesFilePolicyTargetAndKey() throws IOException {
    Path file = policy(GOOD_STRATEGY, "target \"web\" {\n group = \"web\"\n grp = \"x\"\n }");

    int status = validate("--config", agentFile().toString(), file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': target 'web': 'grp' is not a known key")
        .contains("1 problem found");
  }

  @Test
  void validate_misspeltAwsAsgKey_isRefusedAtBindNamingIt() throws IOException {
    Path file = policy(GOOD_STRATEGY, "target \"aws-asg\" {\n aws_asg_nme = \"web\"\n }");

    int status = validate("--config", "../examples/agent.hcl", file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ": policy 'web': target 'aws-asg': ").contains("aws_asg_nme")
        .contains("aws_asg_name");
  }

  @Test
  void validate_targetBlockThatCannotBeCreated_isAProblemOfTheAgentFile() throws IOException {
    Path agent = Files.writeString(dir.resolve("agent.hcl"), """
        target "web" {
          driver = "validating-test"
          config = { regio = "x" }
        }
        """);
    Path file = policy(GOOD_STRATEGY, GOOD_TARGET);

    int status = validate("--config", agent.toString(), file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(": target \"web\": 'regio' is not a known key");
  }

  @Test
  void validate_syntaxError_printsFileAndLineAndFails() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.hcl"), "scaling \"x\" {\n  min = 1\n  policy {\n");

    int status = validate(broken.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).startsWith(broken + ":3:").contains("never closed").contains("1 problem found");
  }

  @Test
  void validate_directoryWithGoodAndBadFiles_reportsEveryProblemOfTheBadOnes() throws IOException {
    Files.copy(Path.of("../examples/policies/aws-burst.hcl"), dir.resolve("a.hcl"));
    Files.writeString(dir.resolve("b.hcl"), """
        scaling "b" {
          min = 5
          max = 2
          policy {
            target "aws-asg" { aws_asg_name = "g" }
          }
        }
        """);

    int status = validate(dir.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err())
        .contains(dir.resolve("b.hcl") + ": policy 'b'")
        .contains("max")
        .contains("check")
        .doesNotContain("a.hcl")
        .contains("2 problems found");
  }

  @Test
  void validate_missingPath_fails() {
    int status = validate(dir.resolve("nope.hcl").toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains("nope.hcl: no such file or directory");
  }

  @Test
  void validate_noPath_isAUsageError() {
    assertThat(validate()).isEqualTo(2);
  }

  @Test
  void validate_peersDemoAndFixturePolicies_withTheDemoAgentFile_loadOrAreRefusedAsThePeerRefuses() {
    int status = validate("-config", "src/test/resources/peer/demo-aws-agent.hcl",
        "src/test/resources/peer/policies");

    // The peer's parser fixture says on_check_error = "error", which the peer's own validation
    // (sdk/policy.go: "only fail and ignore are allowed") refuses as well; the demo's policy loads.
    assertThat(cli.err()).isEqualToIgnoringNewLines("src/test/resources/peer/policies/full-cluster-policy.hcl: "
        + "policy 'full-cluster-policy': on_check_error was 'error' but it must be one of ignore, fail"
        + "1 problem found");
    assertThat(status).isEqualTo(1);
  }

  @Test
  void validate_peersDemoAwsPolicy_withItsDryRunKey_isValid() {
    int status = validate("-config", "src/test/resources/peer/demo-aws-agent.hcl",
        "src/test/resources/peer/policies/hashistack.hcl");

    assertThat(cli.err()).isEmpty();
    assertThat(status).isZero();
    assertThat(cli.out()).contains("1 policy is valid");
  }

  @Test
  void validate_filesOrTheirDirectory_agreeOnTheSameNameInTwoFiles() throws IOException {
    Path a = Files.writeString(dir.resolve("a.hcl"), POLICY_ENABLED);
    Path b = Files.writeString(dir.resolve("b.hcl"), POLICY_ENABLED);

    int files = validate(a.toString(), b.toString());
    CliRun again = new CliRun();
    int directory = again.execute("validate", dir.toString());

    assertThat(files).isZero();
    assertThat(directory).isZero();
    assertThat(again.out()).contains("2 policies are valid");
  }

  @Test
  void validate_policyWithoutEnabled_isValidButNotedAsDisabled() throws IOException {
    Path p = Files.writeString(dir.resolve("p.hcl"), POLICY_ENABLED.replace("enabled = true", ""));

    int status = validate(p.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains("policy 'web': disabled (no enabled = true)");
  }

  @Test
  void validate_lint_printsEachWarningWithFilePolicyAndCheck_andExitsZero() throws IOException {
    Path p = Files.writeString(dir.resolve("p.hcl"), POLICY_ENABLED);

    int status = validate("--lint", p.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains(p + ": policy 'web': check 'cpu': warning: threshold 0.01 (the default) is "
        + "below 0.2, one instance's share at max = 5")
        .endsWith("1 policy is valid, with 1 warning" + System.lineSeparator());
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void validate_strictExamples_passBecauseEachIgnoresTheRulesThatDoNotApply() {
    int status = validate("--strict", "../examples/policies");

    assertThat(status).isZero();
    assertThat(cli.out()).doesNotContain("warning").endsWith("4 policies are valid" + System.lineSeparator());
  }

  @Test
  void validate_lintExampleWithoutItsLintBlock_warnsAboutMinZero() throws IOException {
    Path p = Files.writeString(dir.resolve("aws-burst.hcl"), Files.readString(Path.of("../examples/policies/aws-burst.hcl"))
        .replace("ignore = [\"min-zero-without-demand\", ", "ignore = ["));

    int status = validate("--lint", p.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains(p + ": policy 'aws_burst': warning: min is 0 but no check is a demand check")
        .endsWith("1 policy is valid, with 1 warning" + System.lineSeparator());
  }

  @Test
  void validate_withoutLint_printsNoWarnings() throws IOException {
    Path p = Files.writeString(dir.resolve("p.hcl"), POLICY_ENABLED);

    int status = validate(p.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).doesNotContain("warning").endsWith("1 policy is valid" + System.lineSeparator());
  }

  @Test
  void validate_strictWithAWarning_exitsOne() throws IOException {
    Path p = Files.writeString(dir.resolve("p.hcl"), POLICY_ENABLED);

    int status = validate("--strict", p.toString());

    assertThat(status).isOne();
    assertThat(cli.out()).contains("warning: threshold 0.01");
    assertThat(cli.err()).contains("1 warning found (--strict)");
  }

  @Test
  void validate_strictWithASoundPolicy_exitsZero() throws IOException {
    Path p = Files.writeString(dir.resolve("p.hcl"), SOUND);

    int status = validate("--strict", p.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).doesNotContain("warning").endsWith("1 policy is valid" + System.lineSeparator());
  }

  @Test
  void validate_lintTwoFilesOnOneTarget_warnsAboutTheSharedGroup() throws IOException {
    Path a = Files.writeString(dir.resolve("a.hcl"), SOUND);
    Path b = Files.writeString(dir.resolve("b.hcl"), SOUND);

    int status = validate("--lint", a.toString(), b.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains(b + ": policy 'web': warning: target 'aws-asg' with the same configuration "
        + "is also scaled by policy 'web' in " + a);
  }

  private static final String POLICY_ENABLED = """
      scaling "web" {
        enabled = true
        min = 1
        max = 5
        policy {
          check "cpu" {
            source = "prometheus"
            query  = "up"
            strategy "target-value" { target = 70 }
          }
          target "aws-asg" {
            dry-run      = "true"
            aws_asg_name = "web"
          }
        }
      }
      """;

  /** {@link #POLICY_ENABLED} with a target-value tolerance above one instance's share at max, so no warning. */
  private static final String SOUND = POLICY_ENABLED.replace("{ target = 70 }",
      "{\n target = 70\n threshold = 0.25\n}");
}
