package dev.capstan.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link MetricSource} over Nomad's own API, as nomad-autoscaler's {@code nomad-apm}: it answers with
 * the current value, one point at the clock's "now", whatever the window (Nomad keeps no history).
 *
 * <p>The steps of a query, in the order they run:
 * <ol>
 *   <li>{@link NomadQuery#parse parse} the query into a task group or node pool query, rejecting any
 *       other form with a message that names the query and the accepted forms;</li>
 *   <li>task group: read the job's allocations, keep the running ones of the group, read each one's
 *       stats and combine them with the query's operation ({@link #taskGroup});</li>
 *   <li>node pool: list the nodes, keep the pool's ready, eligible, non-draining ones (a draining or
 *       initializing member is an error, as the peer's node filter), and divide the live
 *       allocations' resources by the nodes' allocatable ones ({@link #nodePool}).</li>
 * </ol>
 * Any failed Nomad call fails the whole query: with data missing no value is reliable.
 */
final class NomadMetricSource implements MetricSource {
  private final NomadClient client;
  private final Clock clock;
  private final boolean ignoreInit;
  private final boolean ignoreDrain;

  /**
   * @param ignoreInit skip initializing pool members instead of failing ({@code node_filter_ignore_init})
   * @param ignoreDrain skip draining pool members instead of failing ({@code node_filter_ignore_drain})
   */
  NomadMetricSource(NomadClient client, Clock clock, boolean ignoreInit, boolean ignoreDrain) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ignoreInit = ignoreInit;
    this.ignoreDrain = ignoreDrain;
  }

  @Override
  public MetricSeries query(String query, Instant from, Instant to) {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("window start " + from + " is after its end " + to);
    }
    NomadQuery q = NomadQuery.parse(query);
    double value;
    try {
      value = q instanceof NomadQuery.TaskGroup tg ? taskGroup(query, tg) : nodePool((NomadQuery.NodePool) q);
    } catch (NomadApiException e) {
      throw new MetricSourceException("nomad query '" + query + "' failed: " + e.getMessage(), e);
    }
    return MetricSeries.of(clock.millis(), value);
  }

  private double taskGroup(String text, NomadQuery.TaskGroup q) {
    Map<String, String> ns = Map.of("namespace", q.namespace());
    String jobPath = "/v1/job/" + NomadNodePool.encode(q.job());
    JsonNode allocs = client.get(jobPath + "/allocations", ns).body();
    double allocated = 0;
    if (q.metric().equals(NomadQuery.CPU_ALLOCATED) || q.metric().equals(NomadQuery.MEMORY_ALLOCATED)) {
      allocated = allocatedForGroup(jobPath, q);
    }
    List<Double> points = new ArrayList<>();
    for (JsonNode a : allocs) {
      if (!"running".equals(a.path("ClientStatus").asText()) || !q.group().equals(a.path("TaskGroup").asText())) {
        continue;
      }
      JsonNode usage = client.get("/v1/client/allocation/" + NomadNodePool.encode(a.path("ID").asText())
          + "/stats", ns).body().path("ResourceUsage");
      points.add(switch (q.metric()) {
        case NomadQuery.CPU -> usage.path("CpuStats").path("Percent").asDouble();
        case NomadQuery.CPU_ALLOCATED -> usage.path("CpuStats").path("TotalTicks").asDouble() / allocated * 100;
        case NomadQuery.MEMORY -> (double) usage.path("MemoryStats").path("Usage").asLong();
        // The peer divides whole MiB (integer division of the byte count), so do we.
        default -> (double) (usage.path("MemoryStats").path("Usage").asLong() / 1024 / 1024) / allocated * 100;
      });
    }
    if (points.isEmpty()) {
      throw new MetricSourceException("metric not found: " + text
          + " (no running allocation of group '" + q.group() + "' in job '" + q.job() + "')");
    }
    return combine(q.operation(), points);
  }

  /** The sum of the group's tasks' {@code Resources.CPU} (MHz) or {@code Resources.MemoryMB}. */
  private double allocatedForGroup(String jobPath, NomadQuery.TaskGroup q) {
    JsonNode job = client.get(jobPath, Map.of("namespace", q.namespace())).body();
    String field = q.metric().equals(NomadQuery.CPU_ALLOCATED) ? "CPU" : "MemoryMB";
    for (JsonNode tg : job.path("TaskGroups")) {
      if (q.group().equals(tg.path("Name").asText())) {
        long sum = 0;
        for (JsonNode task : tg.path("Tasks")) {
          sum += task.path("Resources").path(field).asLong(0);
        }
        return sum;
      }
    }
    throw new MetricSourceException("task group '" + q.group() + "' not found in job '" + q.job() + "'");
  }

  /** The peer's arithmetic, including its starting values for max and min. */
  static double combine(String operation, List<Double> points) {
    double result;
    switch (operation) {
      case NomadQuery.SUM, NomadQuery.AVG -> {
        result = 0;
        for (double p : points) {
          result += p;
        }
        if (operation.equals(NomadQuery.AVG)) {
          result /= points.size();
        }
      }
      case NomadQuery.MAX -> {
        result = Double.MIN_VALUE;
        for (double p : points) {
          result = Math.max(result, p);
        }
      }
      default -> {
        result = Double.MAX_VALUE;
        for (double p : points) {
          result = Math.min(result, p);
        }
      }
    }
    return result;
  }

  private double nodePool(NomadQuery.NodePool q) {
    List<String> members = new ArrayList<>();
    List<String> unstable = new ArrayList<>();
    for (JsonNode n : client.get("/v1/nodes", Map.of()).body()) {
      if (!q.isMember(n)) {
        continue;
      }
      String id = n.path("ID").asText();
      boolean drain = n.path("Drain").asBoolean(false);
      String status = n.path("Status").asText();
      if (!drain && status.equals("ready")) {
        if (n.path("SchedulingEligibility").asText().equals("eligible")) {
          members.add(id);
        }
      } else if (status.equals("initializing")) {
        if (!ignoreInit) {
          unstable.add("node " + id + " is initializing");
        }
      } else if (drain && !ignoreDrain) {
        unstable.add("node " + id + " is draining");
      }
    }
    if (!unstable.isEmpty()) {
      throw new MetricSourceException("failed to identify nodes within pool " + q.pool() + ": "
          + String.join(", ", unstable));
    }
    if (members.isEmpty()) {
      throw new MetricSourceException("no nodes identified within pool " + q.pool());
    }
    long allocatable = 0;
    long allocated = 0;
    boolean cpu = q.metric().equals(NomadQuery.CPU);
    for (String id : members) {
      JsonNode node = client.get("/v1/node/" + NomadNodePool.encode(id), Map.of()).body();
      allocatable += cpu
          ? node.path("NodeResources").path("Cpu").path("CpuShares").asLong()
              - node.path("ReservedResources").path("Cpu").path("CpuShares").asLong()
          : node.path("NodeResources").path("Memory").path("MemoryMB").asLong()
              - node.path("ReservedResources").path("Memory").path("MemoryMB").asLong();
      for (JsonNode a : client.get("/v1/node/" + NomadNodePool.encode(id) + "/allocations", Map.of()).body()) {
        if (NomadNodePool.terminal(a)) {
          continue;
        }
        allocated += a.path("Resources").path(cpu ? "CPU" : "MemoryMB").asLong();
      }
    }
    if (allocatable == 0) {
      throw new MetricSourceException("zero allocatable " + (cpu ? "cpu" : "memory") + " found in pool " + q.pool());
    }
    return allocated * 100.0 / allocatable;
  }

  @Override
  public void close() {
    // nothing to release: java.net.http's client has no close in Java 17
  }

  @Override
  public String toString() {
    return "NomadMetricSource[" + client.config() + "]";
  }
}
