package dev.capstan.spi;

import java.util.List;
import java.util.Optional;

/**
 * A bound group that can remove chosen instances, so a cluster can drain nodes before they go: what
 * {@link Target#bind} returns for a target that is an {@link InstanceGroup}.
 */
public interface InstanceTargetGroup extends TargetGroup {

  /**
   * Terminates exactly {@code instanceIds} and lowers the group's desired size by as many.
   *
   * @param instanceIds the cloud instance ids to remove; no others are touched
   * @throws TerminationException if some instances could not be removed; it lists which were and
   *     which were not
   * @throws TargetException if the call failed before any instance was removed
   */
  void terminate(List<String> instanceIds);

  /**
   * Lists the group's live instances, where the cloud can; the cluster flow uses it after a crash to
   * tell instances it already terminated from ones still running.
   *
   * @return the ids of the group's live instances, or empty when this target cannot list them
   * @throws TargetException if the call failed
   */
  default Optional<List<String>> instanceIds() {
    return Optional.empty();
  }
}
