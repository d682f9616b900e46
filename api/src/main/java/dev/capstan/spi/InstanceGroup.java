package dev.capstan.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Target} that can remove chosen instances, so a cluster can drain nodes before they go.
 */
public interface InstanceGroup {

  /**
   * Policy target keys that the cluster scale-in flow reads (as in nomad-autoscaler's cluster
   * policies, including its {@code node_filter_ignore_*} readiness options). Targets accept them in a
   * policy's target block and leave them to that flow.
   */
  Set<String> CLUSTER_KEYS = Set.of("node_class", "datacenter", "node_pool", "node_drain_deadline",
      "node_drain_ignore_system_jobs", "node_purge", "node_selector_strategy", "node_ready_check",
      "node_filter_ignore_init", "node_filter_ignore_drain", "node_filter_ignore_ineligible");

  /**
   * Terminates exactly {@code instanceIds} and lowers the group's desired size by as many.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @param instanceIds the cloud instance ids to remove; no others are touched
   * @throws TerminationException if some instances could not be removed; it lists which were and
   *     which were not
   * @throws TargetException if the call failed before any instance was removed
   */
  void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds);

  /**
   * Lists the group's instances, where the cloud can; the cluster flow uses it after a crash to tell
   * instances it already terminated from ones still running.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return the ids of the group's live instances, or empty when this target cannot list them
   * @throws TargetException if the call failed
   */
  default Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    return Optional.empty();
  }
}
