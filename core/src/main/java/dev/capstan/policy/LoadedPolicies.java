package dev.capstan.policy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Policies#parseDirectory} loaded from a directory: the policies of every good file, and
 * the files that failed with why. One bad file never hides the others.
 *
 * @param policies the policies of the files that parsed, in file-name order, then file order
 * @param failures each file that failed, in file-name order, with the exception naming its problems
 */
public record LoadedPolicies(List<ScalingPolicy> policies, Map<Path, PolicyException> failures) {

  /**
   * Copies both collections, keeping the failures' order.
   *
   * @param policies the policies of the files that parsed, in file-name order, then file order
   * @param failures each file that failed, in file-name order, with the exception naming its problems
   * @throws NullPointerException if either is null
   */
  public LoadedPolicies {
    policies = List.copyOf(policies);
    failures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(failures)));
  }

  /**
   * Returns whether every file loaded.
   *
   * @return {@code true} if no file failed
   */
  public boolean complete() {
    return failures.isEmpty();
  }

  /**
   * Returns the policies, or throws if any file failed; for callers that want all or nothing.
   *
   * @return the policies
   * @throws PolicyException listing every problem of every failed file
   */
  public List<ScalingPolicy> orThrow() {
    if (!failures.isEmpty()) {
      throw new PolicyException(failures.values().stream().flatMap(e -> e.problems().stream()).toList());
    }
    return policies;
  }
}
