package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Schedule;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent file's {@code default_cooldown} and {@code default_evaluation_interval}, as the loaded policies see them. */
final class AgentDefaultsTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  @TempDir
  Path policies;
  @TempDir
  Path state;

  private static String policy(String name, String policyAttributes) {
    return """
        scaling "%s" {
          enabled = true
          max = 20
          policy {
            %s
            check "fixed" {
              strategy "fixed-value" { value = 3 }
            }
            target "mem" {}
          }
        }
        """.formatted(name, policyAttributes);
  }

  /** Loads every file into an agent whose file sets both defaults to one minute. */
  private ScalingPolicy load(String name, String policyAttributes) throws IOException {
    Files.writeString(policies.resolve(name + ".hcl"), policy(name, policyAttributes));
    AgentConfig config = new AgentConfig(Map.of(), Map.of(), Map.of(), Map.of(), Optional.empty(),
        Optional.of(Duration.ofMinutes(1)), Optional.of(Duration.ofMinutes(1)), "127.0.0.1", 0, Optional.empty(),
        List.of(), "agent.hcl");
    try (Agent agent = new Agent(config, new Agent.Options(policies, state, false, Duration.ZERO),
        b -> b.clock(clock).scheduler(scheduler).executor(Runnable::run).jitter(0)
            .target("mem", InMemoryTarget.withCount(2)))) {
      return agent.policies().values().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
  }

  @Test
  void defaultCooldown_policyWithASchedule_keepsTheSchedule() throws IOException {
    ScalingPolicy p = load("office", """
        schedule {
          start = "0 8 * * mon-fri"
          end   = "0 20 * * mon-fri"
        }
        """);

    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.schedule()).contains(Schedule.between("0 8 * * mon-fri", "0 20 * * mon-fri", ZoneId.of("UTC")));
  }

  @Test
  void defaultCooldown_policySetsNomadsDefaultExplicitly_keepsIt() throws IOException {
    ScalingPolicy p = load("web", """
        cooldown            = "5m"
        evaluation_interval = "10s"
        """);

    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void defaults_policySetsNeither_getsBothAndTheScaleUpCooldownFollows() throws IOException {
    ScalingPolicy p = load("bare", "");

    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void defaultCooldown_policySetsOnlyTheScaleUpCooldown_keepsThatOne() throws IOException {
    ScalingPolicy p = load("up", "cooldown_on_scale_up = \"30s\"");

    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.cooldownOnScaleUp()).isEqualTo(Duration.ofSeconds(30));
  }
}
