package dev.capstan.cluster;

import java.util.List;
import java.util.Map;

/**
 * How a cluster scale-in ended.
 *
 * @param group the node group, e.g. {@code node_class=hashistack}
 * @param removed the nodes whose instances were terminated
 * @param kept the chosen nodes that were not removed (made eligible again), each with the reason
 */
public record ScaleInOutcome(String group, List<String> removed, Map<String, String> kept) {
  /**
   * Copies the collections.
   *
   * @param group the node group, e.g. {@code node_class=hashistack}
   * @param removed the nodes whose instances were terminated
   * @param kept the chosen nodes that were not removed (made eligible again), each with the reason
   */
  public ScaleInOutcome {
    removed = List.copyOf(removed);
    kept = Map.copyOf(kept);
  }

  /**
   * Returns whether every chosen node was removed.
   *
   * @return {@code true} when nothing was kept
   */
  public boolean complete() {
    return kept.isEmpty();
  }

  /**
   * Describes the outcome in one line.
   *
   * @return e.g. {@code "removed 1 of 2 chosen nodes of node_class=x (n3); kept n2: drain failed: ..."}
   */
  public String describe() {
    String text = "removed " + removed.size() + " of " + (removed.size() + kept.size()) + " chosen nodes of " + group
        + " (" + String.join(", ", removed) + ")";
    if (kept.isEmpty()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text).append("; kept (eligible again): ");
    kept.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append(e.getKey()).append(": ").append(e.getValue()).append("; "));
    return sb.substring(0, sb.length() - 2);
  }
}
