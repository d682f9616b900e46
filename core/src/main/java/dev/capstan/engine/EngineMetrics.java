package dev.capstan.engine;

import dev.capstan.spi.Direction;

/**
 * What the engine counts. The only implementation besides {@link #NOOP} is
 * {@link MicrometerEngineMetrics}, the one class that touches Micrometer, so an embedder without
 * Micrometer on the classpath never loads it.
 */
interface EngineMetrics {
  /** Counts nothing. */
  EngineMetrics NOOP = new EngineMetrics() {
    @Override
    public void evaluated(Outcome outcome, long nanos) {}

    @Override
    public void acted(Direction direction) {}

    @Override
    public void error(String kind) {}
  };

  /**
   * Records one evaluation.
   *
   * @param outcome its outcome
   * @param nanos how long it took
   */
  void evaluated(Outcome outcome, long nanos);

  /**
   * Records one action applied to a target.
   *
   * @param direction up or down
   */
  void acted(Direction direction);

  /**
   * Records one error.
   *
   * @param kind {@code "check"}, {@code "evaluation"} or {@code "listener"}
   */
  void error(String kind);
}
