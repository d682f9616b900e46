package dev.capstan.nomad;

import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Expands the short {@code nomad} metric queries users write in policies ({@code avg_cpu},
 * {@code max_memory-allocated}, {@code percentage-allocated_cpu}) into the full form the metric source
 * reads, from the policy's target, as nomad-autoscaler's policy layer does before a policy is
 * evaluated (its {@code Processor.CanonicalizeAPMQuery}):
 * <ul>
 *   <li>only checks whose {@code source} is one of the given metric source names are touched, and only
 *       queries of the form {@code <op>_<metric>}: with an underscore and no slash;</li>
 *   <li>a target with both {@code Job} and {@code Group} (a task group) gives
 *       {@code taskgroup_<query>/<Group>/<Job>@<Namespace>}; a missing {@code Namespace} is left empty,
 *       as the peer leaves it, so the query then fails naming the missing namespace;</li>
 *   <li>otherwise a target with {@code node_class}, {@code datacenter} or {@code node_pool} (a node
 *       pool) gives {@code node_<query>/<key>=<value>[,...]}, keys in that order, values URL-encoded
 *       as Go's {@code url.QueryEscape} encodes them;</li>
 *   <li>any other query or target is left as written.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class NomadShortQueries {
  /** The metric source names nomad-autoscaler and Capstan give the Nomad metric source by default. */
  public static final Set<String> DEFAULT_SOURCES = Set.of(NomadMetricSourceProvider.NAME,
      NomadMetricSourceProvider.Alias.ALIAS);

  private NomadShortQueries() {}

  /**
   * Returns the policy with every short {@code nomad} query of its checks expanded from its target.
   *
   * @param policy the policy
   * @param sources the check {@code source} names that denote the Nomad metric source, e.g.
   *     {@link #DEFAULT_SOURCES} plus the agent's {@code apm} blocks whose driver is {@code nomad} or
   *     {@code nomad-apm}
   * @return {@code policy} itself when nothing was short, else a copy with the expanded queries
   */
  public static ScalingPolicy expand(ScalingPolicy policy, Set<String> sources) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(sources, "sources");
    List<Check> checks = new ArrayList<>(policy.checks().size());
    boolean changed = false;
    for (Check c : policy.checks()) {
      String query = sources.contains(c.source()) ? expand(c.query(), policy.target().config()) : c.query();
      changed |= !query.equals(c.query());
      checks.add(query.equals(c.query()) ? c : c.toBuilder().query(query).build());
    }
    return changed ? policy.toBuilder().checks(checks).build() : policy;
  }

  /**
   * Returns a query expanded from a target's keys, or the query itself when it is not short or the
   * target is neither a task group nor a node pool.
   *
   * @param query the check's query
   * @param target the policy's target block
   * @return the full query
   */
  static String expand(String query, Map<String, String> target) {
    if (!isShort(query)) {
      return query;
    }
    if (target.containsKey("Job") && target.containsKey("Group")) {
      return "taskgroup_" + query + "/" + target.get("Group") + "/" + target.get("Job") + "@"
          + target.getOrDefault("Namespace", "");
    }
    List<String> pool = new ArrayList<>();
    for (String key : List.of("node_class", "datacenter", "node_pool")) {
      if (target.containsKey(key)) {
        pool.add(key + "=" + queryEscape(target.get(key)));
      }
    }
    return pool.isEmpty() ? query : "node_" + query + "/" + String.join(",", pool);
  }

  /** The peer's test: {@code <a>_<b>} with no slash (an empty query is not short). */
  private static boolean isShort(String query) {
    return query.contains("_") && !query.contains("/");
  }

  /** Go's {@code url.QueryEscape}: Java's form encoding, but {@code *} escaped and {@code ~} kept. */
  private static String queryEscape(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
  }
}
