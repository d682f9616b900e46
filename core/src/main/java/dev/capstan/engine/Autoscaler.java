package dev.capstan.engine;

import dev.capstan.Plugins;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.Target;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates scaling policies: on its own schedule after {@link #start()}, or one at a time through
 * {@link #evaluate(ScalingPolicy)} for embedders that run their own loop.
 *
 * <p>The data path of one scheduled evaluation, each step one class:
 * {@code PolicyRunner} (the tick: schedule rule, in-flight flag) → {@code StatusBatcher} (one
 * {@link Target#statusOf} per target for every group due in the window) → {@code Evaluation}
 * ({@link Decider#plan}, the checks, {@link Decider#decide}, intent saved, target scaled, confirmed)
 * → listeners. Plug-ins are found and bound once per policy by {@code PluginResolver} into a
 * {@code BoundPolicy}; every plug-in call goes through one {@code CallGuard}.
 *
 * <ul>
 *   <li>Each enabled policy runs every {@code evaluation_interval}; its first run comes after a
 *       random jitter of up to {@link Builder#jitter(double) 10 %} of it, so policies loaded
 *       together do not fire together, and later runs keep that phase (so a target's policies stay
 *       close enough to share one status read per interval).
 *       Disabled policies are never scheduled ({@link #evaluate} still evaluates one on request).
 *   <li>At most one evaluation of a policy is in flight; a tick that finds one still running is
 *       reported as {@link Outcome#SKIPPED_BUSY}. Evaluations run on the executor, never on the
 *       scheduler, so a slow policy does not delay others.
 *   <li>Plug-ins are guarded: an exception in a metric source or strategy fails its check, one in the
 *       target fails the evaluation, and a call that takes longer than 75 % of the evaluation interval
 *       is interrupted by a watchdog and reported as a timeout naming the plug-in. The loop lives on.
 *       The intent to scale is saved before the target is called, so a call that timed out, or a
 *       process killed during it, still starts the cooldown.
 *   <li>Strategies are created and the target block bound once, when a policy is added (and again when
 *       it is replaced); what cannot be had is logged then, naming file, policy and field, and fails
 *       that policy's evaluations with the same words.
 * </ul>
 * Thread-safe. Plug-ins passed to the builder stay owned by the caller; those the autoscaler created
 * through {@link Plugins} are closed by {@link #close()}.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor executor;
  private final List<ExecutorService> ownedExecutors;
  private final PluginResolver plugins;
  private final List<ScalingListener> listeners;
  private final double jitter;
  private final RandomGenerator random;
  private final EngineMetrics metrics;
  private final Duration watchdogPeriod;
  private final Duration closeTimeout;
  private final Duration statusBatchWindow;
  private final CallGuard guard;
  private final Evaluation evaluation;
  private final Coordination coordination;

  private final Map<String, PolicyRunner> runners = new ConcurrentHashMap<>();
  private final Map<Target, StatusBatcher> batchers = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Object lifecycle = new Object();
  private volatile boolean watching;
  private boolean started;
  private volatile boolean closed;
  private Scheduler.Cancellable watchdog;
  private boolean watchdogStopped;

  private Autoscaler(Builder b) {
    this.clock = b.clock;
    List<ExecutorService> owned = new ArrayList<>();
    if (b.scheduler == null) {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("capstan-scheduler"));
      timer.setRemoveOnCancelPolicy(true);
      owned.add(timer);
      this.scheduler = Scheduler.of(timer);
    } else {
      this.scheduler = b.scheduler;
    }
    if (b.executor == null) {
      // A queue, not a hand-off: a batch hands out many evaluations at once, and the in-flight rule
      // already bounds the queue to one evaluation per policy.
      ThreadPoolExecutor pool = new ThreadPoolExecutor(b.maxThreads, b.maxThreads, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), daemon("capstan-evaluation"));
      pool.allowCoreThreadTimeOut(true);
      owned.add(pool);
      this.executor = pool;
    } else {
      this.executor = b.executor;
    }
    this.ownedExecutors = List.copyOf(owned);
    this.plugins = new PluginResolver(b.strategies, b.sources, b.targets, b.pluginConfigs, b.lookupPlugins);
    this.listeners = List.copyOf(b.listeners);
    this.jitter = b.jitter;
    this.random = b.random;
    this.metrics = b.meterRegistry == null ? EngineMetrics.NOOP : MicrometerEngineMetrics.create(b.meterRegistry);
    this.watchdogPeriod = b.watchdogPeriod;
    this.closeTimeout = b.closeTimeout;
    this.statusBatchWindow = b.statusBatchWindow;
    this.guard = new CallGuard(clock);
    this.coordination = b.coordination;
    this.evaluation = new Evaluation(b.store, guard, metrics, b.dryRun, coordination);
    for (ScalingPolicy policy : b.policies) {
      PolicyRunner runner = new PolicyRunner(this, bind(policy));
      runner.registered = true;
      runners.put(policy.id(), runner);
    }
  }

  /**
   * Returns a builder with the defaults: system UTC clock, an own scheduler thread and evaluation pool,
   * plug-ins looked up through {@link Plugins} when not given, in-memory state, 10 % jitter, no dry-run,
   * no metrics.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts evaluating every enabled policy on its interval. Calling it again does nothing.
   *
   * @throws IllegalStateException if the autoscaler was closed
   */
  public void start() {
    synchronized (lifecycle) {
      requireOpen();
      if (started) {
        return;
      }
      started = true;
    }
    ensureWatchdog();
    for (PolicyRunner runner : runners.values()) {
      if (runner.registered) {
        runner.reschedule();
      }
    }
  }

  /**
   * Adds a policy, or replaces the one with the same id; takes effect at once, also while running.
   * Its strategies are created and its target block bound now (problems are logged and fail its
   * evaluations). A replaced policy keeps its state (cooldown) and gets new strategies; an evaluation
   * in flight finishes with the old version, and the next one waits for it.
   *
   * @param policy the policy
   * @throws IllegalStateException if the autoscaler was closed
   */
  public void putPolicy(ScalingPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    requireOpen();
    // A runner removed while evaluating stays in the map until that evaluation ends, so reviving it
    // here keeps its in-flight flag: a new runner would let a second evaluation start beside it.
    PolicyRunner runner = runners.compute(policy.id(), (id, old) -> {
      PolicyRunner r = old == null ? new PolicyRunner(this, bind(policy)) : old;
      r.refresh(policy);
      r.removed = false;
      r.registered = true;
      return r;
    });
    boolean live;
    synchronized (lifecycle) {
      live = started && !closed;
    }
    if (live) {
      runner.reschedule();
    }
  }

  /**
   * Removes a policy; an evaluation in flight finishes, no new one starts. Its state stays in the store.
   *
   * @param policyId the policy's id
   * @return whether a policy with that id was registered
   */
  public boolean removePolicy(String policyId) {
    boolean[] wasRegistered = new boolean[1];
    runners.computeIfPresent(policyId, (id, r) -> {
      wasRegistered[0] = r.registered;
      r.registered = false;
      r.removed = true;
      r.unschedule();
      // Kept while evaluating, so the policy cannot be evaluated twice at once; release() drops it.
      return r.inFlight() ? r : null;
    });
    return wasRegistered[0];
  }

  /**
   * Returns the registered policies (those from the builder and {@link #putPolicy}).
   *
   * @return an immutable snapshot, in no particular order
   */
  public List<ScalingPolicy> policies() {
    List<ScalingPolicy> policies = new ArrayList<>();
    for (PolicyRunner runner : runners.values()) {
      if (runner.registered) {
        policies.add(runner.policy());
      }
    }
    return List.copyOf(policies);
  }

  /**
   * Evaluates {@code policy} once, now, on the calling thread, and applies the decision (unless in
   * dry-run). Listeners receive the decision too. Works with or without {@link #start()}; a policy
   * with the id of a registered one replaces it, as {@link #putPolicy} would, but is not scheduled
   * when it was not registered, and leaves nothing behind. Disabled policies are evaluated too: the
   * caller asked for it. A plug-in call that overruns 75 % of the policy's interval is interrupted on
   * the calling thread.
   *
   * @param policy the policy
   * @return the decision; {@link Outcome#SKIPPED_BUSY} if an evaluation of it is already in flight
   * @throws IllegalStateException if the autoscaler was closed
   */
  public ScalingDecision evaluate(ScalingPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    requireOpen();
    ensureWatchdog();
    while (true) {
      PolicyRunner found = runners.get(policy.id());
      // A registered policy's runner is there already: no capturing lambda for computeIfAbsent.
      PolicyRunner runner = found != null ? found : runners.computeIfAbsent(policy.id(),
          id -> new PolicyRunner(this, bind(policy)));
      runner.refresh(policy);
      if (!runner.acquire()) {
        return runner.busy();
      }
      if (!runner.isCurrent() || runners.get(policy.id()) != runner) {
        // Removed (and dropped) between the lookup and acquire: evaluate through the current runner.
        runner.release();
        continue;
      }
      try {
        BoundPolicy b = runner.bound;
        Optional<ScalingDecision> closedWindow = Decider.beforeStatus(b.policy, clock.instant());
        if (closedWindow.isPresent()) {
          report(b.policy, closedWindow.get(), null, 0);
          return closedWindow.get();
        }
        return runner.evaluateNow(b, null);
      } finally {
        runner.release();
      }
    }
  }

  /**
   * Stops scheduling, waits (up to the builder's close timeout, default 30 s) for evaluations in flight,
   * then shuts down the executors and plug-ins this autoscaler created. Calling it again does nothing.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (PolicyRunner runner : runners.values()) {
      runner.unschedule();
    }
    for (StatusBatcher batcher : batchers.values()) {
      batcher.cancelPending();
    }
    // The watchdog keeps guarding the evaluations close() waits for: a hung plug-in is still timed out.
    awaitIdle();
    synchronized (lifecycle) {
      watchdogStopped = true;
      if (watchdog != null) {
        watchdog.cancel();
      }
    }
    for (ExecutorService owned : ownedExecutors) {
      owned.shutdownNow();
    }
    plugins.close();
  }

  // ---- what the runners and batchers share (package-private) ----

  BoundPolicy bind(ScalingPolicy policy) {
    return plugins.bind(policy);
  }

  StatusBatcher batcher(Target target) {
    return batchers.computeIfAbsent(target, t -> new StatusBatcher(t, clock, scheduler, executor, guard, statusBatchWindow));
  }

  /**
   * Sets an operator's override on a policy (replacing any it had), stamped with this autoscaler's
   * clock, and saves it in the policy's state: it survives restarts with a durable store and takes
   * effect from the next evaluation (one already in flight decides under the old one). An override
   * whose {@link OperatorOverride#until() until} has come is removed by the next evaluation.
   *
   * @param policyId the policy's id; it need not be registered (the state is kept by id)
   * @param override the override
   * @return the override in force before, if any
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the override already expired by this autoscaler's clock
   * @throws java.io.UncheckedIOException if a durable store could not write it
   */
  public Optional<OperatorOverride> override(String policyId, OperatorOverride override) {
    Objects.requireNonNull(policyId, "policyId");
    Objects.requireNonNull(override, "override");
    java.time.Instant now = clock.instant();
    if (override.expiredAt(now)) {
      throw new IllegalArgumentException("until was '" + override.until().orElseThrow()
          + "' but it must be after now (" + now + ")");
    }
    OperatorOverride stamped = override.withSetAt(now);
    Optional<OperatorOverride> before = evaluation.changeOverride(policyId, Optional.of(stamped));
    LOG.info("policy {}: {} set{}", policyId, stamped.describe(),
        before.map(b -> ", replacing " + b.describe()).orElse(""));
    return before;
  }

  /**
   * Sets an override lasting {@code duration} from now by this autoscaler's clock; see
   * {@link #override(String, OperatorOverride)}.
   *
   * @param policyId the policy's id
   * @param override the override; its own {@code until}, if any, is replaced
   * @param duration how long it lasts, positive
   * @return the override in force before, if any
   * @throws IllegalArgumentException if {@code duration} is not positive
   */
  public Optional<OperatorOverride> overrideFor(String policyId, OperatorOverride override, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("for was '" + duration + "' but it must be a positive duration");
    }
    return override(policyId, override.endingAt(clock.instant().plus(duration)));
  }

  /**
   * Removes a policy's override, if it has one.
   *
   * @param policyId the policy's id
   * @return the override that was removed, if any
   * @throws java.io.UncheckedIOException if a durable store could not write the change
   */
  public Optional<OperatorOverride> clearOverride(String policyId) {
    Objects.requireNonNull(policyId, "policyId");
    Optional<OperatorOverride> before = evaluation.override(policyId);
    if (before.isEmpty()) {
      return before;
    }
    before = evaluation.changeOverride(policyId, Optional.empty());
    before.ifPresent(b -> LOG.info("policy {}: {} cleared", policyId, b.describe()));
    return before;
  }

  /**
   * Returns a policy's override as stored; one past its {@code until} is still returned until an
   * evaluation removes it (check {@link OperatorOverride#expiredAt}).
   *
   * @param policyId the policy's id
   * @return the override, or empty
   */
  public Optional<OperatorOverride> override(String policyId) {
    return evaluation.override(Objects.requireNonNull(policyId, "policyId"));
  }

  Clock clock() {
    return clock;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Executor executor() {
    return executor;
  }

  Evaluation evaluation() {
    return evaluation;
  }

  Coordination coordination() {
    return coordination;
  }

  AtomicInteger running() {
    return running;
  }

  boolean isClosed() {
    return closed;
  }

  /** How many policies the engine holds a runner for (registered or evaluating), for tests. */
  int runnerCount() {
    return runners.size();
  }

  /** How many evaluations hold their policy's in-flight flag, for tests. */
  int inFlightCount() {
    return running.get();
  }

  /** Drops a runner that is no longer registered, once its evaluation ended. */
  void drop(PolicyRunner runner) {
    runners.computeIfPresent(runner.policy().id(), (id, r) -> r == runner && !r.registered && !r.inFlight() ? null : r);
  }

  /** Called after each release: wakes close() when the last evaluation ended. */
  void idle() {
    if (running.decrementAndGet() == 0 && closed) {
      synchronized (lifecycle) {
        lifecycle.notifyAll();
      }
    }
  }

  /** Counts a decision and hands it (with the failure behind it, if any) to every listener. */
  void report(ScalingPolicy policy, ScalingDecision decision, Throwable error, long nanos) {
    if (decision.outcome() == Outcome.FAILED) {
      metrics.error("evaluation");
    }
    metrics.evaluated(decision.outcome(), nanos);
    Throwable failure = decision.outcome() == Outcome.FAILED ? error : null;
    for (ScalingListener listener : listeners) {
      try {
        if (failure != null) {
          listener.onError(policy, failure);
        }
        listener.onDecision(decision);
      } catch (RuntimeException e) {
        metrics.error("listener");
        LOG.warn("listener {} failed on policy '{}'", listener, policy.name(), e);
      }
    }
  }

  Duration jitterOf(Duration interval) {
    if (jitter == 0) {
      return Duration.ZERO;
    }
    long bound = (long) (interval.toNanos() * jitter);
    if (bound <= 0) {
      return Duration.ZERO;
    }
    synchronized (random) {
      return Duration.ofNanos(random.nextLong(bound));
    }
  }

  private void awaitIdle() {
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    synchronized (lifecycle) {
      while (running.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{} evaluation(s) still running after {}; closing anyway", running.get(), closeTimeout);
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this autoscaler was closed");
    }
  }

  private void ensureWatchdog() {
    if (watching) {
      return;
    }
    synchronized (lifecycle) {
      if (!watching && !closed) {
        watching = true;
        watchdog = scheduler.schedule(this::watch, watchdogPeriod);
      }
    }
  }

  /** Interrupts plug-in calls that overran their time, then runs again. */
  private void watch() {
    guard.interruptOverdue();
    synchronized (lifecycle) {
      if (!watchdogStopped) {
        watchdog = scheduler.schedule(this::watch, watchdogPeriod);
      }
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Configures an {@link Autoscaler}. Setters check their argument at once and name it in the
   * exception. Not thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private Executor executor;
    private int maxThreads = 64;
    private final Map<String, Function<Map<String, String>, Strategy>> strategies = new HashMap<>();
    private final Map<String, MetricSource> sources = new HashMap<>();
    private final Map<String, Target> targets = new HashMap<>();
    private final Map<String, Map<String, String>> pluginConfigs = new HashMap<>();
    private boolean lookupPlugins = true;
    private final List<ScalingPolicy> policies = new ArrayList<>();
    private final List<ScalingListener> listeners = new ArrayList<>();
    private StateStore store = StateStore.inMemory();
    private Coordination coordination = Coordination.ownsEverything();
    private double jitter = 0.1;
    private RandomGenerator random = new SplittableRandom();
    private boolean dryRun;
    private Object meterRegistry;
    private Duration watchdogPeriod = Duration.ofSeconds(1);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Duration statusBatchWindow = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * Sets the clock that stamps decisions, measures cooldowns and plug-in timeouts (default system UTC).
     * Give a {@link #scheduler} driven by the same time.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets what times evaluations and the watchdog (default: one own daemon thread, shut down by
     * {@link Autoscaler#close()}); the caller keeps owning a given one.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets what runs evaluations (default: an own pool of up to {@link #maxThreads} daemon threads
     * with a queue, shut down by {@link Autoscaler#close()}; the queue never holds more than one
     * evaluation per policy). {@code Runnable::run} evaluates on the scheduler's
     * thread, which suits tests. A rejected evaluation is reported as {@link Outcome#SKIPPED_BUSY}.
     *
     * @param executor the executor; the caller keeps owning it
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the size limit of the default evaluation pool (default 64): how many evaluations, slow
     * ones included, may run at once.
     *
     * @param maxThreads at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxThreads} is below 1
     */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 1) {
        throw new IllegalArgumentException("maxThreads was '" + maxThreads + "' but it must be at least 1");
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * Makes strategy {@code name} come from {@code factory} (for example {@code provider::create}),
     * called once per check with the check's strategy configuration.
     *
     * @param name the strategy's name in policies
     * @param factory creates a strategy from its configuration
     * @return this builder
     */
    public Builder strategy(String name, Function<Map<String, String>, Strategy> factory) {
      strategies.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Makes metric source {@code name} be {@code source}; the caller keeps owning it.
     *
     * @param name the source's name in checks
     * @param source the instance
     * @return this builder
     */
    public Builder metricSource(String name, MetricSource source) {
      sources.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(source, "source"));
      return this;
    }

    /**
     * Makes target {@code name} be {@code target}; the caller keeps owning it.
     *
     * @param name the target's name in policies
     * @param target the instance
     * @return this builder
     */
    public Builder target(String name, Target target) {
      targets.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(target, "target"));
      return this;
    }

    /**
     * Sets the agent-level configuration used when metric source or target {@code name} is created
     * through {@link Plugins} (default: empty).
     *
     * @param name the plug-in's name
     * @param config its configuration
     * @return this builder
     */
    public Builder pluginConfig(String name, Map<String, String> config) {
      pluginConfigs.put(Objects.requireNonNull(name, "name"), Map.copyOf(config));
      return this;
    }

    /**
     * Sets whether plug-ins not given to this builder are looked up with {@link Plugins} (default
     * true). When false, an unknown name fails the check or evaluation that uses it.
     *
     * @param lookupPlugins the flag
     * @return this builder
     */
    public Builder lookupPlugins(boolean lookupPlugins) {
      this.lookupPlugins = lookupPlugins;
      return this;
    }

    /**
     * Adds a policy to evaluate once started.
     *
     * @param policy the policy; a later one with the same id replaces it
     * @return this builder
     */
    public Builder policy(ScalingPolicy policy) {
      policies.add(Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Adds policies to evaluate once started.
     *
     * @param policies the policies
     * @return this builder
     */
    public Builder policies(Collection<ScalingPolicy> policies) {
      policies.forEach(this::policy);
      return this;
    }

    /**
     * Adds a listener for every decision.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ScalingListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets where per-policy state is kept (default {@link StateStore#inMemory()}).
     *
     * @param store the store
     * @return this builder
     */
    public Builder stateStore(StateStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets how this engine shares its policies with other engines (default
     * {@link Coordination#ownsEverything()}): a scheduled tick of a policy this member does not own
     * makes no plug-in call and reports nothing, and a scale call is fenced by
     * {@link Coordination#mayScale} right before it goes out. Combine it with a shared
     * {@link StateStore}, so the next owner of a policy resumes its cooldown.
     *
     * @param coordination the coordination; its lifecycle stays the caller's
     * @return this builder
     */
    public Builder coordination(Coordination coordination) {
      this.coordination = Objects.requireNonNull(coordination, "coordination");
      return this;
    }

    /**
     * Sets the largest random delay before a policy's first run, as a fraction of its interval
     * (default 0.1), so policies loaded together do not fire together; later runs keep the phase it
     * gave. 0 turns jitter off.
     *
     * @param fraction between 0 and 1
     * @return this builder
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("jitter was '" + fraction + "' but it must be between 0 and 1");
      }
      this.jitter = fraction;
      return this;
    }

    /**
     * Sets the source of jitter (default a fresh {@link SplittableRandom}); seed it for reproducible runs.
     *
     * @param random the generator; used under its own lock
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets dry-run (default false): decisions are made and reported with {@link Outcome#DRY_RUN},
     * targets are never scaled and no cooldown starts.
     *
     * @param dryRun the flag
     * @return this builder
     */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * Publishes engine metrics to {@code registry} (default: none): {@code capstan.evaluations}
     * (tag outcome), {@code capstan.evaluation.latency}, {@code capstan.actions} (tag direction) and
     * {@code capstan.errors} (tag kind). Micrometer is an optional dependency: without this call it
     * need not be on the classpath.
     *
     * @param registry the registry
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Sets how often the watchdog looks for plug-in calls that overran 75 % of their policy's
     * interval (default 1 s): the resolution of the timeout.
     *
     * @param period a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code period} is not positive
     */
    public Builder watchdogPeriod(Duration period) {
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("watchdogPeriod was '" + period + "' but it must be positive");
      }
      this.watchdogPeriod = period;
      return this;
    }

    /**
     * Sets how long {@link Autoscaler#close()} waits for evaluations in flight (default 30 s).
     *
     * @param timeout zero or more
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder closeTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout was '" + timeout + "' but it must not be negative");
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a due policy may wait for others of the same target before their statuses are
     * read with one {@link Target#statusOf} call (default 1 s), and never longer than a tenth of its
     * own interval: with the default 10 % jitter, every policy of one target with a 10 s interval is
     * read in one batch per interval. Zero reads what came due at the same instant together (tests on
     * a manual scheduler use it).
     *
     * @param window zero or more
     * @return this builder
     * @throws IllegalArgumentException if {@code window} is negative
     */
    public Builder statusBatchWindow(Duration window) {
      if (window.isNegative()) {
        throw new IllegalArgumentException("statusBatchWindow was '" + window + "' but it must not be negative");
      }
      this.statusBatchWindow = window;
      return this;
    }

    /**
     * Builds the autoscaler; nothing runs until {@link Autoscaler#start()} or
     * {@link Autoscaler#evaluate}.
     *
     * @return the autoscaler
     */
    public Autoscaler build() {
      return new Autoscaler(this);
    }
  }
}
