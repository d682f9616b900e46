package dev.capstan.agent;

import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.engine.ScalingListener;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Makes failing policies visible: the first failed evaluation of a policy is logged at WARN with its
 * error (which names the plug-in), and so is every change of error; the same error again is logged
 * at most once per {@link #REPEAT_EVERY}, with the count of failures since the last line. The first
 * evaluation that does not fail logs an INFO saying the policy recovered. Time is the decisions' own
 * (the engine's clock), so tests need no sleep. {@link #failing()} feeds {@code /v1/health}.
 * Thread-safe.
 */
final class FailureLog implements ScalingListener {
  /** How often the same error of the same policy is logged again while it keeps failing. */
  static final Duration REPEAT_EVERY = Duration.ofMinutes(5);

  private final Consumer<String> warn;
  private final Consumer<String> info;
  private final Function<String, String> describe;
  private final Map<String, Failing> failing = new LinkedHashMap<>();

  /** A failing policy: its last error, when it was last logged and the failures since. */
  private static final class Failing {
    final String name;
    String error;
    Instant logged;
    long unlogged;
    long total;

    Failing(String name, String error, Instant logged) {
      this.name = name;
      this.error = error;
      this.logged = logged;
    }
  }

  /**
   * @param warn receives the WARN lines
   * @param info receives the INFO lines
   * @param describe names a policy by its id for the log (its name and file)
   */
  FailureLog(Consumer<String> warn, Consumer<String> info, Function<String, String> describe) {
    this.warn = Objects.requireNonNull(warn, "warn");
    this.info = Objects.requireNonNull(info, "info");
    this.describe = Objects.requireNonNull(describe, "describe");
  }

  @Override
  public void onDecision(ScalingDecision d) {
    String line = null;
    boolean recovered = false;
    synchronized (this) {
      Failing f = failing.get(d.policyId());
      if (d.outcome() == Outcome.FAILED) {
        String error = d.error().orElse("the evaluation failed");
        if (f == null) {
          failing.put(d.policyId(), new Failing(d.policyName(), error, d.time()));
          line = describe.apply(d.policyId()) + " failed: " + error;
        } else {
          f.total++;
          if (!f.error.equals(error)) {
            f.error = error;
            f.logged = d.time();
            f.unlogged = 0;
            line = describe.apply(d.policyId()) + " failed with a new error: " + error;
          } else if (!d.time().isBefore(f.logged.plus(REPEAT_EVERY))) {
            line = describe.apply(d.policyId()) + " is still failing (" + (f.unlogged + 1)
                + " more failed evaluations since the last report): " + error;
            f.logged = d.time();
            f.unlogged = 0;
          } else {
            f.unlogged++;
          }
        }
      } else if (f != null && d.outcome() != Outcome.SKIPPED_BUSY) {
        failing.remove(d.policyId());
        recovered = true;
        line = describe.apply(d.policyId()) + " recovered after " + (f.total + 1) + " failed evaluations ("
            + d.outcome() + ")";
      }
    }
    if (line != null) {
      (recovered ? info : warn).accept(line);
    }
  }

  /** Forgets a policy that was removed, so it no longer counts as failing. */
  synchronized void forget(String policyId) {
    failing.remove(policyId);
  }

  /** Returns the last error of each failing policy, by policy name and id ({@code name (id)}). */
  synchronized Map<String, String> failing() {
    Map<String, String> out = new TreeMap<>();
    failing.forEach((id, f) -> out.put(f.name + " (" + id + ")", f.error));
    return out;
  }
}
