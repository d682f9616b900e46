package dev.capstan.spi;

import java.util.List;
import java.util.Map;

/**
 * Thrown by {@link InstanceGroup#terminate} when not every instance was confirmed removed.
 *
 * <p>Each requested instance is in exactly one of three buckets:
 * <ol>
 *   <li>{@link #terminated()}: the cloud confirmed it is gone (or going, past any point of return);</li>
 *   <li>{@link #failed()}: the cloud refused or failed it, so it still runs;</li>
 *   <li>{@link #unconfirmed()}: the cloud accepted the request but did not confirm the outcome (an
 *       activity that timed out, an operation that ended in error without naming it, a poll that
 *       failed). It <em>may be gone</em>: a caller must neither reuse it nor count it removed until
 *       it has looked again (the cluster flow keeps such nodes ineligible and reconciles them with
 *       {@link InstanceGroup#instanceIds}).</li>
 * </ol>
 */
public class TerminationException extends TargetException {
  private static final long serialVersionUID = 1L;

  /** Instance ids that were terminated. */
  private final List<String> terminated;
  /** Instance id to the reason it was not terminated. */
  private final Map<String, String> failed;
  /** Instance id to why its termination, requested, was not confirmed. */
  private final Map<String, String> unconfirmed;

  /**
   * Creates an exception describing a partial termination with no unconfirmed instances.
   *
   * @param group the group's name, for the message
   * @param terminated ids that were removed
   * @param failed ids that were not removed, each with the cloud's reason
   */
  public TerminationException(String group, List<String> terminated, Map<String, String> failed) {
    this(group, terminated, failed, Map.of());
  }

  /**
   * Creates an exception describing a partial or unconfirmed termination.
   *
   * @param group the group's name, for the message
   * @param terminated ids that were removed
   * @param failed ids that were not removed, each with the cloud's reason
   * @param unconfirmed ids whose termination was requested and accepted but not confirmed, each with
   *     why not
   * @throws IllegalArgumentException if an id is in more than one bucket
   */
  public TerminationException(String group, List<String> terminated, Map<String, String> failed,
      Map<String, String> unconfirmed) {
    super(message(group, terminated, failed, unconfirmed));
    this.terminated = List.copyOf(terminated);
    this.failed = Map.copyOf(failed);
    this.unconfirmed = Map.copyOf(unconfirmed);
    for (String id : this.unconfirmed.keySet()) {
      if (this.failed.containsKey(id) || this.terminated.contains(id)) {
        throw new IllegalArgumentException("instance " + id + " is both unconfirmed and "
            + (this.failed.containsKey(id) ? "failed" : "terminated"));
      }
    }
  }

  private static String message(String group, List<String> terminated, Map<String, String> failed,
      Map<String, String> unconfirmed) {
    String text = "terminated " + terminated.size() + " of " + (terminated.size() + failed.size() + unconfirmed.size())
        + " instances in " + group;
    if (!failed.isEmpty()) {
      text += "; not terminated: " + failed;
    }
    if (!unconfirmed.isEmpty()) {
      text += "; requested but not confirmed (may be gone): " + unconfirmed;
    }
    return text;
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
   * Returns the instances that were not removed, each with the reason; they still run.
   *
   * @return an immutable map from instance id to reason
   */
  public Map<String, String> failed() {
    return failed;
  }

  /**
   * Returns the instances whose termination the cloud accepted but did not confirm; they may be
   * gone or going, so they are neither removed nor safe to reuse until looked at again.
   *
   * @return an immutable map from instance id to why it is unconfirmed; empty by default
   */
  public Map<String, String> unconfirmed() {
    return unconfirmed;
  }
}
