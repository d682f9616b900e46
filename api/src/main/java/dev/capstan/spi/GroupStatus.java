package dev.capstan.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link Target#statusOf} for one group: its status, or why it could not be read. One
 * missing group among a thousand fails only its own policy.
 */
public final class GroupStatus {
  private final TargetStatus status;
  private final RuntimeException error;

  private GroupStatus(TargetStatus status, RuntimeException error) {
    this.status = status;
    this.error = error;
  }

  /**
   * Returns a successful read.
   *
   * @param status the group's status
   * @return a new result
   * @throws NullPointerException if {@code status} is null
   */
  public static GroupStatus of(TargetStatus status) {
    return new GroupStatus(Objects.requireNonNull(status, "status"), null);
  }

  /**
   * Returns a failed read.
   *
   * @param error why the group could not be read; its message names the group
   * @return a new result
   * @throws NullPointerException if {@code error} is null
   */
  public static GroupStatus failed(RuntimeException error) {
    return new GroupStatus(null, Objects.requireNonNull(error, "error"));
  }

  /**
   * Returns whether the group was read.
   *
   * @return true when {@link #status()} holds a value
   */
  public boolean isOk() {
    return status != null;
  }

  /**
   * Returns the status that was read.
   *
   * @return the status, or empty when the read failed
   */
  public Optional<TargetStatus> status() {
    return Optional.ofNullable(status);
  }

  /**
   * Returns why the read failed.
   *
   * @return the error, or empty when the read succeeded
   */
  public Optional<RuntimeException> error() {
    return Optional.ofNullable(error);
  }

  /**
   * Returns every status in order, or throws the first failure: what a map-taking
   * {@link Target#statusAll} promises its callers, built on {@link Target#statusOf}.
   *
   * @param results one result per group
   * @return the statuses, in the same order
   * @throws RuntimeException the error of the first group that could not be read
   */
  public static List<TargetStatus> allOrThrow(List<GroupStatus> results) {
    List<TargetStatus> statuses = new ArrayList<>(results.size());
    for (GroupStatus result : results) {
      if (result.error != null) {
        throw result.error;
      }
      statuses.add(result.status);
    }
    return statuses;
  }

  @Override
  public String toString() {
    return status != null ? "GroupStatus[" + status + "]" : "GroupStatus[failed: " + error.getMessage() + "]";
  }
}
