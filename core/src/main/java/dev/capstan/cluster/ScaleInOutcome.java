package dev.capstan.cluster;

import java.util.List;
import java.util.Map;

/**
 * How a cluster scale-in ended.
 *
 * @param group the node group, e.g. {@code node_class=hashistack}
 * @param removed the nodes whose instances were terminated
 * @param kept the chosen nodes that were not removed (made eligible again), each with the reason
 * @param unconfirmed the drained nodes whose termination the cloud accepted but did not confirm; they
 *     stay ineligible until the group's next status reconciles them, each with the reason
 */
public record ScaleInOutcome(String group, List<String> removed, Map<String, String> kept,
    Map<String, String> unconfirmed) {
  /**
   * Copies the collections.
   *
   * @param group the node group, e.g. {@code node_class=hashistack}
   * @param removed the nodes whose instances were terminated
   * @param kept the chosen nodes that were not removed (made eligible again), each with the reason
   * @param unconfirmed the nodes whose termination was not confirmed, each with the reason
   */
  public ScaleInOutcome {
    removed = List.copyOf(removed);
    kept = Map.copyOf(kept);
    unconfirmed = Map.copyOf(unconfirmed);
  }

  /**
   * Creates an outcome without unconfirmed terminations (the first release's shape).
   *
   * @param group the node group, e.g. {@code node_class=hashistack}
   * @param removed the nodes whose instances were terminated
   * @param kept the chosen nodes that were not removed (made eligible again), each with the reason
   */
  public ScaleInOutcome(String group, List<String> removed, Map<String, String> kept) {
    this(group, removed, kept, Map.of());
  }

  /**
   * Returns whether every chosen node was removed, each confirmed.
   *
   * @return {@code true} when nothing was kept or left unconfirmed
   */
  public boolean complete() {
    return kept.isEmpty() && unconfirmed.isEmpty();
  }

  /**
   * Describes the outcome in one line.
   *
   * @return e.g. {@code "removed 1 of 2 chosen nodes of node_class=x (n3); kept n2: drain failed: ..."}
   */
  public String describe() {
    String text = "removed " + removed.size() + " of " + (removed.size() + kept.size() + unconfirmed.size())
        + " chosen nodes of " + group + " (" + String.join(", ", removed) + ")";
    StringBuilder sb = new StringBuilder(text);
    append(sb, "; kept (eligible again): ", kept);
    append(sb, "; unconfirmed (ineligible until reconciled): ", unconfirmed);
    return sb.toString();
  }

  private static void append(StringBuilder sb, String heading, Map<String, String> reasons) {
    if (reasons.isEmpty()) {
      return;
    }
    sb.append(heading);
    String sep = "";
    for (Map.Entry<String, String> e : reasons.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = "; ";
    }
  }
}
