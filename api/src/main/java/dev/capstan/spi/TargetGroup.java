package dev.capstan.spi;

import java.util.Map;

/**
 * One group of a {@link Target}, bound once from a policy's {@code target} block by
 * {@link Target#bind(Map)}: its configuration is parsed and validated then, never again on a call.
 * Thread-safe; owned by the target that bound it (closing the target ends it).
 */
public interface TargetGroup {

  /**
   * Returns this group's stable identity, for journals, logs and locks: the same group bound again
   * (also from a policy whose other attributes differ, such as {@code node_drain_deadline}) has the
   * same id, and two different groups never share one.
   *
   * @return for example {@code "aws-asg:eu-west-1/web"}; never blank
   */
  String id();

  /**
   * Reads the group's current state.
   *
   * @return whether it is ready, its count and meta
   * @throws TargetException if the group does not exist or the call failed; the message names it
   */
  TargetStatus status();

  /**
   * Moves the group to {@code action.count()}. A dry-run action changes nothing.
   *
   * @param action the count to reach and why
   * @throws TargetException if the group could not be scaled; it is then left at its old size
   */
  void scale(ScalingAction action);
}
