package dev.capstan.spi;

import java.util.List;
import java.util.Map;

/**
 * A {@link Target} that can remove chosen instances, so a cluster can drain nodes before they go.
 */
public interface InstanceGroup {

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
}
