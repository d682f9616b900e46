package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.Explanation;
import dev.capstan.engine.FallbackStatus;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Fallback;
import dev.capstan.policy.OnError;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The /v1/decisions (and backtest JSON) shape of a check whose fallback counts or votes. */
final class DecisionLogFallbackTest {

  private static ScalingDecision decisionWith(CheckResult check) {
    return new ScalingDecision("id", "workers", Instant.parse("2026-01-01T12:00:00Z"), OptionalLong.of(10),
        List.of(check), Optional.empty(), List.of("no change: count stays 10"), Outcome.NO_CHANGE, Optional.empty());
  }

  @Test
  void write_checkVotingItsFallback_showsTheFallbackAsData() throws IOException {
    CheckResult queue = new CheckResult("queue", Optional.empty(), OnError.IGNORE, 0, OptionalDouble.empty(),
        OptionalLong.of(4), Optional.of("metric source 'src'"), Optional.empty(), Explanation.none(),
        Optional.of(new FallbackStatus(3, 3, Fallback.Behavior.STATIC, "metric source 'src' failed: 503")));

    Map<String, Object> check = checkOf(toMap(decisionWith(queue)));

    assertThat(check).containsEntry("desired_count", 4).containsEntry("error", null);
    assertThat(check.get("fallback")).isEqualTo(Map.of("active", true, "consecutive_failures", 3, "failures", 3,
        "behavior", "static", "last_error", "metric source 'src' failed: 503"));
  }

  @Test
  void write_checkWithoutFallback_hasANullFallback() throws IOException {
    CheckResult cpu = new CheckResult("cpu", Optional.empty(), OnError.IGNORE, 1, OptionalDouble.of(50),
        OptionalLong.of(10), Optional.empty(), Optional.empty());

    assertThat(checkOf(toMap(decisionWith(cpu)))).containsEntry("fallback", null);
  }

  /** The decision as /v1/decisions writes it, read back. */
  private static Map<String, Object> toMap(ScalingDecision decision) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = Json.generator(out, false)) {
      DecisionLog.write(json, decision);
    }
    return new ObjectMapper().readValue(out.toString(), new TypeReference<Map<String, Object>>() { });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> checkOf(Map<String, Object> decision) {
    return ((List<Map<String, Object>>) decision.get("checks")).get(0);
  }
}
