package dev.capstan.spi;

import java.util.List;

/**
 * Thrown when a plug-in or policy configuration holds a bad value, a missing key or an unknown name.
 *
 * <p>The message names every problem at once (for example {@code "target was 'abc' but it must be a
 * number"}), so a user fixes a file in one pass; {@link #problems()} lists them one by one.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The individual problems, each naming the key, the value and the rule; never empty. */
  private final List<String> problems;

  /**
   * Creates an exception for a single problem.
   *
   * @param message the problem, naming the key, the bad value and the rule
   */
  public ConfigException(String message) {
    this(message, List.of(message));
  }

  /**
   * Creates an exception that reports several problems found in one configuration.
   *
   * @param context what was being configured, e.g. {@code "target-value strategy"}
   * @param problems every problem found; must not be empty
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public ConfigException(String context, List<String> problems) {
    super(message(context, problems));
    this.problems = List.copyOf(problems);
  }

  private static String message(String context, List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    if (problems.size() == 1 && problems.get(0).equals(context)) {
      return context;
    }
    return "invalid " + context + ": " + String.join("; ", problems);
  }

  /**
   * Returns every problem found, in the order they were found.
   *
   * @return an immutable, non-empty list of problem descriptions
   */
  public List<String> problems() {
    return problems;
  }
}
