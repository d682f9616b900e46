package dev.capstan.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/metrics}, as nomad-autoscaler answers it: without a query, a JSON summary of the
 * agent's meters in the peer's shape ({@code Timestamp}, {@code Gauges}, {@code Counters},
 * {@code Samples}); with {@code ?format=prometheus}, Prometheus's text format when
 * {@code telemetry { prometheus_metrics = true }} (or {@code -telemetry-prometheus-metrics}) is set,
 * else {@code 415 Prometheus is not enabled}, as the peer.
 *
 * <p>Unlike the peer's in-memory sink, which sums each 10 s interval, counters and samples here are
 * totals since the agent started (the peer's {@code Rate}, {@code Min} and {@code Stddev} are not
 * given).
 */
final class MetricsEndpoint {
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier prometheusEnabled;
  private final Clock clock;

  /**
   * @param prometheusEnabled read per request, so a reloaded agent file takes effect at once
   */
  MetricsEndpoint(PrometheusMeterRegistry registry, BooleanSupplier prometheusEnabled, Clock clock) {
    this.registry = registry;
    this.prometheusEnabled = prometheusEnabled;
    this.clock = clock;
  }

  /** Answers a request whose raw query string is {@code query} (null when there is none). */
  AgentHttpServer.Reply answer(String query) {
    if (query != null && List.of(query.split("&")).contains("format=prometheus")) {
      if (!prometheusEnabled.getAsBoolean()) {
        return new AgentHttpServer.Reply(415, "text/plain; charset=utf-8", "Prometheus is not enabled; set "
            + "telemetry { prometheus_metrics = true } in the agent file or -telemetry-prometheus-metrics\n");
      }
      return new AgentHttpServer.Reply(200, AgentHttpServer.PROMETHEUS_TEXT, registry.scrape());
    }
    return new AgentHttpServer.Reply(200, "application/json", Json.write(summary()));
  }

  private Map<String, Object> summary() {
    List<Map<String, Object>> gauges = new ArrayList<>();
    List<Map<String, Object>> counters = new ArrayList<>();
    List<Map<String, Object>> samples = new ArrayList<>();
    List<Meter> meters = new ArrayList<>(registry.getMeters());
    meters.sort(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()));
    for (Meter meter : meters) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("Name", meter.getId().getName());
      if (meter instanceof Counter c) {
        entry.put("Count", c.count());
        counters.add(entry);
      } else if (meter instanceof FunctionCounter c) {
        entry.put("Count", c.count());
        counters.add(entry);
      } else if (meter instanceof Gauge g) {
        entry.put("Value", g.value());
        gauges.add(entry);
      } else if (meter instanceof Timer t) {
        entry.put("Count", t.count());
        entry.put("Sum", t.totalTime(TimeUnit.MILLISECONDS));
        entry.put("Max", t.max(TimeUnit.MILLISECONDS));
        entry.put("Mean", t.mean(TimeUnit.MILLISECONDS));
        entry.put("Unit", "ms");
        samples.add(entry);
      } else {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      for (Tag tag : meter.getId().getTags()) {
        labels.put(tag.getKey(), tag.getValue());
      }
      entry.put("Labels", labels);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("Timestamp", clock.instant().toString());
    root.put("Gauges", gauges);
    root.put("Points", List.of());
    root.put("Counters", counters);
    root.put("Samples", samples);
    return root;
  }
}
