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

  /**
   * Binds one policy's target block: parses and validates its attributes once and returns the group
   * they name. Makes no network call, so a validator can bind every policy of a directory offline.
   * Built-in targets override it; the default wraps the map-taking methods above, so a target written
   * against the first SPI keeps working (and is an {@link InstanceTargetGroup} when this target is an
   * {@link InstanceGroup}).
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return the bound group
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  default TargetGroup bind(Map<String, String> policyTargetConfig) {
    return MapBoundGroup.of(this, policyTargetConfig);
  }

  /**
   * Reads the state of several groups this target bound, in as few calls as the cloud allows; the
   * engine calls it once per tick for every group due then. One group that cannot be read fails only
   * its own entry. The default reads the groups of a target written against the first SPI with one
   * {@link #statusAll} when it overrides that (falling back to one read per group if the batch
   * fails), and any other groups each on its own.
   *
   * @param groups groups returned by this target's {@link #bind}
   * @return one result per group, in the same order
   */
  default List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    return MapBoundGroup.statusOf(this, groups);
  }

  /** Releases clients and threads; calling it again does nothing. */
  @Override
  void close();
}
