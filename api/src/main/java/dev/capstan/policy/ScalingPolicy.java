package dev.capstan.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A scaling policy: keep a target between {@code min} and {@code max} according to its checks.
 *
 * <p>Build one with {@link #builder()} or parse nomad-autoscaler files with {@code dev.capstan.policy.Policies} (in capstan-core).
 *
 * @param id stable identity: a hash of origin and name, so reloading a file keeps it
 * @param name the policy's name, as in {@code scaling "<name>"}
 * @param enabled disabled policies are never evaluated
 * @param min the smallest count, at least 0
 * @param max the largest count, at least {@code min}
 * @param cooldown the quiet period after a scale-down (default 5m)
 * @param cooldownOnScaleUp the quiet period after a scale-up (default: {@code cooldown})
 * @param evaluationInterval how often the policy is evaluated (default 10s)
 * @param onCheckError what a failing check does by default (default {@link OnError#IGNORE})
 * @param checks at least one check
 * @param target the target and its policy-level configuration
 * @param type the policy type: {@code "horizontal"} (default) or {@code "cluster"}
 * @param origin where the policy came from: a file path, or {@code "builder"}
 * @param schedule when the policy may act; outside it evaluations are skipped. Empty: always
 */
public record ScalingPolicy(String id, String name, boolean enabled, long min, long max, Duration cooldown,
    Duration cooldownOnScaleUp, Duration evaluationInterval, OnError onCheckError, List<Check> checks,
    PluginRef target, String type, String origin, Optional<Schedule> schedule) {

  /** nomad-autoscaler's default cooldown. */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
  /** nomad-autoscaler's default evaluation interval. */
  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofSeconds(10);
  /** The default policy type. */
  public static final String DEFAULT_TYPE = "horizontal";

  /**
   * Checks for nulls and copies the checks.
   *
   * @param id stable identity: a hash of origin and name, so reloading a file keeps it
   * @param name the policy's name, as in {@code scaling "<name>"}
   * @param enabled disabled policies are never evaluated
   * @param min the smallest count, at least 0
   * @param max the largest count, at least {@code min}
   * @param cooldown the quiet period after a scale-down (default 5m)
   * @param cooldownOnScaleUp the quiet period after a scale-up (default: {@code cooldown})
   * @param evaluationInterval how often the policy is evaluated (default 10s)
   * @param onCheckError what a failing check does by default (default {@link OnError#IGNORE})
   * @param checks at least one check
   * @param target the target and its policy-level configuration
   * @param type the policy type: {@code "horizontal"} (default) or {@code "cluster"}
   * @param origin where the policy came from: a file path, or {@code "builder"}
   * @param schedule when the policy may act; outside it evaluations are skipped. Empty: always
   * @throws NullPointerException if any field is null
   */
  public ScalingPolicy {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cooldown, "cooldown");
    Objects.requireNonNull(cooldownOnScaleUp, "cooldownOnScaleUp");
    Objects.requireNonNull(evaluationInterval, "evaluationInterval");
    Objects.requireNonNull(onCheckError, "onCheckError");
    checks = List.copyOf(checks);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(schedule, "schedule");
  }

  /**
   * Creates a policy without a schedule: it may act at any time.
   *
   * @param id stable identity
   * @param name the policy's name
   * @param enabled whether it is evaluated
   * @param min the smallest count
   * @param max the largest count
   * @param cooldown the quiet period after a scale-down
   * @param cooldownOnScaleUp the quiet period after a scale-up
   * @param evaluationInterval how often it is evaluated
   * @param onCheckError what a failing check does by default
   * @param checks at least one check
   * @param target the target
   * @param type the policy type
   * @param origin where it came from
   * @throws NullPointerException if any field is null
   */
  public ScalingPolicy(String id, String name, boolean enabled, long min, long max, Duration cooldown,
      Duration cooldownOnScaleUp, Duration evaluationInterval, OnError onCheckError, List<Check> checks,
      PluginRef target, String type, String origin) {
    this(id, name, enabled, min, max, cooldown, cooldownOnScaleUp, evaluationInterval, onCheckError, checks,
        target, type, origin, Optional.empty());
  }

  /**
   * Returns the stable id of a policy named {@code name} from {@code origin}.
   *
   * @param origin the file path or other origin
   * @param name the policy's name
   * @return 16 hex digits of SHA-256 over origin and name
   */
  public static String idOf(String origin, String name) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((origin + "\u0000" + name).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Returns a builder with nomad-autoscaler's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link ScalingPolicy} in code, with the same defaults and validation as the parser.
   * Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String name;
    private String origin = "builder";
    private boolean enabled = true;
    private long min = 0;
    private @Nullable Long max;
    private Duration cooldown = DEFAULT_COOLDOWN;
    private @Nullable Duration cooldownOnScaleUp;
    private Duration evaluationInterval = DEFAULT_EVALUATION_INTERVAL;
    private OnError onCheckError = OnError.IGNORE;
    private final List<Check> checks = new ArrayList<>();
    private @Nullable PluginRef target;
    private String type = DEFAULT_TYPE;
    private @Nullable Schedule schedule;

    private Builder() {}

    /**
     * Sets the name (required).
     *
     * @param name the policy's name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the origin used for the id and in error messages (default {@code "builder"}).
     *
     * @param origin a file path or other origin
     * @return this builder
     */
    public Builder origin(String origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
      return this;
    }

    /**
     * Sets whether the policy is evaluated (default true).
     *
     * @param enabled the flag
     * @return this builder
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the smallest count (default 0).
     *
     * @param min at least 0
     * @return this builder
     */
    public Builder min(long min) {
      this.min = min;
      return this;
    }

    /**
     * Sets the largest count (required, as in nomad-autoscaler).
     *
     * @param max at least {@code min}
     * @return this builder
     */
    public Builder max(long max) {
      this.max = max;
      return this;
    }

    /**
     * Sets the cooldown (default 5m).
     *
     * @param cooldown a positive duration
     * @return this builder
     */
    public Builder cooldown(Duration cooldown) {
      this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
      return this;
    }

    /**
     * Sets the cooldown after a scale-up (default: the cooldown).
     *
     * @param cooldownOnScaleUp a positive duration
     * @return this builder
     */
    public Builder cooldownOnScaleUp(Duration cooldownOnScaleUp) {
      this.cooldownOnScaleUp = Objects.requireNonNull(cooldownOnScaleUp, "cooldownOnScaleUp");
      return this;
    }

    /**
     * Sets the evaluation interval (default 10s).
     *
     * @param evaluationInterval a positive duration
     * @return this builder
     */
    public Builder evaluationInterval(Duration evaluationInterval) {
      this.evaluationInterval = Objects.requireNonNull(evaluationInterval, "evaluationInterval");
      return this;
    }

    /**
     * Sets what a failing check does by default (default ignore).
     *
     * @param onCheckError the behaviour
     * @return this builder
     */
    public Builder onCheckError(OnError onCheckError) {
      this.onCheckError = Objects.requireNonNull(onCheckError, "onCheckError");
      return this;
    }

    /**
     * Adds a check.
     *
     * @param check the check
     * @return this builder
     */
    public Builder check(Check check) {
      checks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    /**
     * Sets the target (required).
     *
     * @param target the target's name and policy-level configuration
     * @return this builder
     */
    public Builder target(PluginRef target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * Sets the policy type (default {@code "horizontal"}).
     *
     * @param type {@code "horizontal"} or {@code "cluster"}
     * @return this builder
     */
    public Builder type(String type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * Sets when the policy may act (default: always).
     *
     * @param schedule the window; evaluations outside it are skipped
     * @return this builder
     */
    public Builder schedule(Schedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Validates and builds the policy.
     *
     * @return the policy
     * @throws PolicyException naming every problem at once
     */
    public ScalingPolicy build() {
      List<String> problems = problems();
      if (!problems.isEmpty()) {
        throw new PolicyException(problems);
      }
      return new ScalingPolicy(idOf(origin, name), name, enabled, min, max, cooldown,
          cooldownOnScaleUp == null ? cooldown : cooldownOnScaleUp, evaluationInterval, onCheckError,
          checks, target, type, origin, Optional.ofNullable(schedule));
    }

    /** Returns every rule the values set so far break; the parser merges them with its own. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      PolicyRules.validate(origin, name, min, max, cooldown, cooldownOnScaleUp, evaluationInterval, checks,
          target, type, problems);
      return problems;
    }
  }
}
