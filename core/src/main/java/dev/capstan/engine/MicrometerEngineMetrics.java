package dev.capstan.engine;

import dev.capstan.spi.Direction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Engine metrics in a Micrometer registry. Meters are created up front (per outcome, per direction)
 * so the hot path only increments. No per-policy tags: 100,000 policies would explode cardinality.
 *
 * <ul>
 *   <li>{@code capstan.evaluations} (counter, tag {@code outcome})
 *   <li>{@code capstan.evaluation.latency} (timer)
 *   <li>{@code capstan.actions} (counter, tag {@code direction})
 *   <li>{@code capstan.errors} (counter, tag {@code kind})
 * </ul>
 */
final class MicrometerEngineMetrics implements EngineMetrics {
  private final MeterRegistry registry;
  private final Map<Outcome, Counter> evaluations = new EnumMap<>(Outcome.class);
  private final Map<Direction, Counter> actions = new EnumMap<>(Direction.class);
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Timer latency;

  private MicrometerEngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Outcome outcome : Outcome.values()) {
      evaluations.put(outcome, Counter.builder("capstan.evaluations").tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
          .description("Policy evaluations by outcome").register(registry));
    }
    for (Direction direction : new Direction[] {Direction.UP, Direction.DOWN}) {
      actions.put(direction, Counter.builder("capstan.actions").tag("direction", direction.name().toLowerCase(java.util.Locale.ROOT))
          .description("Scaling actions applied to targets").register(registry));
    }
    latency = Timer.builder("capstan.evaluation.latency").description("Time one policy evaluation takes")
        .register(registry);
  }

  /**
   * Creates the metrics; takes {@code Object} so callers need not mention Micrometer's types.
   *
   * @param registry a {@link MeterRegistry}
   * @return the metrics
   */
  static EngineMetrics create(Object registry) {
    return new MicrometerEngineMetrics((MeterRegistry) registry);
  }

  @Override
  public void evaluated(Outcome outcome, long nanos) {
    evaluations.get(outcome).increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void acted(Direction direction) {
    Counter counter = actions.get(direction);
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void error(String kind) {
    errors.computeIfAbsent(kind, k -> Counter.builder("capstan.errors").tag("kind", k)
        .description("Failed checks, evaluations and listeners").register(registry)).increment();
  }
}
