package dev.capstan.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One check of a policy: a metric query and the strategy that turns its result into a count.
 *
 * <p>Build one with {@link #builder()} (or {@link #of} for the common case); {@link Builder#build()}
 * refuses an invalid check, so every {@code Check} that exists is valid. A check remembers which of its
 * defaulted fields were given ({@link #isSet}); that knowledge is not part of {@link #equals}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Check {

  /** nomad-autoscaler's default query window. */
  public static final Duration DEFAULT_QUERY_WINDOW = Duration.ofMinutes(1);

  /**
   * The fields of a check that have a default a check may also set explicitly, so that their value
   * alone cannot say whether they were given. Optional fields ({@link #group()}, {@link #onError()})
   * say it themselves: empty means not given.
   */
  public enum Field {
    /** {@code query_window}, default {@link #DEFAULT_QUERY_WINDOW}. */
    QUERY_WINDOW,
    /** {@code query_window_offset}, default 0. */
    QUERY_WINDOW_OFFSET,
    /** {@code demand}, default false. */
    DEMAND
  }

  private final String name;
  private final String source;
  private final String query;
  private final Duration queryWindow;
  private final Duration queryWindowOffset;
  private final Optional<String> group;
  private final PluginRef strategy;
  private final Optional<OnError> onError;
  private final boolean demand;
  private final Optional<Fallback> fallback;
  private final boolean queryInstant;
  private final Optional<Schedule> schedule;
  private final Set<Field> set;

  private Check(Builder b) {
    this.name = Objects.requireNonNull(b.name);
    this.source = b.source;
    this.query = b.query;
    this.queryWindow = b.queryWindow;
    this.queryWindowOffset = b.queryWindowOffset;
    this.group = Optional.ofNullable(b.group);
    this.strategy = Objects.requireNonNull(b.strategy);
    this.onError = Optional.ofNullable(b.onError);
    this.demand = b.demand;
    this.fallback = Optional.ofNullable(b.fallback);
    this.queryInstant = b.queryInstant;
    this.schedule = Optional.ofNullable(b.schedule);
    this.set = b.set.isEmpty() ? Set.of() : Set.copyOf(b.set);
  }

  /**
   * Returns an empty builder: no name, no strategy, every other field at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this check's values and set-ness, so that {@code check.toBuilder().x(..).build()}
   * changes one field and keeps every other.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.source = source;
    b.query = query;
    b.queryWindow = queryWindow;
    b.queryWindowOffset = queryWindowOffset;
    b.group = group.orElse(null);
    b.strategy = strategy;
    b.onError = onError.orElse(null);
    b.demand = demand;
    b.fallback = fallback.orElse(null);
    b.queryInstant = queryInstant;
    b.schedule = schedule.orElse(null);
    b.set.addAll(set);
    return b;
  }

  /**
   * Returns a check with the default window (1m), no offset, no group and the policy's error handling.
   *
   * @param name the check's name
   * @param source the metric source's name
   * @param query the query
   * @param strategy the strategy and its configuration
   * @return a new check
   * @throws PolicyException if the check breaks a rule of {@link Builder#build()}
   */
  public static Check of(String name, String source, String query, PluginRef strategy) {
    return builder().name(name).source(source).query(query).strategy(strategy).build();
  }

  /**
   * Returns the check's name, unique within its policy.
   *
   * @return the name, not blank
   */
  public String name() {
    return name;
  }

  /**
   * Returns the metric source's name, e.g. {@code "prometheus"}.
   *
   * @return the name; empty for strategies that read no metrics (such as fixed-value)
   */
  public String source() {
    return source;
  }

  /**
   * Returns the query in the source's language.
   *
   * @return the query; empty for strategies that read no metrics
   */
  public String query() {
    return query;
  }

  /**
   * Returns how far back the query reaches from now.
   *
   * @return a positive duration ({@link #DEFAULT_QUERY_WINDOW} unless set), or zero for an
   *     {@linkplain #queryInstant() instant} query
   */
  public Duration queryWindow() {
    return queryWindow;
  }

  /**
   * Returns whether the check reads its metric at one instant ({@code query_window = "instant"}, as in
   * nomad-autoscaler): the source is asked for the window {@code [to, to]}, where {@code to} is now
   * minus the {@link #queryWindowOffset() offset}; the Prometheus source answers it with an instant
   * query. {@link #queryWindow()} is then zero.
   *
   * @return the flag; false unless set
   */
  public boolean queryInstant() {
    return queryInstant;
  }

  /**
   * Returns when this check has a say (a check-level {@code schedule} block, as in nomad-autoscaler):
   * outside it the check is not run at all, not even its query, and the policy decides on its other
   * checks; a policy whose checks are all outside their schedules changes nothing.
   *
   * @return the schedule, or empty when the check always runs
   */
  public Optional<Schedule> schedule() {
    return schedule;
  }

  /**
   * Returns how far the whole query window is shifted into the past.
   *
   * @return a duration that is not negative; 0 unless set
   */
  public Duration queryWindowOffset() {
    return queryWindowOffset;
  }

  /**
   * Returns the check group: within a group, NONE votes are ignored unless all are NONE.
   *
   * @return the group's name, or empty when the check stands alone
   */
  public Optional<String> group() {
    return group;
  }

  /**
   * Returns the strategy and its configuration.
   *
   * @return the strategy reference, its name not blank
   */
  public PluginRef strategy() {
    return strategy;
  }

  /**
   * Returns what a failure of this check does, when it overrides the policy's {@code on_check_error}.
   *
   * @return the override, or empty to follow the policy
   */
  public Optional<OnError> onError() {
    return onError;
  }

  /**
   * Returns whether this is a demand check (HCL {@code demand = true}, a Capstan extension): it
   * measures work waiting for capacity (e.g. blocked evaluations) and is consulted only while the group
   * is at 0, where utilization checks have nothing to measure; while the group has capacity only the
   * other checks run. A policy without demand checks runs all its checks at every count.
   *
   * @return the flag; false unless set
   */
  public boolean demand() {
    return demand;
  }

  /**
   * Returns what this check votes after failing several times in a row (HCL {@code fallback { ... }}).
   *
   * @return the fallback, or empty when a failing check is only dropped or fails the evaluation
   */
  public Optional<Fallback> fallback() {
    return fallback;
  }

  /**
   * Returns whether {@code field} was given to the builder or in the file, rather than left at its default.
   *
   * @param field the field
   * @return true when it was set explicitly, even to its default value
   */
  public boolean isSet(Field field) {
    return set.contains(Objects.requireNonNull(field, "field"));
  }

  /**
   * Returns this check as a demand check (or not).
   *
   * @param demand whether it is consulted only while the group is at 0
   * @return a copy with the flag set
   */
  public Check withDemand(boolean demand) {
    return toBuilder().demand(demand).build();
  }

  /**
   * Returns what a failure of this check does, given its policy's default.
   *
   * @param policyDefault the policy's {@code on_check_error}
   * @return this check's {@code on_error} if set, else the policy's
   */
  public OnError effectiveOnError(OnError policyDefault) {
    return onError.orElse(policyDefault);
  }

  /**
   * Compares the values of two checks. Which fields were set explicitly is not compared: a check that
   * says {@code query_window = "1m"} behaves exactly as one that relies on the default.
   *
   * @param o another object
   * @return whether it is a check with equal values
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Check c && name.equals(c.name) && source.equals(c.source) && query.equals(c.query)
        && queryWindow.equals(c.queryWindow) && queryWindowOffset.equals(c.queryWindowOffset)
        && group.equals(c.group) && strategy.equals(c.strategy) && onError.equals(c.onError)
        && demand == c.demand && fallback.equals(c.fallback) && queryInstant == c.queryInstant
        && schedule.equals(c.schedule);
  }

  /**
   * Returns a hash consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hash(name, source, query, queryWindow, queryWindowOffset, group, strategy, onError, demand,
        fallback, queryInstant, schedule);
  }

  /**
   * Describes the check's values for logs and test failures.
   *
   * @return e.g. {@code Check[name=cpu, source=prometheus, query=avg(cpu), queryWindow=PT1M, ...]}
   */
  @Override
  public String toString() {
    return "Check[name=" + name + ", source=" + source + ", query=" + query + ", queryWindow="
        + (queryInstant ? "instant" : queryWindow) + ", queryWindowOffset=" + queryWindowOffset + ", group=" + group + ", strategy=" + strategy
        + ", onError=" + onError + ", demand=" + demand
        + fallback.map(f -> ", " + f).orElse("") + schedule.map(s -> ", schedule=" + s).orElse("") + "]";
  }

  /**
   * Builds a {@link Check}, with nomad-autoscaler's defaults and the parser's validation. Every setter
   * marks its field as set ({@link Check#isSet}). Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String name;
    private String source = "";
    private String query = "";
    private Duration queryWindow = DEFAULT_QUERY_WINDOW;
    private Duration queryWindowOffset = Duration.ZERO;
    private @Nullable String group;
    private @Nullable PluginRef strategy;
    private @Nullable OnError onError;
    private boolean demand;
    private @Nullable Fallback fallback;
    private boolean queryInstant;
    private @Nullable Schedule schedule;
    private final EnumSet<Field> set = EnumSet.noneOf(Field.class);

    private Builder() {}

    /**
     * Sets the name (required, not blank, unique within the policy).
     *
     * @param name the check's name, as in {@code check "<name>"}
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the metric source's name (required unless the strategy reads no metrics, such as fixed-value).
     *
     * @param source e.g. {@code "prometheus"}
     * @return this builder
     * @throws NullPointerException if {@code source} is null
     */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Sets the query (required unless the strategy reads no metrics).
     *
     * @param query the query in the source's language
     * @return this builder
     * @throws NullPointerException if {@code query} is null
     */
    public Builder query(String query) {
      this.query = Objects.requireNonNull(query, "query");
      return this;
    }

    /**
     * Sets how far back the query reaches from now (default 1m).
     *
     * @param queryWindow a positive duration
     * @return this builder
     * @throws NullPointerException if {@code queryWindow} is null
     */
    public Builder queryWindow(Duration queryWindow) {
      this.queryWindow = Objects.requireNonNull(queryWindow, "queryWindow");
      this.queryInstant = false;
      set.add(Field.QUERY_WINDOW);
      return this;
    }

    /**
     * Makes the check read its metric at one instant instead of over a window
     * ({@code query_window = "instant"}); a later {@link #queryWindow(Duration)} undoes it.
     *
     * @return this builder
     */
    public Builder queryInstant() {
      this.queryWindow = Duration.ZERO;
      this.queryInstant = true;
      set.add(Field.QUERY_WINDOW);
      return this;
    }

    /**
     * Limits when the check runs (default: always); see {@link Check#schedule()}.
     *
     * @param schedule the window in which the check has a say
     * @return this builder
     * @throws NullPointerException if {@code schedule} is null
     */
    public Builder schedule(Schedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Sets how far the whole window is shifted into the past (default 0).
     *
     * @param queryWindowOffset a duration that is not negative
     * @return this builder
     * @throws NullPointerException if {@code queryWindowOffset} is null
     */
    public Builder queryWindowOffset(Duration queryWindowOffset) {
      this.queryWindowOffset = Objects.requireNonNull(queryWindowOffset, "queryWindowOffset");
      set.add(Field.QUERY_WINDOW_OFFSET);
      return this;
    }

    /**
     * Puts the check in a group (default: none); within a group, NONE votes are ignored unless all are NONE.
     *
     * @param group the group's name, not blank
     * @return this builder
     * @throws NullPointerException if {@code group} is null
     */
    public Builder group(String group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /**
     * Sets the strategy (required).
     *
     * @param strategy the strategy's name, not blank, and its configuration
     * @return this builder
     * @throws NullPointerException if {@code strategy} is null
     */
    public Builder strategy(PluginRef strategy) {
      this.strategy = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * Overrides the policy's {@code on_check_error} for this check (default: follow the policy).
     *
     * @param onError what a failure of this check does
     * @return this builder
     * @throws NullPointerException if {@code onError} is null
     */
    public Builder onError(OnError onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /**
     * Makes this a demand check, consulted only while the group is at 0 (default false).
     *
     * @param demand the flag
     * @return this builder
     */
    public Builder demand(boolean demand) {
      this.demand = demand;
      set.add(Field.DEMAND);
      return this;
    }

    /**
     * Sets what the check votes after failing {@link Fallback#failures()} times in a row (default: none).
     *
     * @param fallback the fallback
     * @return this builder
     * @throws NullPointerException if {@code fallback} is null
     */
    public Builder fallback(Fallback fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * Validates and builds the check.
     *
     * <p>Rules: a name that is not blank; a strategy with a name; a source and a query unless the strategy
     * reads no metrics (fixed-value); a positive {@code query_window} unless the query is instant; a
     * {@code query_window_offset} that is not negative; a group, when given, that is not blank; a
     * {@code threshold} strategy of an instant query with {@code within_bounds_trigger = 1} (one point
     * can trigger only one, as nomad-autoscaler requires).
     *
     * @return the check
     * @throws PolicyException naming the check, every broken rule and its field, such as
     *     {@code check 'cpu': query_window was '0s' but it must be a positive duration}
     */
    public Check build() {
      List<String> problems = problems("");
      if (!problems.isEmpty()) {
        throw new PolicyException(problems);
      }
      return new Check(this);
    }

    /**
     * Returns every rule the values set so far break, each message starting with {@code policyAt}
     * (the parser passes its file-and-policy prefix).
     */
    List<String> problems(String policyAt) {
      List<String> problems = new ArrayList<>();
      PolicyRules.validateCheck(policyAt, name, source, query, queryInstant ? null : queryWindow, queryWindowOffset,
          group, strategy, problems);
      return problems;
    }
  }

  /**
   * Returns a stand-in for a check the parser could not read, named as in the file so that duplicate
   * names are still found; its problems are already recorded, so no policy holding it is ever built.
   */
  static Check placeholder(String name, PluginRef strategy) {
    Builder b = new Builder();
    b.name = name;
    b.strategy = strategy;
    return new Check(b);
  }
}
