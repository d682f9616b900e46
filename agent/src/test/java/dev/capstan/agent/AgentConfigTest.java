package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class AgentConfigTest {
  @Test
  void parse_exampleFile_readsEveryBlock() {
    AgentConfig config = AgentConfig.parse(Path.of("../examples/agent.hcl"));

    assertThat(config.apms()).containsOnlyKeys("prometheus");
    assertThat(config.apms().get("prometheus").config()).containsEntry("address", "http://127.0.0.1:9090");
    assertThat(config.targets().get("aws-asg")).isEqualTo(
        new AgentConfig.PluginBlock("aws-asg", "aws-asg", Map.of("aws_region", "eu-west-1"), Optional.of("nomad")));
    assertThat(config.nodePools().get("nomad")).isEqualTo(
        new AgentConfig.PluginBlock("nomad", "nomad", Map.of("address", "http://127.0.0.1:4646")));
    assertThat(config.strategies()).containsOnlyKeys("target-value");
    assertThat(config.policyDir()).contains(Path.of("examples/policies"));
    assertThat(config.defaultCooldown()).contains(Duration.ofMinutes(5));
    assertThat(config.defaultEvaluationInterval()).contains(Duration.ofMinutes(1));
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.bindPort()).isEqualTo(8080);
  }

  @Test
  void parse_nomadOnlySettings_areIgnoredAndListed() {
    AgentConfig config = AgentConfig.parse("log_level = \"DEBUG\"\nnomad {\n  address = \"http://nomad:4646\"\n}\n",
        "a.hcl");

    assertThat(config.ignored()).containsExactlyInAnyOrder("log_level", "nomad");
    assertThat(config.bindAddress()).isEqualTo(AgentConfig.DEFAULT_BIND_ADDRESS);
    assertThat(config.stateDir()).isEqualTo(Optional.empty());
  }

  @Test
  void parse_directories_keptAsWritten() {
    AgentConfig config = AgentConfig.parse("policy {\n  dir = \"policies\"\n}\nstate_dir = \"state\"\n", "a.hcl");

    assertThat(config.policyDir()).contains(Path.of("policies"));
    assertThat(config.stateDir()).contains(Path.of("state"));
  }

  @Test
  void parse_severalProblems_reportsThemAllNamingTheFile() {
    String hcl = """
        apm "prometheus" {
          config = { address = "http://x" }
        }
        policy {
          default_cooldown = "soon"
        }
        http {
          bind_port = 70000
          bind_adress = "0.0.0.0"
        }
        telemetry_x = 1
        """;

    assertThatThrownBy(() -> AgentConfig.parse(hcl, "agent.hcl"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(5))
        .hasMessageContaining("agent file agent.hcl")
        .hasMessageContaining("apm \"prometheus\": driver is required but was missing")
        .hasMessageContaining("policy block: default_cooldown was 'soon'")
        .hasMessageContaining("http block: bind_port was '70000' but it must be between 0 and 65535")
        .hasMessageContaining("'bind_adress' is not a known key")
        .hasMessageContaining("'telemetry_x' is not a known setting");
  }
}
