package dev.capstan.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where capacity lives: a cloud instance group or anything an embedder plugs in. Thread-safe.
 *
 * <p>One instance serves many policies; each call names its group through the policy's target
 * configuration (the attributes of its {@code target "<name>" { ... }} block).
 */
public interface Target extends AutoCloseable {

  /**
   * Reads the group's current state.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return whether it is ready, its count and meta
   * @throws ConfigException if the configuration does not name a group properly
   * @throws TargetException if the group does not exist or the call failed; the message names it
   */
  TargetStatus status(Map<String, String> policyTargetConfig);

  /**
   * Moves the group to {@code action.count()}. A dry-run action changes nothing.
   *
   * @param action the count to reach and why
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @throws TargetException if the group could not be scaled; it is then left at its old size
   */
  void scale(ScalingAction action, Map<String, String> policyTargetConfig);

  /**
   * Reads the state of several groups; clouds override it to batch calls.
   *
   * @param policyTargetConfigs one configuration per group
   * @return one status per configuration, in the same order
   * @throws TargetException if any group could not be read
   */
  default List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<TargetStatus> statuses = new ArrayList<>(policyTargetConfigs.size());
    for (Map<String, String> config : policyTargetConfigs) {
      statuses.add(status(config));
    }
    return statuses;
  }

  /** Releases clients and threads; calling it again does nothing. */
  @Override
  void close();
}
