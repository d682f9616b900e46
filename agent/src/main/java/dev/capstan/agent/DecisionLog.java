package dev.capstan.agent;

import dev.capstan.engine.CheckResult;
import dev.capstan.engine.FallbackStatus;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.engine.ScalingListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
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
    List<Map<String, Object>> out = new ArrayList<>();
    for (ScalingDecision d : recent()) {
      out.add(toMap(d));
    }
    return Json.write(out);
  }

  /** The /v1/decisions shape of one decision; the backtest's JSON uses it too. */
  static Map<String, Object> toMap(ScalingDecision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy_id", d.policyId());
    m.put("policy", d.policyName());
    m.put("time", d.time().toString());
    m.put("outcome", d.outcome().name());
    m.put("current_count", d.currentCount().isPresent() ? d.currentCount().getAsLong() : null);
    d.action().ifPresent(a -> {
      Map<String, Object> action = new LinkedHashMap<>();
      action.put("count", a.count());
      action.put("direction", a.direction().name());
      action.put("reason", a.reason());
      action.put("meta", a.meta());
      action.put("dry_run", a.dryRun());
      m.put("action", action);
    });
    List<Map<String, Object>> checks = new ArrayList<>();
    for (CheckResult c : d.checks()) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("name", c.name());
      check.put("points", c.points());
      check.put("latest", c.latest().isPresent() ? c.latest().getAsDouble() : null);
      check.put("desired_count", c.desiredCount().isPresent() ? c.desiredCount().getAsLong() : null);
      check.put("error", c.error().orElse(null));
      check.put("fallback", c.fallback().map(DecisionLog::fallback).orElse(null));
      checks.add(check);
    }
    m.put("checks", checks);
    m.put("reasons", d.reasons());
    m.put("error", d.error().orElse(null));
    return m;
  }

  /** A failing check's fallback: whether it votes (its vote is the check's desired_count) and its failures. */
  private static Map<String, Object> fallback(FallbackStatus f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("active", f.active());
    m.put("consecutive_failures", f.consecutiveFailures());
    m.put("failures", f.failuresNeeded());
    m.put("behavior", f.behavior().hclName());
    m.put("last_error", f.lastError());
    return m;
  }
}
