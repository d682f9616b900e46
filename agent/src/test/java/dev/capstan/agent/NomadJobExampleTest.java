package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code examples/nomad/capstan.nomad.hcl} and {@code capstan validate} on Nomad job files. */
final class NomadJobExampleTest {
  private static final Path JOB = Path.of("../examples/nomad/capstan.nomad.hcl");

  private final CliRun cli = new CliRun();

  @TempDir
  Path dir;

  @Test
  void exampleJob_runsCapstanWithTheSeedsCommandLine() throws IOException {
    String text = Files.readString(JOB);

    assertThat(text).containsPattern("driver\\s*=\\s*\"exec\"")
        .containsPattern("command\\s*=\\s*\"local/capstan-0\\.1\\.0/bin/capstan\"")
        .containsPattern("args = \\[\\s*\"agent\",\\s*\"-config\",\\s*\"\\$\\{NOMAD_TASK_DIR}/config\\.hcl\",\\s*"
            + "\"-http-bind-address\",\\s*\"0\\.0\\.0\\.0\",\\s*\"-policy-dir\",\\s*\"\\$\\{NOMAD_TASK_DIR}/policies/\",\\s*]");
  }

  @Test
  void exampleJob_agentFileTemplate_isAValidAgentFileOnceRendered() throws IOException {
    NomadJobTemplates.Template config = NomadJobTemplates.of(Files.readString(JOB)).stream()
        .filter(t -> t.destination().equals("${NOMAD_TASK_DIR}/config.hcl")).findFirst().orElseThrow();
    // What Nomad renders: the actions' values; any text will do for a parse.
    String rendered = config.data().replaceAll("\\{\\{[^}]*}}", "x");

    AgentConfig agent = AgentConfig.parse(rendered, "config.hcl");

    assertThat(agent.apms()).containsOnlyKeys("prometheus");
    assertThat(agent.targets()).containsOnlyKeys("aws-asg");
    assertThat(agent.targets().get("aws-asg").nodePool()).hasValue("nomad");
  }

  @Test
  void validate_exampleJob_checksThePolicyItsTemplateCarries() {
    int status = cli.execute("validate", "--config", "../examples/agent.hcl", JOB.toString());

    assertThat(cli.err()).isEmpty();
    assertThat(status).isZero();
    assertThat(cli.out()).endsWith("1 policy is valid" + System.lineSeparator());
  }

  private Path job(String policy) throws IOException {
    return Files.writeString(dir.resolve("job.nomad.hcl"), """
        job "autoscaler" {
          group "g" {
            task "t" {
              template {
                data = <<EOF
        %s
        EOF
                destination = "local/policies/p.hcl"
              }
            }
          }
        }
        """.formatted(policy));
  }

  @Test
  void validate_jobWithABadPolicyTemplate_namesTheJobFileLineAndTemplate() throws IOException {
    Path file = job("""
        scaling "web" {
          enabled = true
          min = 1
          max = "lots"
          policy {
            check "c" {
              strategy "fixed-value" { value = 2 }
            }
          }
        }""");

    int status = cli.execute("validate", file.toString());

    assertThat(status).isEqualTo(1);
    assertThat(cli.err()).contains(file + ":6 (template local/policies/p.hcl)").contains("max");
  }

  @Test
  void validate_policyTemplateWithTemplateActions_isNotedNotChecked() throws IOException {
    Path file = job("""
        scaling "web" {
          enabled = true
          min = 1
          max = {{ key "autoscaler/web/max" }}
        }""");

    int status = cli.execute("validate", file.toString());

    assertThat(status).isZero();
    assertThat(cli.out()).contains("note: " + file + ":6 (template local/policies/p.hcl) has Nomad template actions")
        .contains("0 policies are valid");
  }

  @Test
  void templates_eachGetsTheDestinationOfItsOwnBlock() {
    List<NomadJobTemplates.Template> found = NomadJobTemplates.of("""
        job "j" {
          template {
            data = <<EOF
        a
        EOF
          }
          template {
            data = <<-EOT
            b
            EOT
            destination = "second"
          }
        }
        """);

    assertThat(found).extracting(NomadJobTemplates.Template::destination).containsExactly("", "second");
    assertThat(found).extracting(NomadJobTemplates.Template::data).containsExactly("a", "    b");
  }
}
