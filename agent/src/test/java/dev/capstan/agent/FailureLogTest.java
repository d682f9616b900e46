package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class FailureLogTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final List<String> warnings = new ArrayList<>();
  private final List<String> infos = new ArrayList<>();
  private final FailureLog log = new FailureLog(warnings::add, infos::add, id -> "policy '" + id + "' from a.hcl");

  private static ScalingDecision decision(Outcome outcome, String error, Duration after) {
    return new ScalingDecision("web", "web", T0.plus(after), OptionalLong.empty(), List.of(), Optional.empty(),
        List.of(), outcome, Optional.ofNullable(error));
  }

  @Test
  void failure_first_isAWarningNamingPolicyAndPlugin() {
    log.onDecision(decision(Outcome.FAILED, "target 'aws-asg' failed to report its status: no credentials",
        Duration.ZERO));

    assertThat(warnings).containsExactly("policy 'web' from a.hcl failed: target 'aws-asg' failed to report its "
        + "status: no credentials");
    assertThat(log.failing()).containsEntry("web (web)", "target 'aws-asg' failed to report its status: no credentials");
  }

  @Test
  void failure_sameErrorRepeated_isRateLimitedWithACount() {
    for (int i = 0; i < 31; i++) {
      log.onDecision(decision(Outcome.FAILED, "boom", Duration.ofSeconds(10L * i)));
    }

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1)).contains("still failing (30 more failed evaluations since the last report): boom");
  }

  @Test
  void failure_errorChanges_isLoggedAtOnce() {
    log.onDecision(decision(Outcome.FAILED, "boom", Duration.ZERO));
    log.onDecision(decision(Outcome.FAILED, "bang", Duration.ofSeconds(10)));

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1)).contains("failed with a new error: bang");
    assertThat(log.failing()).containsValue("bang");
  }

  @Test
  void failure_thenSuccess_recoversWithAnInfo() {
    log.onDecision(decision(Outcome.FAILED, "boom", Duration.ZERO));
    log.onDecision(decision(Outcome.FAILED, "boom", Duration.ofSeconds(10)));
    log.onDecision(decision(Outcome.NO_CHANGE, null, Duration.ofSeconds(20)));

    assertThat(infos).containsExactly("policy 'web' from a.hcl recovered after 2 failed evaluations (NO_CHANGE)");
    assertThat(log.failing()).isEmpty();
  }

  @Test
  void success_neverFailed_logsNothing() {
    log.onDecision(decision(Outcome.SCALED, null, Duration.ZERO));

    assertThat(warnings).isEmpty();
    assertThat(infos).isEmpty();
  }
}
