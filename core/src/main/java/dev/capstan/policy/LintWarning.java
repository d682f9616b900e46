package dev.capstan.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * A warning from {@link PolicyLint}: a valid policy that will misbehave, with where it is and why.
 *
 * @param origin the policy's origin, usually its file ({@link ScalingPolicy#origin()})
 * @param policy the policy's name
 * @param check the check the warning is about, or empty when it is about the whole policy
 * @param rule the rule's stable id, e.g. {@code "cooldown-below-interval"} ({@link LintRule#id()}; see {@link PolicyLint})
 * @param message the reason, a sentence without the location
 */
public record LintWarning(String origin, String policy, Optional<String> check, String rule, String message) {
  /**
   * Validates the fields.
   *
   * @param origin the policy's origin
   * @param policy the policy's name
   * @param check the check's name, or empty
   * @param rule the rule's id
   * @param message the reason
   * @throws NullPointerException if any field is null
   */
  public LintWarning {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Renders the warning as {@code capstan validate --lint} prints it.
   *
   * @return {@code FILE: policy 'p': [check 'c': ]warning: reason}
   */
  @Override
  public String toString() {
    return origin + ": policy '" + policy + "': " + check.map(c -> "check '" + c + "': ").orElse("")
        + "warning: " + message;
  }
}
