package dev.capstan.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A scaling policy: keep a target between {@code min} and {@code max} according to its checks.
 *
 * <p>Build one with {@link #builder()} or parse nomad-autoscaler files with {@code dev.capstan.policy.Policies}
 * (in capstan-core); derive one from another with {@link #toBuilder()}, which keeps every field not changed.
 * {@link Builder#build()} refuses an invalid policy, so every {@code ScalingPolicy} that exists is valid.
 *
 * <p>A policy remembers which of its defaulted fields were given ({@link #isSet}), so that a caller such
 * as the agent can fill only the ones a policy file left out. That knowledge is not part of
 * {@link #equals}: two policies with the same values behave the same.
 *
 * <p>Immutable and thread-safe.
 */
public final class ScalingPolicy {

  /** nomad-autoscaler's default cooldown. */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
  /** nomad-autoscaler's default evaluation interval. */
  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofSeconds(10);
  /** The default policy type. */
  public static final String DEFAULT_TYPE = "horizontal";

  /**
   * The fields of a policy that have a default a policy may also set explicitly, so that their value
   * alone cannot say whether they were given. Required fields (name, max, checks, target) are always
   * given; {@link #schedule()} says it itself (empty means not given).
   */
  public enum Field {
    /** {@code enabled}, default true. */
    ENABLED,
    /** {@code min}, default 0. */
    MIN,
    /** {@code cooldown}, default {@link #DEFAULT_COOLDOWN}. */
    COOLDOWN,
    /** {@code cooldown_on_scale_up}, default: the policy's cooldown. */
    COOLDOWN_ON_SCALE_UP,
    /** {@code evaluation_interval}, default {@link #DEFAULT_EVALUATION_INTERVAL}. */
    EVALUATION_INTERVAL,
    /** {@code on_check_error}, default {@link OnError#IGNORE}. */
    ON_CHECK_ERROR,
    /** {@code type}, default {@link #DEFAULT_TYPE}. */
    TYPE
  }

  private final String id;
  private final String name;
  private final boolean enabled;
  private final long min;
  private final long max;
  private final Duration cooldown;
  private final Duration cooldownOnScaleUp;
  private final Duration evaluationInterval;
  private final OnError onCheckError;
  private final List<Check> checks;
  private final PluginRef target;
  private final String type;
  private final String origin;
  private final Optional<Schedule> schedule;
  private final Optional<Behavior> behavior;
  private final Set<LintRule> lintIgnored;
  private final Set<Field> set;

  /** Takes the values of a builder that passed validation. */
  private ScalingPolicy(Builder b) {
    this.name = Objects.requireNonNull(b.name);
    this.origin = b.origin;
    this.id = idOf(origin, name);
    this.enabled = b.enabled;
    this.min = b.min;
    this.max = Objects.requireNonNull(b.max);
    this.cooldown = b.cooldown;
    this.cooldownOnScaleUp = b.cooldownOnScaleUp == null ? b.cooldown : b.cooldownOnScaleUp;
    this.evaluationInterval = b.evaluationInterval;
    this.onCheckError = b.onCheckError;
    this.checks = List.copyOf(b.checks);
    this.target = Objects.requireNonNull(b.target);
    this.type = b.type;
    this.schedule = Optional.ofNullable(b.schedule);
    this.behavior = Optional.ofNullable(b.behavior);
    this.lintIgnored = b.lintIgnored.isEmpty() ? Set.of() : Set.copyOf(b.lintIgnored);
    this.set = b.set.isEmpty() ? Set.of() : Set.copyOf(b.set);
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
   * Returns a builder with nomad-autoscaler's defaults and nothing set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this policy's values and set-ness, so that
   * {@code policy.toBuilder().cooldown(d).build()} changes one field and keeps every other, schedule
   * included. A {@code cooldown_on_scale_up} that was not set keeps following the cooldown.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.origin = origin;
    b.enabled = enabled;
    b.min = min;
    b.max = max;
    b.cooldown = cooldown;
    b.cooldownOnScaleUp = set.contains(Field.COOLDOWN_ON_SCALE_UP) ? cooldownOnScaleUp : null;
    b.evaluationInterval = evaluationInterval;
    b.onCheckError = onCheckError;
    b.checks.addAll(checks);
    b.target = target;
    b.type = type;
    b.schedule = schedule.orElse(null);
    b.behavior = behavior.orElse(null);
    b.lintIgnored.addAll(lintIgnored);
    b.set.addAll(set);
    return b;
  }

  /**
   * Returns the policy's stable identity: {@link #idOf} of its origin and name, so reloading a file keeps it.
   *
   * @return 16 hex digits
   */
  public String id() {
    return id;
  }

  /**
   * Returns the policy's name, as in {@code scaling "<name>"}.
   *
   * @return the name, not blank
   */
  public String name() {
    return name;
  }

  /**
   * Returns whether the policy is scheduled; a disabled policy is registered but never scheduled (an
   * embedder may still evaluate it on request with {@code Autoscaler.evaluate}).
   *
   * @return the flag; true unless set
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Returns the smallest count the policy scales to.
   *
   * @return at least 0; 0 unless set
   */
  public long min() {
    return min;
  }

  /**
   * Returns the largest count the policy scales to.
   *
   * @return at least {@link #min()}
   */
  public long max() {
    return max;
  }

  /**
   * Returns the quiet period after a scale-down (and after a scale-up unless
   * {@link #cooldownOnScaleUp()} was set).
   *
   * @return a positive duration; {@link #DEFAULT_COOLDOWN} unless set
   */
  public Duration cooldown() {
    return cooldown;
  }

  /**
   * Returns the quiet period after a scale-up.
   *
   * @return a positive duration; {@link #cooldown()} unless set
   */
  public Duration cooldownOnScaleUp() {
    return cooldownOnScaleUp;
  }

  /**
   * Returns how often the policy is evaluated.
   *
   * @return a positive duration; {@link #DEFAULT_EVALUATION_INTERVAL} unless set
   */
  public Duration evaluationInterval() {
    return evaluationInterval;
  }

  /**
   * Returns what a failing check does when the check does not say ({@link Check#onError()}).
   *
   * @return the behaviour; {@link OnError#IGNORE} unless set
   */
  public OnError onCheckError() {
    return onCheckError;
  }

  /**
   * Returns the policy's checks, in the order they were given.
   *
   * @return an immutable list of at least one check, names unique
   */
  public List<Check> checks() {
    return checks;
  }

  /**
   * Returns the target and its policy-level configuration.
   *
   * @return the target reference, its name not blank
   */
  public PluginRef target() {
    return target;
  }

  /**
   * Returns the policy type.
   *
   * @return {@code "horizontal"} ({@link #DEFAULT_TYPE}, unless set) or {@code "cluster"}
   */
  public String type() {
    return type;
  }

  /**
   * Returns where the policy came from, used in its id and in messages.
   *
   * @return a file path, or {@code "builder"} unless set
   */
  public String origin() {
    return origin;
  }

  /**
   * Returns when the policy may act; outside the window evaluations are skipped.
   *
   * @return the window, or empty: always
   */
  public Optional<Schedule> schedule() {
    return schedule;
  }

  /**
   * Returns how fast the count may change (Kubernetes' HPA {@code behavior}, a Capstan extension).
   *
   * @return the behaviour, or empty: no stabilization and no rate limit, only the cooldown (as
   *     nomad-autoscaler)
   */
  public Optional<Behavior> behavior() {
    return behavior;
  }

  /**
   * Returns the lint rules this policy silences (its {@code lint { ignore = [...] }} block, a Capstan
   * extension): the linter reports no warning of these rules for it. The engine ignores them.
   *
   * @return the rules, empty unless set
   */
  public Set<LintRule> lintIgnored() {
    return lintIgnored;
  }

  /**
   * Returns whether {@code field} was given to the builder or in the policy file, rather than left at
   * its default. Set-ness survives {@link #toBuilder()}.
   *
   * @param field the field
   * @return true when it was set explicitly, even to its default value
   */
  public boolean isSet(Field field) {
    return set.contains(Objects.requireNonNull(field, "field"));
  }

  /**
   * Compares the values of two policies. Which fields were set explicitly is not compared: a policy
   * that says {@code cooldown = "5m"} behaves exactly as one that relies on the default, so the engine,
   * the agent's reload and tests see them as the same policy.
   *
   * @param o another object
   * @return whether it is a policy with equal values
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ScalingPolicy p && id.equals(p.id) && name.equals(p.name) && enabled == p.enabled
        && min == p.min && max == p.max && cooldown.equals(p.cooldown)
        && cooldownOnScaleUp.equals(p.cooldownOnScaleUp) && evaluationInterval.equals(p.evaluationInterval)
        && onCheckError == p.onCheckError && checks.equals(p.checks) && target.equals(p.target)
        && type.equals(p.type) && origin.equals(p.origin) && schedule.equals(p.schedule)
        && behavior.equals(p.behavior) && lintIgnored.equals(p.lintIgnored);
  }

  /**
   * Returns a hash consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hash(id, name, enabled, min, max, cooldown, cooldownOnScaleUp, evaluationInterval, onCheckError,
        checks, target, type, origin, schedule, behavior, lintIgnored);
  }

  /**
   * Describes the policy's values for logs and test failures.
   *
   * @return e.g. {@code ScalingPolicy[id=..., name=web, enabled=true, min=1, max=10, ...]}
   */
  @Override
  public String toString() {
    return "ScalingPolicy[id=" + id + ", name=" + name + ", enabled=" + enabled + ", min=" + min + ", max=" + max
        + ", cooldown=" + cooldown + ", cooldownOnScaleUp=" + cooldownOnScaleUp + ", evaluationInterval="
        + evaluationInterval + ", onCheckError=" + onCheckError + ", checks=" + checks + ", target=" + target
        + ", type=" + type + ", origin=" + origin + ", schedule=" + schedule + ", behavior=" + behavior + ", lintIgnored=" + lintIgnored + "]";
  }

  /**
   * Builds a {@link ScalingPolicy} in code, with the same defaults and validation as the parser. Every
   * setter marks its field as set ({@link ScalingPolicy#isSet}). Not thread-safe.
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
    private @Nullable Behavior behavior;
    private final EnumSet<LintRule> lintIgnored = EnumSet.noneOf(LintRule.class);
    private final EnumSet<Field> set = EnumSet.noneOf(Field.class);

    private Builder() {}

    /**
     * Sets the name (required, not blank).
     *
     * @param name the policy's name
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the origin used for the id and in error messages (default {@code "builder"}).
     *
     * @param origin a file path or other origin
     * @return this builder
     * @throws NullPointerException if {@code origin} is null
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
      set.add(Field.ENABLED);
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
      set.add(Field.MIN);
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
     * Sets the cooldown (default 5m); an unset {@code cooldown_on_scale_up} follows it.
     *
     * @param cooldown a positive duration
     * @return this builder
     * @throws NullPointerException if {@code cooldown} is null
     */
    public Builder cooldown(Duration cooldown) {
      this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
      set.add(Field.COOLDOWN);
      return this;
    }

    /**
     * Sets the cooldown after a scale-up (default: the cooldown).
     *
     * @param cooldownOnScaleUp a positive duration
     * @return this builder
     * @throws NullPointerException if {@code cooldownOnScaleUp} is null
     */
    public Builder cooldownOnScaleUp(Duration cooldownOnScaleUp) {
      this.cooldownOnScaleUp = Objects.requireNonNull(cooldownOnScaleUp, "cooldownOnScaleUp");
      set.add(Field.COOLDOWN_ON_SCALE_UP);
      return this;
    }

    /**
     * Sets the evaluation interval (default 10s).
     *
     * @param evaluationInterval a positive duration
     * @return this builder
     * @throws NullPointerException if {@code evaluationInterval} is null
     */
    public Builder evaluationInterval(Duration evaluationInterval) {
      this.evaluationInterval = Objects.requireNonNull(evaluationInterval, "evaluationInterval");
      set.add(Field.EVALUATION_INTERVAL);
      return this;
    }

    /**
     * Sets what a failing check does by default (default ignore).
     *
     * @param onCheckError the behaviour
     * @return this builder
     * @throws NullPointerException if {@code onCheckError} is null
     */
    public Builder onCheckError(OnError onCheckError) {
      this.onCheckError = Objects.requireNonNull(onCheckError, "onCheckError");
      set.add(Field.ON_CHECK_ERROR);
      return this;
    }

    /**
     * Adds a check after those already added (at least one is required; names must be unique).
     *
     * @param check the check
     * @return this builder
     * @throws NullPointerException if {@code check} is null
     */
    public Builder check(Check check) {
      checks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    /**
     * Replaces every check added so far, e.g. on a builder from {@link ScalingPolicy#toBuilder()}.
     *
     * @param checks the checks, in order
     * @return this builder
     * @throws NullPointerException if {@code checks} or one of them is null
     */
    public Builder checks(List<Check> checks) {
      List<Check> copy = List.copyOf(checks);
      this.checks.clear();
      this.checks.addAll(copy);
      return this;
    }

    /**
     * Sets the target (required).
     *
     * @param target the target's name, not blank, and policy-level configuration
     * @return this builder
     * @throws NullPointerException if {@code target} is null
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
     * @throws NullPointerException if {@code type} is null
     */
    public Builder type(String type) {
      this.type = Objects.requireNonNull(type, "type");
      set.add(Field.TYPE);
      return this;
    }

    /**
     * Sets when the policy may act (default: always).
     *
     * @param schedule the window; evaluations outside it are skipped
     * @return this builder
     * @throws NullPointerException if {@code schedule} is null
     */
    public Builder schedule(Schedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Sets how fast the count may change (default: no behaviour, only the cooldown).
     *
     * @param behavior stabilization windows and rate limits per direction
     * @return this builder
     * @throws NullPointerException if {@code behavior} is null
     */
    public Builder behavior(Behavior behavior) {
      this.behavior = Objects.requireNonNull(behavior, "behavior");
      return this;
    }

    /**
     * Sets the lint rules the linter does not report for this policy (default: none), replacing any set before.
     *
     * @param rules the rules to silence
     * @return this builder
     * @throws NullPointerException if {@code rules} or one of them is null
     */
    public Builder lintIgnored(Set<LintRule> rules) {
      Set<LintRule> copy = Set.copyOf(rules);
      lintIgnored.clear();
      lintIgnored.addAll(copy);
      return this;
    }

    /**
     * Validates and builds the policy.
     *
     * <p>Rules: a name that is not blank; {@code min} at least 0; {@code max} given and at least
     * {@code min}; positive {@code cooldown}, {@code cooldown_on_scale_up} and {@code evaluation_interval};
     * a known {@code type}; at least one check, names unique; a target with a name; a behaviour's
     * windows from 0s to 1h, rate periods from 1s to 30m and rate values from 1.
     *
     * @return the policy
     * @throws PolicyException naming the origin, the policy, and every broken rule with its field, such
     *     as {@code builder: policy 'web': min was '-1' but it must be at least 0}
     */
    public ScalingPolicy build() {
      List<String> problems = problems();
      if (!problems.isEmpty()) {
        throw new PolicyException(problems);
      }
      return new ScalingPolicy(this);
    }

    /** Returns every rule the values set so far break; the parser merges them with its own. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      PolicyRules.validate(origin, name, min, max, cooldown, cooldownOnScaleUp, evaluationInterval, checks,
          target, type, problems);
      if (behavior != null) {
        Behavior.validate(PolicyRules.where(origin, name), behavior, problems);
      }
      return problems;
    }
  }
}
