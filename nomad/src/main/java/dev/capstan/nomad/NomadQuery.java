package dev.capstan.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.spi.MetricSourceException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed {@code nomad} metric query, in nomad-autoscaler's {@code nomad-apm} grammar:
 * <ul>
 *   <li>{@code taskgroup_<op>_<metric>/<group>/<job>@<namespace>}, op one of {@code avg}, {@code sum},
 *       {@code min}, {@code max}; metric one of {@code cpu}, {@code cpu-allocated}, {@code memory},
 *       {@code memory-allocated};</li>
 *   <li>{@code node_percentage-allocated_<cpu|memory>/<key>=<value>[,<key>=<value>...]}, keys
 *       {@code node_class}, {@code datacenter}, {@code node_pool} (values URL-decoded, all must match);
 *       a single bare value is read as a {@code node_class} (the peer's older grammar).</li>
 * </ul>
 * The messages are the peer's, prefixed with the query and followed by the accepted forms.
 */
sealed interface NomadQuery {
  String AVG = "avg";
  String SUM = "sum";
  String MIN = "min";
  String MAX = "max";
  String CPU = "cpu";
  String CPU_ALLOCATED = "cpu-allocated";
  String MEMORY = "memory";
  String MEMORY_ALLOCATED = "memory-allocated";
  String PERCENTAGE_ALLOCATED = "percentage-allocated";
  /** nomad-autoscaler's {@code node_class} value that selects nodes without a class. */
  String DEFAULT_CLASS = dev.capstan.cluster.Node.DEFAULT_CLASS_POOL;
  String FORMS = "accepted forms are taskgroup_<avg|sum|min|max>_<cpu|cpu-allocated|memory|memory-allocated>"
      + "/<group>/<job>@<namespace> and node_percentage-allocated_<cpu|memory>/<key>=<value>[,<key>=<value>...]"
      + " with keys node_class, datacenter, node_pool";

  /** {@code taskgroup_<operation>_<metric>/<group>/<job>@<namespace>}. */
  record TaskGroup(String operation, String metric, String group, String job, String namespace)
      implements NomadQuery {}

  /** {@code node_percentage-allocated_<metric>/<pool>}: {@code pool} holds key, value pairs in order. */
  record NodePool(String metric, List<String[]> ids) implements NomadQuery {
    /** Whether a node list stub belongs to the pool: it matches every identifier. */
    boolean isMember(JsonNode node) {
      for (String[] id : ids) {
        boolean match = switch (id[0]) {
          case "node_class" -> {
            String c = node.path("NodeClass").asText("");
            yield c.isEmpty() ? id[1].equals(DEFAULT_CLASS) : c.equals(id[1]);
          }
          case "datacenter" -> node.path("Datacenter").asText("").equals(id[1]);
          default -> node.path("NodePool").asText("").equals(id[1]);
        };
        if (!match) {
          return false;
        }
      }
      return true;
    }

    /** The pool as the query wrote it, for messages. */
    String pool() {
      List<String> parts = new ArrayList<>();
      ids.forEach(id -> parts.add(id[0] + "=" + id[1]));
      return String.join(",", parts);
    }
  }

  /**
   * Parses a query.
   *
   * @throws MetricSourceException naming the query, the problem and the accepted forms
   */
  static NomadQuery parse(String q) {
    String type = q.split("_", -1)[0];
    return switch (type) {
      case "taskgroup" -> taskGroup(q);
      case "node" -> nodePool(q);
      default -> throw fail(q, "unsupported query type \"" + type + "\"");
    };
  }

  private static TaskGroup taskGroup(String q) {
    String[] main = q.split("/", 3);
    if (main.length != 3) {
      throw fail(q, "failed to parse query: expected <query>/<group>/<job>@<namespace>, received " + q);
    }
    int at = main[2].lastIndexOf('@');
    if (at < 0 || at == main[2].length() - 1) {
      throw fail(q, "failed to parse query: missing namespace from query " + q);
    }
    if (at == 0) {
      throw fail(q, "failed to parse query: missing job from query " + q);
    }
    String[] opMetric = main[0].split("_", 3);
    if (opMetric.length != 3) {
      throw fail(q, "failed to parse query: expected taskgroup_<operation>_<metric>, received \"" + main[0] + "\"");
    }
    String op = opMetric[1];
    String metric = opMetric[2];
    if (!Set.of(CPU, CPU_ALLOCATED, MEMORY, MEMORY_ALLOCATED).contains(metric)) {
      throw fail(q, "failed to parse query: invalid metric \"" + metric + "\", allowed values are: "
          + String.join(", ", CPU, CPU_ALLOCATED, MEMORY, MEMORY_ALLOCATED));
    }
    if (!Set.of(SUM, AVG, MIN, MAX).contains(op)) {
      throw fail(q, "failed to parse query: invalid operation \"" + op + "\", allowed values are sum, avg, min or max");
    }
    return new TaskGroup(op, metric, main[1], main[2].substring(0, at), main[2].substring(at + 1));
  }

  private static NodePool nodePool(String q) {
    String[] main = q.split("/", 2);
    if (main.length != 2 || main[1].isEmpty()) {
      throw fail(q, "failed to parse query: expected <query>/<key>=<value>[,<key>=<value>...], received \"" + q
          + "\"");
    }
    List<String[]> ids = new ArrayList<>();
    if (!main[1].contains("=") && !main[1].contains(",")) {
      ids.add(new String[] {"node_class", main[1]});
    } else {
      for (String pair : main[1].split(",", -1)) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2 || kv[0].isEmpty() || kv[1].isEmpty()) {
          throw fail(q, "failed to parse query: invalid pool identifier \"" + pair + "\": expected key=value");
        }
        String value;
        try {
          value = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw fail(q, "failed to parse query: failed to decode value in \"" + pair + "\": " + e.getMessage());
        }
        if (!Set.of("node_class", "datacenter", "node_pool").contains(kv[0])) {
          throw fail(q, "failed to parse query: unknown pool key \"" + kv[0]
              + "\": must be node_class, datacenter, or node_pool");
        }
        ids.add(new String[] {kv[0], value});
      }
    }
    String[] opMetric = main[0].split("_", 3);
    if (opMetric.length != 3) {
      throw fail(q, "failed to parse query: expected node_<operation>_<metric>, received " + main[0]);
    }
    if (!Set.of(CPU, MEMORY).contains(opMetric[2])) {
      throw fail(q, "failed to parse query: invalid metric \"" + opMetric[2] + "\", allowed values are: cpu, memory");
    }
    if (!opMetric[1].equals(PERCENTAGE_ALLOCATED)) {
      throw fail(q, "failed to parse query: invalid operation \"" + opMetric[1] + "\", allowed value is "
          + PERCENTAGE_ALLOCATED);
    }
    return new NodePool(opMetric[2], List.copyOf(ids));
  }

  private static MetricSourceException fail(String q, String problem) {
    return new MetricSourceException("nomad query '" + q + "': " + problem + "; " + FORMS);
  }
}
