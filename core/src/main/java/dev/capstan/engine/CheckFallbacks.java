package dev.capstan.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Consecutive failures of each check of a policy that declares a {@code fallback}, part of its
 * {@link PolicyState} so that a restart does not reset the count. A check that succeeds drops out; a
 * check without a fallback is never counted.
 *
 * @param failures consecutive failures by check name, each at least 1
 */
public record CheckFallbacks(Map<String, Integer> failures) {

  /** No check is failing. */
  public static final CheckFallbacks NONE = new CheckFallbacks(Map.of());

  /**
   * Copies the map.
   *
   * @param failures consecutive failures by check name
   * @throws NullPointerException if the map or an entry is null
   * @throws IllegalArgumentException if a count is below 1
   */
  public CheckFallbacks {
    failures = Map.copyOf(failures);
    failures.forEach((name, n) -> {
      if (n < 1) {
        throw new IllegalArgumentException("failures of check '" + name + "' was '" + n + "' but it must be at least 1");
      }
    });
  }

  /**
   * Returns the consecutive failures of one check.
   *
   * @param check the check's name
   * @return 0 when it is not failing
   */
  public int of(String check) {
    return failures.getOrDefault(check, 0);
  }

  /**
   * Returns these counts with {@code check} at {@code n} consecutive failures (0 drops it).
   *
   * @param check the check's name
   * @param n its consecutive failures
   * @return a copy, or this when nothing changes
   */
  public CheckFallbacks with(String check, int n) {
    if (of(check) == n) {
      return this;
    }
    Map<String, Integer> next = new HashMap<>(failures);
    if (n == 0) {
      next.remove(check);
    } else {
      next.put(Objects.requireNonNull(check, "check"), n);
    }
    return new CheckFallbacks(next);
  }
}
