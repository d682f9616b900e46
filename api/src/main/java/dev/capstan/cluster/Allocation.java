package dev.capstan.cluster;

import java.util.Objects;

/**
 * A unit of work placed on a node.
 *
 * @param id the allocation's id
 * @param jobId the job it belongs to
 * @param systemJob whether the job runs on every node (a system job), which some selectors ignore
 * @param terminal whether it has finished; terminal allocations do not make a node busy
 */
public record Allocation(String id, String jobId, boolean systemJob, boolean terminal) {
  /**
   * Checks for nulls.
   *
   * @param id the allocation's id
   * @param jobId the job it belongs to
   * @param systemJob whether the job runs on every node (a system job), which some selectors ignore
   * @param terminal whether it has finished; terminal allocations do not make a node busy
   * @throws NullPointerException if {@code id} or {@code jobId} is null
   */
  public Allocation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(jobId, "jobId");
  }
}
