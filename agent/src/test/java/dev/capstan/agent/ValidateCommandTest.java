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
    assertThat(cli.out()).isEqualToIgnoringNewLines("3 policies are valid");
    assertThat(cli.err()).isEmpty();
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
}
