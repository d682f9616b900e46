package dev.capstan.spi;

import java.util.List;
import java.util.Map;

/**
 * Thrown by {@link InstanceGroup#terminate} when only some of the instances were removed.
 */
public class TerminationException extends TargetException {
  private static final long serialVersionUID = 1L;

  /** Instance ids that were terminated. */
  private final List<String> terminated;
  /** Instance id to the reason it was not terminated. */
  private final Map<String, String> failed;

  /**
   * Creates an exception describing a partial termination.
   *
   * @param group the group's name, for the message
   * @param terminated ids that were removed
   * @param failed ids that were not removed, each with the cloud's reason
   */
  public TerminationException(String group, List<String> terminated, Map<String, String> failed) {
    super("terminated " + terminated.size() + " of " + (terminated.size() + failed.size())
        + " instances in " + group + "; not terminated: " + failed);
    this.terminated = List.copyOf(terminated);
    this.failed = Map.copyOf(failed);
  }

  /**
   * Returns the instances that were removed.
   *
   * @return an immutable list of instance ids
   */
  public List<String> terminated() {
    return terminated;
  }

  /**
   * Returns the instances that were not removed, each with the reason.
   *
   * @return an immutable map from instance id to reason
   */
  public Map<String, String> failed() {
    return failed;
  }
}
