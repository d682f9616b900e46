package dev.capstan.agent;

/**
 * How a check's recorded metric is replayed against a simulated group whose capacity differs from
 * the one the metric was recorded with. Declared per check, never guessed.
 */
public enum CheckKind {
  /**
   * The metric does not depend on the group's size (queue length, requests per second, pending work):
   * it replays as recorded. Its demand, in instances, is the value ÷ the per-instance capacity.
   */
  CAPACITY_INDEPENDENT,
  /**
   * The metric is a percentage of the group's capacity (CPU %): the recorded value × the recorded
   * group size ÷ 100 is the demand, in instances, and it replays as 100 × demand ÷ the simulated
   * booted instances (at least one, as a query clamped to one instance's worth would).
   */
  UTILIZATION
}
