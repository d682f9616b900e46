package dev.capstan.policy;

/** What a failing check does to an evaluation: nomad-autoscaler's {@code on_check_error} / {@code on_error}. */
public enum OnError {
  /** The failing check is dropped; the other checks decide (nomad-autoscaler's default). */
  IGNORE,
  /** The whole evaluation fails and nothing is scaled. */
  FAIL
}
