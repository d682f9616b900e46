package dev.capstan.policy;

import java.util.List;

/**
 * Thrown when a policy file or a built policy is invalid. The message names the origin (file), the
 * policy, the field and what is expected; {@link #problems()} lists every problem found.
 */
public class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Every problem, each a full sentence naming origin, policy and field. */
  private final List<String> problems;

  /**
   * Creates an exception reporting one or more problems.
   *
   * @param problems every problem found; must not be empty
   */
  public PolicyException(List<String> problems) {
    super(String.join("\n", requireSome(problems)));
    this.problems = List.copyOf(problems);
  }

  /**
   * Creates an exception reporting one problem with a cause.
   *
   * @param problem the problem, naming origin, policy and field
   * @param cause the underlying failure
   */
  public PolicyException(String problem, Throwable cause) {
    super(problem, cause);
    this.problems = List.of(problem);
  }

  private static List<String> requireSome(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a PolicyException needs at least one problem");
    }
    return problems;
  }

  /**
   * Returns every problem found.
   *
   * @return an immutable, non-empty list
   */
  public List<String> problems() {
    return problems;
  }
}
