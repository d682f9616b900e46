package dev.capstan.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.engine.ScalingListener;
import dev.capstan.spi.ScalingAction;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Keeps the most recent decisions of every policy, for {@code GET /v1/decisions}. Thread-safe.
 */
final class DecisionLog implements ScalingListener {
  private final int capacity;
  private final Deque<ScalingDecision> recent = new ArrayDeque<>();

  /**
   * Creates a log keeping the last {@code capacity} decisions.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1
   */
  DecisionLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized void onDecision(ScalingDecision decision) {
    if (recent.size() == capacity) {
      recent.removeFirst();
    }
    recent.addLast(decision);
  }

  /** Returns the kept decisions, oldest first. */
  synchronized List<ScalingDecision> recent() {
    return List.copyOf(recent);
  }

  /** Returns the kept decisions as a JSON array, oldest first. */
  String toJson() {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = Json.generator(out, true)) {
      json.writeStartArray();
      for (ScalingDecision d : recent()) {
        write(json, d);
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return out.append('\n').toString();
  }

  /**
   * Writes the /v1/decisions shape of one decision; the backtest's JSON writes each of its decisions
   * with it too. Written field by field rather than through a map: a backtest month is 43,200
   * decisions per run.
   */
  static void write(JsonGenerator json, ScalingDecision d) throws IOException {
    json.writeStartObject();
    json.writeStringField("policy_id", d.policyId());
    json.writeStringField("policy", d.policyName());
    json.writeStringField("time", d.time().toString());
    json.writeStringField("outcome", d.outcome().name());
    json.writeFieldName("current_count");
    if (d.currentCount().isPresent()) {
      json.writeNumber(d.currentCount().getAsLong());
    } else {
      json.writeNull();
    }
    if (d.action().isPresent()) {
      ScalingAction a = d.action().get();
      json.writeObjectFieldStart("action");
      json.writeNumberField("count", a.count());
      json.writeStringField("direction", a.direction().name());
      json.writeStringField("reason", a.reason());
      json.writeObjectFieldStart("meta");
      for (Map.Entry<String, String> e : a.meta().entrySet()) {
        json.writeStringField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
      json.writeBooleanField("dry_run", a.dryRun());
      json.writeEndObject();
    }
    json.writeArrayFieldStart("checks");
    for (CheckResult c : d.checks()) {
      json.writeStartObject();
      json.writeStringField("name", c.name());
      json.writeNumberField("points", c.points());
      json.writeFieldName("latest");
      if (c.latest().isPresent()) {
        json.writeNumber(c.latest().getAsDouble());
      } else {
        json.writeNull();
      }
      json.writeFieldName("desired_count");
      if (c.desiredCount().isPresent()) {
        json.writeNumber(c.desiredCount().getAsLong());
      } else {
        json.writeNull();
      }
      json.writeStringField("error", c.error().orElse(null));
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("reasons");
    for (String reason : d.reasons()) {
      json.writeString(reason);
    }
    json.writeEndArray();
    json.writeStringField("error", d.error().orElse(null));
    json.writeEndObject();
  }
}
