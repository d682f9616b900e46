package dev.capstan.engine;

import dev.capstan.Plugins;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates scaling policies: on its own schedule after {@link #start()}, or one at a time through
 * {@link #evaluate(ScalingPolicy)} for embedders that run their own loop.
 *
 * <p>An evaluation reads the target's status, runs each check (metric query over
 * {@code [now - query_window, now]}, then the check's strategy), lets the {@link Decider} decide,
 * applies the action, saves the new cooldown in the {@link StateStore} and hands the
 * {@link ScalingDecision} to every {@link ScalingListener}.
 *
 * <ul>
 *   <li>Each enabled policy runs every {@code evaluation_interval} plus a random jitter of up to
 *       {@link Builder#jitter(double) 10 %} of it; the first run comes after the jitter alone.
 *   <li>At most one evaluation of a policy is in flight; a tick that finds one still running is
 *       reported as {@link Outcome#SKIPPED_BUSY}. Evaluations run on the executor, never on the
 *       scheduler, so a slow policy does not delay others.
 *   <li>Plug-ins are guarded: an exception in a metric source or strategy fails its check, one in the
 *       target fails the evaluation, and a call that takes longer than 75 % of the evaluation interval
 *       is interrupted by a watchdog and reported as a timeout naming the plug-in. The loop lives on.
 *       A target whose {@code scale} timed out may have scaled, so its cooldown starts anyway.
 *   <li>Strategies are created once per policy (and again when the policy is replaced).
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
  private final Map<String, Function<Map<String, String>, Strategy>> strategies;
  private final Map<String, MetricSource> sources;
  private final Map<String, Target> targets;
  private final Map<String, Map<String, String>> pluginConfigs;
  private final boolean lookupPlugins;
  private final List<AutoCloseable> ownedPlugins = new CopyOnWriteArrayList<>();
  private final List<ScalingListener> listeners;
  private final StateStore store;
  private final double jitter;
  private final RandomGenerator random;
  private final boolean dryRun;
  private final EngineMetrics metrics;
  private final Duration watchdogPeriod;
  private final Duration closeTimeout;

  private final Map<String, Runner> runners = new ConcurrentHashMap<>();
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
      ThreadPoolExecutor pool = new ThreadPoolExecutor(0, b.maxThreads, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), daemon("capstan-evaluation"));
      owned.add(pool);
      this.executor = pool;
    } else {
      this.executor = b.executor;
    }
    this.ownedExecutors = List.copyOf(owned);
    this.strategies = Map.copyOf(b.strategies);
    this.sources = new ConcurrentHashMap<>(b.sources);
    this.targets = new ConcurrentHashMap<>(b.targets);
    this.pluginConfigs = Map.copyOf(b.pluginConfigs);
    this.lookupPlugins = b.lookupPlugins;
    this.listeners = List.copyOf(b.listeners);
    this.store = b.store;
    this.jitter = b.jitter;
    this.random = b.random;
    this.dryRun = b.dryRun;
    this.metrics = b.meterRegistry == null ? EngineMetrics.NOOP : MicrometerEngineMetrics.create(b.meterRegistry);
    this.watchdogPeriod = b.watchdogPeriod;
    this.closeTimeout = b.closeTimeout;
    for (ScalingPolicy policy : b.policies) {
      Runner runner = new Runner(policy);
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
    for (Runner runner : runners.values()) {
      if (runner.registered) {
        runner.reschedule();
      }
    }
  }

  /**
   * Adds a policy, or replaces the one with the same id; takes effect at once, also while running.
   * A replaced policy keeps its state (cooldown) and gets new strategies; an evaluation in flight
   * finishes with the old version, and the next one waits for it.
   *
   * @param policy the policy
   */
  public void putPolicy(ScalingPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    requireOpen();
    // A runner removed while evaluating stays in the map until that evaluation ends, so reviving it
    // here keeps its in-flight flag: a new Runner would let a second evaluation start beside it.
    Runner runner = runners.compute(policy.id(), (id, old) -> {
      Runner r = old == null ? new Runner(policy) : old;
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
      return r.inFlight.get() ? r : null;
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
    for (Runner runner : runners.values()) {
      if (runner.registered) {
        policies.add(runner.compiled.policy);
      }
    }
    return List.copyOf(policies);
  }

  /**
   * Evaluates {@code policy} once, now, on the calling thread, and applies the decision (unless in
   * dry-run). Listeners receive the decision too. Works with or without {@link #start()}; a policy
   * with the id of a registered one replaces it, as {@link #putPolicy} would, but is not scheduled
   * when it was not registered. Disabled policies are evaluated too: the caller asked for it. A
   * plug-in call that overruns 75 % of the policy's interval is interrupted on the calling thread.
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
      Runner runner = runners.get(policy.id());
      if (runner == null) {
        runner = runners.computeIfAbsent(policy.id(), id -> new Runner(policy));
      }
      runner.refresh(policy);
      if (!runner.acquire()) {
        return runner.busy();
      }
      if (!runner.isCurrent()) {
        // Removed (and dropped) between the lookup and acquire: evaluate through the current runner.
        runner.release();
        continue;
      }
      try {
        return runner.evaluateHeld();
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
    for (Runner runner : runners.values()) {
      runner.unschedule();
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
    for (AutoCloseable plugin : ownedPlugins) {
      try {
        plugin.close();
      } catch (Exception e) {
        LOG.warn("closing plug-in {} failed", plugin.getClass().getName(), e);
      }
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
    long now = clock.millis();
    for (Runner runner : runners.values()) {
      runner.interruptIfOverdue(now);
    }
    synchronized (lifecycle) {
      if (!watchdogStopped) {
        watchdog = scheduler.schedule(this::watch, watchdogPeriod);
      }
    }
  }

  private Duration jitterOf(Duration interval) {
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

  private void deliver(ScalingPolicy policy, ScalingDecision decision, Throwable error) {
    for (ScalingListener listener : listeners) {
      try {
        if (error != null) {
          listener.onError(policy, error);
        }
        listener.onDecision(decision);
      } catch (RuntimeException e) {
        metrics.error("listener");
        LOG.warn("listener {} failed on policy '{}'", listener, policy.name(), e);
      }
    }
  }

  private MetricSource source(String name) {
    MetricSource source = sources.get(name);
    if (source != null) {
      return source;
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown metric source '" + name + "'; given: " + sources.keySet());
    }
    return sources.computeIfAbsent(name, n -> {
      MetricSource created = Plugins.metricSource(n, pluginConfigs.getOrDefault(n, Map.of()));
      ownedPlugins.add(created);
      return created;
    });
  }

  private Target target(String name) {
    Target target = targets.get(name);
    if (target != null) {
      return target;
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown target '" + name + "'; given: " + targets.keySet());
    }
    return targets.computeIfAbsent(name, n -> {
      Target created = Plugins.target(n, pluginConfigs.getOrDefault(n, Map.of()));
      ownedPlugins.add(created);
      return created;
    });
  }

  private Strategy strategy(PluginRef ref) {
    Function<Map<String, String>, Strategy> factory = strategies.get(ref.name());
    if (factory != null) {
      return Objects.requireNonNull(factory.apply(ref.config()), "strategy factory returned null");
    }
    if (!lookupPlugins) {
      throw new ConfigException("unknown strategy '" + ref.name() + "'; given: " + strategies.keySet());
    }
    return Plugins.strategy(ref.name(), ref.config());
  }

  private static String message(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A policy with everything derived from it once: strategies, plug-in labels, the call timeout. */
  private final class Compiled {
    final ScalingPolicy policy;
    final Strategy[] strategies;
    final String[] strategyErrors;
    final String[] sourceLabels;
    final String[] strategyLabels;
    final String targetLabel;
    final long timeoutMillis;
    final boolean hasDemandChecks;

    Compiled(ScalingPolicy policy) {
      this.policy = policy;
      int n = policy.checks().size();
      strategies = new Strategy[n];
      strategyErrors = new String[n];
      sourceLabels = new String[n];
      strategyLabels = new String[n];
      for (int i = 0; i < n; i++) {
        Check check = policy.checks().get(i);
        sourceLabels[i] = "metric source '" + check.source() + "'";
        strategyLabels[i] = "strategy '" + check.strategy().name() + "'";
        try {
          strategies[i] = strategy(check.strategy());
        } catch (RuntimeException e) {
          // Kept, not thrown: the check fails on every evaluation and says why, the others still run.
          strategyErrors[i] = "could not be created: " + message(e);
        }
      }
      targetLabel = "target '" + policy.target().name() + "'";
      timeoutMillis = Math.max(1, policy.evaluationInterval().toMillis() * 3 / 4);
      hasDemandChecks = policy.checks().stream().anyMatch(Check::demand);
    }
  }

  /** One policy's schedule, in-flight flag and plug-in call guard. */
  private final class Runner {
    volatile Compiled compiled;
    volatile boolean registered;
    /** Removed while evaluating: dropped from {@link #runners} once that evaluation ends. */
    volatile boolean removed;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private boolean scheduled;
    private Scheduler.Cancellable next;
    private final Object guard = new Object();
    private Thread callThread;
    private long callDeadline;
    private boolean timedOut;
    private Throwable error;

    Runner(ScalingPolicy policy) {
      this.compiled = new Compiled(policy);
    }

    void refresh(ScalingPolicy policy) {
      Compiled current = compiled;
      if (current.policy != policy && !current.policy.equals(policy)) {
        compiled = new Compiled(policy);
      }
    }

    void reschedule() {
      ScalingPolicy policy = compiled.policy;
      synchronized (this) {
        if (next != null) {
          next.cancel();
          next = null;
        }
        scheduled = policy.enabled() && registered && !closed;
        if (scheduled) {
          next = scheduler.schedule(this::tick, jitterOf(policy.evaluationInterval()));
        }
      }
    }

    void unschedule() {
      synchronized (this) {
        scheduled = false;
        if (next != null) {
          next.cancel();
          next = null;
        }
      }
    }

    void tick() {
      Duration interval = compiled.policy.evaluationInterval();
      synchronized (this) {
        if (!scheduled) {
          return;
        }
        next = scheduler.schedule(this::tick, interval.plus(jitterOf(interval)));
      }
      if (!acquire()) {
        busy();
        return;
      }
      if (!isCurrent()) {
        // removePolicy dropped this runner before the flag was taken; a re-added policy has its own.
        release();
        return;
      }
      if (closed) {
        // close() may have waited for idle between our schedule check and acquire; start nothing new.
        release();
        return;
      }
      try {
        executor.execute(this::runHeld);
      } catch (RejectedExecutionException e) {
        release();
        busy();
      }
    }

    boolean acquire() {
      if (!inFlight.compareAndSet(false, true)) {
        return false;
      }
      running.incrementAndGet();
      return true;
    }

    /**
     * Whether this runner still serves its policy, checked while holding the in-flight flag.
     * removePolicy marks a runner removed before it reads the flag: either it saw the flag and keeps
     * the runner (and a putPolicy revives it), or it dropped the runner and we see the mark here.
     */
    boolean isCurrent() {
      return !removed;
    }

    void release() {
      inFlight.set(false);
      if (removed) {
        ScalingPolicy policy = compiled.policy;
        runners.computeIfPresent(policy.id(), (id, r) -> r == this && r.removed && !r.inFlight.get() ? null : r);
      }
      if (running.decrementAndGet() == 0 && closed) {
        synchronized (lifecycle) {
          lifecycle.notifyAll();
        }
      }
    }

    private void runHeld() {
      try {
        evaluateHeld();
      } catch (RuntimeException e) {
        LOG.error("evaluation of policy '{}' failed unexpectedly", compiled.policy.name(), e);
      } finally {
        release();
      }
    }

    ScalingDecision busy() {
      ScalingPolicy policy = compiled.policy;
      ScalingDecision decision = new ScalingDecision(policy.id(), policy.name(), clock.instant(), OptionalLong.empty(),
          List.of(), Optional.empty(), List.of("skipped: the previous evaluation is still in flight"),
          Outcome.SKIPPED_BUSY, Optional.empty());
      metrics.evaluated(Outcome.SKIPPED_BUSY, 0);
      deliver(policy, decision, null);
      return decision;
    }

    /** Runs one evaluation; the caller holds {@link #inFlight}. */
    ScalingDecision evaluateHeld() {
      Compiled c = compiled;
      long started = System.nanoTime();
      Instant now = clock.instant();
      error = null;
      ScalingDecision decision;
      try {
        decision = decideAndApply(c, now);
      } catch (RuntimeException e) {
        error = e;
        decision = Decider.failed(c.policy, now, OptionalLong.empty(), List.of(), "evaluation failed: " + message(e));
      }
      if (decision.outcome() == Outcome.FAILED) {
        metrics.error("evaluation");
      }
      metrics.evaluated(decision.outcome(), System.nanoTime() - started);
      Throwable failure = decision.outcome() == Outcome.FAILED ? error : null;
      error = null;
      deliver(c.policy, decision, failure);
      return decision;
    }

    private ScalingDecision decideAndApply(Compiled c, Instant now) {
      ScalingPolicy policy = c.policy;
      PolicyState state = store.load(policy.id());
      Target target;
      try {
        target = target(policy.target().name());
      } catch (RuntimeException e) {
        error = e;
        return Decider.failed(policy, now, OptionalLong.empty(), List.of(), c.targetLabel + " is unavailable: " + message(e));
      }
      Map<String, String> targetConfig = policy.target().config();
      TargetStatus status = null;
      RuntimeException thrown = null;
      begin(c.timeoutMillis);
      try {
        status = target.status(targetConfig);
      } catch (RuntimeException e) {
        thrown = e;
      } finally {
        if (end()) {
          error = new TimeoutException(c.targetLabel + " did not report its status within " + c.timeoutMillis + " ms");
          return Decider.failed(policy, now, OptionalLong.empty(), List.of(), error.getMessage());
        }
      }
      if (thrown != null || status == null) {
        error = thrown;
        return Decider.failed(policy, now, OptionalLong.empty(), List.of(), c.targetLabel + " failed to report its status: "
            + (thrown != null ? message(thrown) : "it returned null"));
      }
      Optional<ScalingDecision> skipped = Decider.skip(policy, state, status, now);
      if (skipped.isPresent()) {
        return skipped.get();
      }
      List<Check> checks = policy.checks();
      List<CheckResult> results = new ArrayList<>(checks.size());
      // With demand checks, an empty group is judged by them alone (its utilization checks have nothing
      // to measure) and a group with capacity by the others alone.
      boolean emptyGroup = status.count() == 0;
      for (int i = 0; i < checks.size(); i++) {
        if (c.hasDemandChecks && checks.get(i).demand() != emptyGroup) {
          continue;
        }
        CheckResult result = runCheck(c, i, status.count(), now);
        if (result.isFailed()) {
          metrics.error("check");
        }
        results.add(result);
      }
      ScalingDecision decision = Decider.decide(policy, state, results, status, now, dryRun);
      if (decision.outcome() != Outcome.SCALED) {
        return decision;
      }
      ScalingAction action = decision.action().orElseThrow();
      thrown = null;
      begin(c.timeoutMillis);
      try {
        target.scale(action, targetConfig);
      } catch (RuntimeException e) {
        thrown = e;
      } finally {
        if (end()) {
          // The call may still have gone through: start the cooldown rather than risk a second action.
          error = new TimeoutException(c.targetLabel + " did not finish scaling to " + action.count() + " within "
              + c.timeoutMillis + " ms; its count is unknown, so the cooldown starts anyway");
          store.save(policy.id(), Decider.stateAfter(policy, state, decision));
          return decision.failed(error.getMessage());
        }
      }
      if (thrown != null) {
        error = thrown;
        return decision.failed(c.targetLabel + " failed to scale to " + action.count() + ": " + message(thrown));
      }
      metrics.acted(action.direction());
      try {
        store.save(policy.id(), Decider.stateAfter(policy, state, decision));
      } catch (RuntimeException e) {
        error = e;
        return decision.failed("scaled to " + action.count() + " but could not save the cooldown: " + message(e));
      }
      return decision;
    }

    private CheckResult runCheck(Compiled c, int i, long current, Instant now) {
      ScalingPolicy policy = c.policy;
      Check check = policy.checks().get(i);
      MetricSeries series = MetricSeries.empty();
      if (!check.source().isEmpty()) {
        MetricSource source;
        try {
          source = source(check.source());
        } catch (RuntimeException e) {
          return CheckResult.failed(check, policy.onCheckError(), c.sourceLabels[i], "unavailable: " + message(e));
        }
        Instant to = check.queryWindowOffset().isZero() ? now : now.minus(check.queryWindowOffset());
        MetricSeries answer = null;
        RuntimeException thrown = null;
        begin(c.timeoutMillis);
        try {
          answer = source.query(check.query(), to.minus(check.queryWindow()), to);
        } catch (RuntimeException e) {
          thrown = e;
        } finally {
          if (end()) {
            return CheckResult.failed(check, policy.onCheckError(), c.sourceLabels[i],
                "did not answer query '" + check.query() + "' within " + c.timeoutMillis + " ms");
          }
        }
        if (thrown != null || answer == null) {
          return CheckResult.failed(check, policy.onCheckError(), c.sourceLabels[i], "failed on query '" + check.query()
              + "': " + (thrown != null ? message(thrown) : "it returned null"));
        }
        series = answer;
      }
      Strategy strategy = c.strategies[i];
      if (strategy == null) {
        return CheckResult.failed(check, policy.onCheckError(), c.strategyLabels[i], c.strategyErrors[i]);
      }
      long desired = 0;
      RuntimeException thrown = null;
      begin(c.timeoutMillis);
      try {
        desired = strategy.desiredCount(current, series);
      } catch (RuntimeException e) {
        thrown = e;
      } finally {
        if (end()) {
          return CheckResult.failed(check, policy.onCheckError(), c.strategyLabels[i],
              "did not decide within " + c.timeoutMillis + " ms");
        }
      }
      if (thrown != null) {
        return CheckResult.failed(check, policy.onCheckError(), c.strategyLabels[i], "failed: " + message(thrown));
      }
      if (desired < 0) {
        return CheckResult.failed(check, policy.onCheckError(), c.strategyLabels[i],
            "returned a negative count (" + desired + ")");
      }
      return CheckResult.counted(check, policy.onCheckError(), series, desired);
    }

    private void begin(long timeoutMillis) {
      long deadline = clock.millis() + timeoutMillis;
      synchronized (guard) {
        callThread = Thread.currentThread();
        callDeadline = deadline;
        timedOut = false;
      }
    }

    /** Ends a guarded call; returns whether the watchdog timed it out (and clears its interrupt). */
    private boolean end() {
      synchronized (guard) {
        callThread = null;
        if (!timedOut) {
          return false;
        }
        timedOut = false;
      }
      Thread.interrupted();
      return true;
    }

    void interruptIfOverdue(long nowMillis) {
      synchronized (guard) {
        if (callThread != null && !timedOut && nowMillis >= callDeadline) {
          timedOut = true;
          callThread.interrupt();
        }
      }
    }
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
    private double jitter = 0.1;
    private RandomGenerator random = new SplittableRandom();
    private boolean dryRun;
    private Object meterRegistry;
    private Duration watchdogPeriod = Duration.ofSeconds(1);
    private Duration closeTimeout = Duration.ofSeconds(30);

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
     * Sets what runs evaluations (default: an own pool of up to {@link #maxThreads} daemon threads,
     * shut down by {@link Autoscaler#close()}). {@code Runnable::run} evaluates on the scheduler's
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
     * Sets the largest random delay added to each interval, as a fraction of it (default 0.1), so
     * policies loaded together do not fire together. 0 turns jitter off.
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
