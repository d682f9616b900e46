package dev.capstan.agent;

import dev.capstan.Plugins;
import dev.capstan.config.Durations;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.CheckResult;
import dev.capstan.engine.OperatorOverride;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Replays policies over recorded metrics through the real engine and strategies, on virtual time,
 * against the simulator's group model: what would these policies have done, and what would it have cost?
 *
 * <pre>{@code
 * BacktestResult result = Backtest.builder()
 *     .policies(Policies.parse(Path.of("policies/aws-burst.hcl")))
 *     .history(History.readCsv(Path.of("history.csv"), Optional.of("cloud_instances")))
 *     .check("cloud_cpu_allocated_percentage", CheckKind.UTILIZATION)
 *     .bootDelay(Duration.ofMinutes(3))
 *     .sweep("target", List.of("50", "70", "90"))
 *     .build()
 *     .run();
 * }</pre>
 *
 * <p>The replay, per run (one policy, one sweep value): the group starts with the starting count
 * booted (default: the policy's {@code min}). Virtual time steps to each recorded point, each
 * evaluation (every {@code evaluation_interval} from the start, as the simulator does) and each boot
 * completion. At a point, every check that reads data gets its replayed value (see {@link CheckKind});
 * at an evaluation the engine ({@link Autoscaler#evaluate}) queries the replayed values over the
 * check's {@code query_window} and scales the group. A fixed-value check, or a check without a
 * source, reads no data. An operator's override ({@code --override}) is set on the engine before the
 * first evaluation at or after its start, as {@code capstan pause|hold} would set it on an agent. Not
 * thread-safe; each {@link #run} starts afresh.
 */
public final class Backtest {
  private final List<ScalingPolicy> policies;
  private final History history;
  private final Instant from;
  private final Instant to;
  private final Map<String, CheckKind> kinds;
  private final Optional<Duration> bootDelay;
  private final OptionalLong startingCount;
  private final OptionalDouble capacityPerInstance;
  private final OptionalDouble pricePerHour;
  private final List<ScalingPolicy> variants;
  private final List<String> variantLabels;
  /** By start, earliest first. */
  private final List<ScheduledOverride> overrides;

  private Backtest(Builder b, History history, List<ScalingPolicy> variants, List<String> labels) {
    this.policies = List.copyOf(b.policies);
    this.history = history;
    this.from = history.start();
    this.to = history.end();
    this.kinds = Map.copyOf(b.kinds);
    this.bootDelay = b.bootDelay;
    this.startingCount = b.startingCount;
    this.capacityPerInstance = b.capacityPerInstance;
    this.pricePerHour = b.pricePerHour;
    this.variants = List.copyOf(variants);
    this.variantLabels = List.copyOf(labels);
    this.overrides = b.overrides.stream().sorted(java.util.Comparator.comparing(ScheduledOverride::from)).toList();
  }

  /**
   * Starts a backtest.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Replays every policy (and every sweep value of each) over the history.
   *
   * @return the figures and every decision of each run
   */
  public BacktestResult run() {
    List<BacktestResult.Run> runs = new ArrayList<>();
    for (int i = 0; i < variants.size(); i++) {
      runs.add(replay(variants.get(i), variantLabels.get(i)));
    }
    return new BacktestResult(from, to, history.step(), runs);
  }

  /**
   * Every combination of the sweeps' values applied to {@code policy}, keyed by its label
   * ({@code target=50 cooldown=5m}; the first sweep varies slowest); the policy as written, labelled
   * {@code ""}, when there is no sweep.
   *
   * @throws BacktestException if a value does not apply, naming the policy and the combination
   */
  static Map<String, ScalingPolicy> variants(ScalingPolicy policy, List<Sweep> sweeps) {
    Map<String, ScalingPolicy> out = new LinkedHashMap<>();
    out.put("", policy);
    for (Sweep sweep : sweeps) {
      Map<String, ScalingPolicy> next = new LinkedHashMap<>();
      out.forEach((label, variant) -> {
        for (String value : sweep.values()) {
          String name = (label.isEmpty() ? "" : label + " ") + sweep.attribute() + "=" + value;
          if (next.put(name, Sweeps.apply(variant, sweep.attribute(), value)) != null) {
            throw new BacktestException("the sweep of '" + sweep.attribute() + "' has the value '" + value + "' twice");
          }
        }
      });
      out = next;
    }
    return out;
  }

  /** One swept attribute and its values, in order. */
  record Sweep(String attribute, List<String> values) {}

  /** Whether a check reads recorded data: it has a source and is not a fixed count. */
  static boolean readsData(Check check) {
    return !check.source().isBlank() && !check.strategy().name().equals("fixed-value");
  }

  private CloudProfile profile(ScalingPolicy policy) {
    CloudProfile base = CloudProfile.forTarget(policy.target().name());
    return new CloudProfile(base.target(), base.groupKey(), base.instanceType(), bootDelay.orElse(base.bootDelay()),
        capacityPerInstance.orElse(base.capacityMhz()), pricePerHour.orElse(base.pricePerHour()));
  }

  private BacktestResult.Run replay(ScalingPolicy policy, String variant) {
    CloudProfile profile = profile(policy);
    long starting = startingCount.orElse(policy.min());
    BacktestResult.GroupModel model = new BacktestResult.GroupModel(profile.bootDelay(), starting,
        profile.capacityMhz(), profile.pricePerHour());
    ManualClock clock = new ManualClock(from);
    String groupName = policy.target().config().getOrDefault(profile.groupKey(), "backtest");
    SimulatedGroup group = new SimulatedGroup(groupName, profile, clock, starting);

    // One replayed series per distinct query; the first check with that query feeds it.
    List<Check> fed = new ArrayList<>();
    List<RecordedMetrics> replayed = new ArrayList<>();
    Map<String, RecordedMetrics> byQuery = new HashMap<>();
    for (Check check : policy.checks()) {
      if (readsData(check) && !byQuery.containsKey(check.query())) {
        RecordedMetrics m = new RecordedMetrics();
        byQuery.put(check.query(), m);
        fed.add(check);
        replayed.add(m);
      }
    }
    int checks = fed.size();
    double[][] recorded = new double[checks][];
    boolean[] utilization = new boolean[checks];
    for (int k = 0; k < checks; k++) {
      recorded[k] = column(fed.get(k).name());
      utilization[k] = kinds.get(fed.get(k).name()) == CheckKind.UTILIZATION;
    }
    double[] sizes = history.hasRecordedSize() ? column(null) : null;
    double[] demand = new double[checks];
    double[] latest = new double[checks];
    java.util.Arrays.fill(latest, Double.NaN);

    List<ScalingDecision> decisions = new ArrayList<>();
    List<BacktestResult.Point> trace = new ArrayList<>();
    Set<String> problems = new LinkedHashSet<>();
    long stepMs = history.step().toMillis();
    int traceStride = (int) Math.max(1, 60_000 / stepMs);
    int n = history.size();
    long ups = 0;
    long downs = 0;
    long peak = group.count();
    long underMs = 0;
    double demandNow = 0;
    int i = 0;
    Instant nextSample = n > 0 ? history.time(0) : to;
    Instant nextEvaluation = from.plus(policy.evaluationInterval());
    int nextOverride = 0;
    try (Autoscaler engine = SimulatedEngine.build(policy, clock, group, new Router(byQuery))) {
      Instant now = from;
      while (now.isBefore(to)) {
        if (i < n && !now.isBefore(nextSample)) {
          long booted = group.readyCount();
          demandNow = 0;
          for (int k = 0; k < checks; k++) {
            double v = recorded[k][i];
            double size = utilization[k] ? sizes[i] : 1;
            if (Double.isFinite(v) && Double.isFinite(size)) {
              if (utilization[k]) {
                demand[k] = v * Math.max(size, 1) / 100;
                latest[k] = 100 * demand[k] / Math.max(booted, 1);
              } else {
                demand[k] = v / profile.capacityMhz();
                latest[k] = v;
              }
              replayed.get(k).record(now, latest[k]);
            } else {
              latest[k] = Double.NaN;
            }
            demandNow = Math.max(demandNow, demand[k]);
          }
          if (i % traceStride == 0) {
            trace.add(new BacktestResult.Point(now, checks > 0 ? recorded[0][i] : Double.NaN,
                checks > 0 ? latest[0] : Double.NaN, demandNow, booted, group.count()));
          }
          i++;
          nextSample = i < n ? history.time(i) : to;
        }
        if (!now.isBefore(nextEvaluation)) {
          // Set as an operator would between two evaluations; one that ended before this one is skipped.
          while (nextOverride < overrides.size() && !now.isBefore(overrides.get(nextOverride).from())) {
            OperatorOverride o = overrides.get(nextOverride++).override();
            if (!o.expiredAt(now)) {
              engine.override(policy.id(), o);
            }
          }
          ScalingDecision decision = engine.evaluate(policy);
          decisions.add(decision);
          if (decision.outcome() == Outcome.SCALED && decision.action().isPresent()) {
            if (BacktestResult.Run.isUp(decision)) {
              ups++;
            } else {
              downs++;
            }
          }
          decision.error().ifPresent(problems::add);
          for (CheckResult check : decision.checks()) {
            check.error().ifPresent(e -> problems.add("check '" + check.name() + "': " + e));
          }
          while (!nextEvaluation.isAfter(now)) {
            nextEvaluation = nextEvaluation.plus(policy.evaluationInterval());
          }
        }
        peak = Math.max(peak, group.count());
        Instant next = earliest(nextSample, nextEvaluation, to, group.nextBootCompletion().orElse(to));
        // A tiny tolerance, so a demand of exactly the booted capacity is not counted as short of it.
        if (demandNow > group.readyCount() + 1e-9) {
          underMs += Duration.between(now, next).toMillis();
        }
        clock.set(next);
        now = next;
      }
    }
    return new BacktestResult.Run(policy.name(), policy.origin(), variant, model,
        checks > 0 ? fed.get(0).name() : "", ups, downs, group.instanceHours(), group.cost(), underMs / 60_000.0,
        peak, decisions, trace, List.copyOf(problems));
  }

  /** The recorded series of check {@code name}, or the recorded sizes for {@code null}. */
  private double[] column(String name) {
    double[] out = new double[history.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = name == null ? history.recordedSize(i) : history.value(name, i);
    }
    return out;
  }

  private static Instant earliest(Instant a, Instant b, Instant c, Instant d) {
    Instant m = a.isBefore(b) ? a : b;
    m = m.isBefore(c) ? m : c;
    return m.isBefore(d) ? m : d;
  }

  /** Answers each check's query with its replayed series; a query without one gets no points. */
  private static final class Router implements MetricSource {
    private final Map<String, RecordedMetrics> byQuery;

    Router(Map<String, RecordedMetrics> byQuery) {
      this.byQuery = byQuery;
    }

    @Override
    public MetricSeries query(String query, Instant from, Instant to) {
      RecordedMetrics m = byQuery.get(query);
      return m == null ? MetricSeries.empty() : m.query(query, from, to);
    }

    @Override
    public void close() {
      // Nothing to release.
    }
  }

  /** Collects a backtest's inputs; {@link #build()} checks that they fit together. */
  public static final class Builder {
    private final List<ScalingPolicy> policies = new ArrayList<>();
    private History history;
    private Optional<Instant> from = Optional.empty();
    private Optional<Instant> to = Optional.empty();
    private final Map<String, CheckKind> kinds = new LinkedHashMap<>();
    private Optional<Duration> bootDelay = Optional.empty();
    private OptionalLong startingCount = OptionalLong.empty();
    private OptionalDouble capacityPerInstance = OptionalDouble.empty();
    private OptionalDouble pricePerHour = OptionalDouble.empty();
    private final List<Sweep> sweeps = new ArrayList<>();
    private final List<ScheduledOverride> overrides = new ArrayList<>();

    private Builder() {}

    /**
     * Sets an operator's override during the replay, on every policy and sweep value.
     *
     * @param override the override and when it is set; it must start within the replayed range
     * @return this builder
     */
    Builder override(ScheduledOverride override) {
      overrides.add(Objects.requireNonNull(override, "override"));
      return this;
    }

    /**
     * Adds a policy to replay.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder policy(ScalingPolicy policy) {
      policies.add(Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Adds policies to replay, side by side over the same history.
     *
     * @param policies the policies, in the order the result lists them
     * @return this builder
     */
    public Builder policies(List<ScalingPolicy> policies) {
      policies.forEach(this::policy);
      return this;
    }

    /**
     * Sets the recorded metrics.
     *
     * @param history the history; required
     * @return this builder
     */
    public Builder history(History history) {
      this.history = Objects.requireNonNull(history, "history");
      return this;
    }

    /**
     * Replays only from {@code from} on (default: the history's start).
     *
     * @param from the first instant replayed
     * @return this builder
     */
    public Builder from(Instant from) {
      this.from = Optional.of(from);
      return this;
    }

    /**
     * Replays only up to {@code to}, exclusive (default: the history's end).
     *
     * @param to the end of the replay
     * @return this builder
     */
    public Builder to(Instant to) {
      this.to = Optional.of(to);
      return this;
    }

    /**
     * Declares how check {@code name}'s recorded metric replays. Every check that reads data must be
     * declared, in every policy that has it.
     *
     * @param name the check's name
     * @param kind how it replays
     * @return this builder
     */
    public Builder check(String name, CheckKind kind) {
      kinds.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(kind, "kind"));
      return this;
    }

    /**
     * Sets how long a new instance takes to take work (default: the policy's cloud's profile, 3m for
     * an unknown target).
     *
     * @param bootDelay the boot delay
     * @return this builder
     */
    public Builder bootDelay(Duration bootDelay) {
      this.bootDelay = Optional.of(bootDelay);
      return this;
    }

    /**
     * Sets the instances running (and booted) at the start (default: the policy's {@code min}).
     *
     * @param count the starting count
     * @return this builder
     */
    public Builder startingCount(long count) {
      this.startingCount = OptionalLong.of(count);
      return this;
    }

    /**
     * Sets what one instance can take, in the unit of the capacity-independent checks (default: the
     * profile's 4000, MHz); a capacity-independent check's demand is its value ÷ this.
     *
     * @param capacity the per-instance capacity
     * @return this builder
     */
    public Builder capacityPerInstance(double capacity) {
      this.capacityPerInstance = OptionalDouble.of(capacity);
      return this;
    }

    /**
     * Sets the price of an instance-hour in US dollars (default: the policy's cloud's profile).
     *
     * @param price the price per instance-hour
     * @return this builder
     */
    public Builder pricePerHour(double price) {
      this.pricePerHour = OptionalDouble.of(price);
      return this;
    }

    /**
     * Replays every policy once per value of {@code attribute}: {@code min}, {@code max},
     * {@code cooldown}, {@code cooldown_on_scale_up}, {@code evaluation_interval}, a strategy key
     * (e.g. {@code target}, set on every check whose strategy has it) or
     * {@code check.<name>.strategy.<key>}. Called again with another attribute, every combination of
     * the values is replayed (the first attribute varies slowest), labelled e.g.
     * {@code target=50 cooldown=5m}.
     *
     * @param attribute what to vary
     * @param values its values, in order
     * @return this builder
     */
    public Builder sweep(String attribute, List<String> values) {
      Objects.requireNonNull(attribute, "attribute");
      if (values.isEmpty()) {
        throw new BacktestException("the sweep of '" + attribute + "' has no values");
      }
      for (Sweep earlier : sweeps) {
        if (earlier.attribute().equals(attribute)) {
          throw new BacktestException("'" + attribute + "' is swept twice; give all its values in one sweep");
        }
      }
      sweeps.add(new Sweep(attribute, List.copyOf(values)));
      return this;
    }

    /**
     * Checks that the inputs fit together and builds the backtest.
     *
     * @return the backtest
     * @throws BacktestException if there is no history or policy, a check that reads data has no
     *     recorded series or no declared kind, a utilization check lacks the recorded size, the range
     *     is empty, or a sweep value does not apply; the message names the policy and check
     */
    public Backtest build() {
      if (history == null) {
        throw new BacktestException("no history: give recorded metrics (a CSV file or a Prometheus range)");
      }
      if (policies.isEmpty()) {
        throw new BacktestException("no policy to replay");
      }
      GroupModelCheck.check(bootDelay, startingCount, capacityPerInstance, pricePerHour);
      Instant start = from.orElse(history.start());
      Instant end = to.orElse(history.end());
      History cut = history.slice(start, end);
      if (cut.size() == 0) {
        throw new BacktestException("no recorded point in " + start + " .. " + end + "; the history spans "
            + history.start() + " .. " + history.end());
      }
      for (ScheduledOverride o : overrides) {
        if (o.from().isBefore(cut.start()) || !o.from().isBefore(cut.end())) {
          throw new BacktestException("--override was '" + o.spec() + "' but its start " + o.from()
              + " must be within the replayed range " + cut.start() + " .. " + cut.end());
        }
      }
      Set<String> used = new LinkedHashSet<>();
      // Every run, in order: each policy once per combination of the sweeps' values.
      List<ScalingPolicy> runs = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (ScalingPolicy policy : policies) {
        for (Check check : policy.checks()) {
          if (!readsData(check)) {
            continue;
          }
          String where = policy.origin() + ": policy '" + policy.name() + "', check '" + check.name() + "'";
          used.add(check.name());
          if (!cut.has(check.name())) {
            throw new BacktestException(where + " reads data but the history has no series '" + check.name()
                + "'; it has " + cut.names());
          }
          CheckKind kind = kinds.get(check.name());
          if (kind == null) {
            throw new BacktestException(where + ": declare how it replays, as a utilization check (a percentage"
                + " of the group's capacity) or a capacity-independent one (queue length, requests/s)");
          }
          if (kind == CheckKind.UTILIZATION && !cut.hasRecordedSize()) {
            throw new BacktestException(where + " is a utilization check, so the history needs the group size"
                + " recorded with it (a size column or query)");
          }
        }
        for (Map.Entry<String, ScalingPolicy> variant : variants(policy, sweeps).entrySet()) {
          labels.add(variant.getKey());
          runs.add(variant.getValue());
          for (Check check : variant.getValue().checks()) {
            try {
              Plugins.strategy(check.strategy().name(), check.strategy().config());
            } catch (ConfigException e) {
              throw new BacktestException(policy.origin() + ": policy '" + policy.name() + "', sweep "
                  + variant.getKey() + ", check '" + check.name() + "': " + e.getMessage(), e);
            }
          }
        }
      }
      for (String declared : kinds.keySet()) {
        if (!used.contains(declared)) {
          throw new BacktestException("'" + declared + "' was declared as a " + kinds.get(declared).name()
              .toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " check, but no policy has a check of that"
              + " name that reads data; the checks are " + used);
        }
      }
      return new Backtest(this, cut, runs, labels);
    }
  }

  /** Validates the group model's overrides with the words of the flags and builder methods. */
  private static final class GroupModelCheck {
    static void check(Optional<Duration> bootDelay, OptionalLong startingCount, OptionalDouble capacity,
        OptionalDouble price) {
      if (bootDelay.isPresent() && bootDelay.get().isNegative()) {
        throw new BacktestException("boot delay was '" + Durations.format(bootDelay.get()) + "' but it must not be negative");
      }
      if (startingCount.isPresent() && startingCount.getAsLong() < 0) {
        throw new BacktestException("starting count was '" + startingCount.getAsLong() + "' but it must be at least 0");
      }
      if (capacity.isPresent() && !(capacity.getAsDouble() > 0 && Double.isFinite(capacity.getAsDouble()))) {
        throw new BacktestException("capacity per instance was '" + capacity.getAsDouble() + "' but it must be positive");
      }
      if (price.isPresent() && !(price.getAsDouble() >= 0 && Double.isFinite(price.getAsDouble()))) {
        throw new BacktestException("price per hour was '" + price.getAsDouble() + "' but it must be at least 0");
      }
    }
  }
}
