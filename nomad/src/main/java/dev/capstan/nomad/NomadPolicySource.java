package dev.capstan.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.config.ConfigReader;
import dev.capstan.engine.Scheduler;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The scaling policies of Nomad jobs' task groups ({@code scaling} blocks), kept up to date with
 * blocking queries, as nomad-autoscaler's Nomad policy source:
 * <ol>
 *   <li>{@code GET /v1/scaling/policies} as a blocking query: one namespace as {@code ?namespace=<it>},
 *       several or {@code *} as {@code ?namespace=*}, keeping only the configured ones; disabled
 *       policies (stopped jobs' too) are left out;</li>
 *   <li>when the list's index moved, {@code GET /v1/scaling/policy/:id?namespace=<its namespace>} for
 *       every policy that is new or whose {@code ModifyIndex} grew; those no longer listed are
 *       dropped;</li>
 *   <li>each is rewritten as a policy file ({@link JobPolicyDocument}: target {@code nomad} with
 *       {@code Job}, {@code Group}, {@code Namespace}; checks' source {@code nomad}; whole floats as
 *       integers), parsed by the {@link Parser} given (capstan-core's {@code Policies::parse}, so file
 *       rules apply), and its short {@code nomad} queries are {@linkplain NomadShortQueries expanded};</li>
 *   <li>a version that does not parse leaves the previous one in force and is reported in the
 *       {@link Snapshot#problems() problems} of the snapshot, once, until a valid version replaces
 *       it or the policy is deleted;</li>
 *   <li>the {@link Listener} receives a snapshot after every round that changed anything.</li>
 * </ol>
 * A failed call (Nomad unreachable, {@code 403}, {@code 5xx}) is reported under the problem key
 * {@link #SOURCE_PROBLEM_KEY} and the round is retried after the retry delay (default 10 s, the
 * peer's), from the last index that was fully read. A policy's id is {@link ScalingPolicy#idOf} of
 * {@code nomad scaling policy <Nomad ID>} and {@code <namespace>/<job>/<group>}: stable while Nomad keeps
 * the policy, the same on every agent, and never a file policy's.
 *
 * <p>Configuration: the keys of the agent's {@code nomad {}} block, as for the other Nomad plug-ins
 * (see {@link NomadNodePoolProvider}); tokens are never in a message. Thread-safe; {@link #start()}
 * runs the rounds on a daemon thread of its own until {@link #close()}.
 */
public final class NomadPolicySource implements AutoCloseable {
  /** The problem key of a failed call to Nomad, as opposed to one policy's problems. */
  public static final String SOURCE_PROBLEM_KEY = "nomad";
  /** How long after a failed round the next one starts, as nomad-autoscaler waits. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(10);

  /** Parses the text of a policy file; capstan-core's {@code Policies::parse} is one. */
  @FunctionalInterface
  public interface Parser {
    /**
     * Parses policy file text.
     *
     * @param text the JSON text of a policy file
     * @param origin where it came from, for the policies' ids and messages
     * @return the policies it holds
     * @throws PolicyException naming every problem
     */
    List<ScalingPolicy> parse(String text, String origin);
  }

  /** Receives the policies in force after each change. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called on the source's thread after every round that changed the policies or the problems.
     *
     * @param snapshot the policies now in force and the current problems
     */
    void changed(Snapshot snapshot);
  }

  /**
   * What the source holds after a round.
   *
   * @param policies the policies in force, by {@link ScalingPolicy#id()}
   * @param problems the problems by origin ({@code nomad scaling policy <ID>}), and under
   *     {@link #SOURCE_PROBLEM_KEY} the last failed call while it keeps failing
   */
  public record Snapshot(Map<String, ScalingPolicy> policies, Map<String, List<String>> problems) {
    /**
     * Copies the maps.
     *
     * @param policies the policies in force, by id
     * @param problems the problems by origin
     */
    public Snapshot {
      policies = Map.copyOf(policies);
      problems = Map.copyOf(problems);
    }
  }

  /** One Nomad policy as last read: its version, the last valid policy (if any) in force, its problems. */
  private record Tracked(long modifyIndex, String origin, Optional<ScalingPolicy> policy, List<String> problems) {}

  private final NomadClient client;
  private final Parser parser;
  private final Listener listener;
  private final Set<String> metricSources;
  private final Duration retryDelay;
  private final Executor worker;
  private final Scheduler scheduler;
  private final Optional<ExecutorService> owned;
  /** The namespace sent as {@code ?namespace=}, and the ones kept when it is {@code *} for several. */
  private final String queryNamespace;
  private final Set<String> keptNamespaces;
  private final Object lock = new Object();
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private long index;
  private Optional<String> sourceProblem = Optional.empty();
  private volatile boolean closed;

  private NomadPolicySource(Builder b, NomadConfig config) {
    this.client = new NomadClient(config);
    this.parser = Objects.requireNonNull(b.parser, "parser");
    this.listener = Objects.requireNonNull(b.listener, "listener");
    this.metricSources = Set.copyOf(b.metricSources);
    this.retryDelay = b.retryDelay;
    List<String> namespaces = config.namespaces();
    if (namespaces.contains("*") || namespaces.size() > 1) {
      queryNamespace = "*";
      keptNamespaces = namespaces.contains("*") ? Set.of() : Set.copyOf(namespaces);
    } else {
      queryNamespace = namespaces.get(0);
      keptNamespaces = Set.of();
    }
    if (b.executor != null) {
      worker = b.executor;
      scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
      owned = Optional.empty();
    } else {
      ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "capstan-nomad-policies");
        t.setDaemon(true);
        return t;
      });
      worker = exec;
      scheduler = b.scheduler != null ? b.scheduler : Scheduler.of(exec);
      owned = Optional.of(exec);
    }
  }

  /**
   * Starts a builder over a Nomad configuration.
   *
   * @param config the keys of the agent's {@code nomad {}} block ({@code address}, {@code namespace},
   *     {@code token}, ...; also spelled {@code nomad_address}, ...); Nomad's environment variables fill
   *     keys not set
   * @return the builder
   */
  public static Builder builder(Map<String, String> config) {
    return new Builder(config);
  }

  /** Builds a {@link NomadPolicySource}; {@link #parser} and {@link #listener} are required. */
  public static final class Builder {
    private final Map<String, String> config;
    private Function<String, String> env = System::getenv;
    private Parser parser;
    private Listener listener;
    private Set<String> metricSources = NomadShortQueries.DEFAULT_SOURCES;
    private Duration retryDelay = DEFAULT_RETRY_DELAY;
    private Executor executor;
    private Scheduler scheduler;

    private Builder(Map<String, String> config) {
      this.config = Map.copyOf(config);
    }

    /**
     * Sets the parser of policy file text.
     *
     * @param parser e.g. {@code Policies::parse}
     * @return this builder
     */
    public Builder parser(Parser parser) {
      this.parser = Objects.requireNonNull(parser, "parser");
      return this;
    }

    /**
     * Sets who receives the snapshots.
     *
     * @param listener called on the source's thread
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets the check {@code source} names whose short queries are expanded (default
     * {@link NomadShortQueries#DEFAULT_SOURCES}).
     *
     * @param names the names of the Nomad metric source
     * @return this builder
     */
    public Builder metricSources(Set<String> names) {
      this.metricSources = Set.copyOf(names);
      return this;
    }

    /**
     * Sets how long after a failed round the next starts (default {@link #DEFAULT_RETRY_DELAY}).
     *
     * @param delay a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code delay} is not positive
     */
    public Builder retryDelay(Duration delay) {
      if (delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException("retryDelay was '" + delay + "' but it must be positive");
      }
      this.retryDelay = delay;
      return this;
    }

    /** Tests run the rounds on their executor and the retries on a manual scheduler. */
    Builder executor(Executor executor, Scheduler scheduler) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Tests read the environment from a map. */
    Builder env(Function<String, String> env) {
      this.env = Objects.requireNonNull(env, "env");
      return this;
    }

    /**
     * Parses the configuration and builds the source; nothing is sent before {@link #start()}.
     *
     * @return the source
     * @throws dev.capstan.spi.ConfigException naming every bad or unknown key at once, never a token
     * @throws NullPointerException if no parser or listener was set
     */
    public NomadPolicySource build() {
      Objects.requireNonNull(parser, "parser");
      Objects.requireNonNull(listener, "listener");
      ConfigReader r = ConfigReader.of(config, "nomad policy source");
      NomadConfig nomad = NomadConfig.read(r, config, env);
      r.rejectUnknownKeys();
      r.validate();
      return new NomadPolicySource(this, nomad);
    }
  }

  /**
   * Starts the rounds on the source's thread: the first reads every policy at once, each next one waits
   * for Nomad to report a change.
   *
   * @return this source
   */
  public NomadPolicySource start() {
    worker.execute(this::round);
    return this;
  }

  /**
   * Returns what the source holds now.
   *
   * @return the policies in force and the problems
   */
  public Snapshot snapshot() {
    synchronized (lock) {
      Map<String, ScalingPolicy> policies = new LinkedHashMap<>();
      Map<String, List<String>> problems = new LinkedHashMap<>();
      for (Tracked t : tracked.values()) {
        t.policy().ifPresent(p -> policies.put(p.id(), p));
        if (!t.problems().isEmpty()) {
          problems.put(t.origin(), t.problems());
        }
      }
      sourceProblem.ifPresent(p -> problems.put(SOURCE_PROBLEM_KEY, List.of(p)));
      return new Snapshot(policies, problems);
    }
  }

  private void round() {
    if (closed) {
      return;
    }
    try {
      boolean changed = poll();
      boolean recovered;
      synchronized (lock) {
        recovered = sourceProblem.isPresent();
        sourceProblem = Optional.empty();
      }
      worker.execute(this::round);
      if (changed || recovered) {
        listener.changed(snapshot());
      }
    } catch (RuntimeException e) {
      if (closed) {
        return;
      }
      String problem = String.valueOf(e.getMessage());
      boolean news;
      synchronized (lock) {
        news = !sourceProblem.equals(Optional.of(problem));
        sourceProblem = Optional.of(problem);
      }
      // Scheduled before the listener hears of it, so whoever reacts to the failure finds the retry due.
      scheduler.schedule(() -> worker.execute(this::round), retryDelay);
      if (news) {
        listener.changed(snapshot());
      }
    }
  }

  /**
   * Runs one round: a blocking list, then the policies that changed.
   *
   * @return whether any policy or problem changed
   * @throws NomadApiException if a call failed; the index stays where it was, so the next round
   *     reads the same changes again
   */
  boolean poll() {
    long since;
    synchronized (lock) {
      since = index;
    }
    NomadClient.Reply list = client.block("/v1/scaling/policies", Map.of("namespace", queryNamespace), since);
    if (list.index() == since) {
      return false; // the wait ran out with nothing new
    }
    Map<String, Long> listed = new LinkedHashMap<>();
    Map<String, String> namespaceOf = new LinkedHashMap<>();
    for (JsonNode stub : list.body()) {
      String namespace = stub.path("Target").path("Namespace").asText("");
      if (stub.path("Enabled").asBoolean(false)
          && (keptNamespaces.isEmpty() || keptNamespaces.contains(namespace))) {
        listed.put(stub.path("ID").asText(), stub.path("ModifyIndex").asLong());
        namespaceOf.put(stub.path("ID").asText(), namespace);
      }
    }
    boolean changed;
    synchronized (lock) {
      changed = tracked.keySet().retainAll(listed.keySet());
    }
    for (Map.Entry<String, Long> e : listed.entrySet()) {
      Tracked t;
      synchronized (lock) {
        t = tracked.get(e.getKey());
      }
      if (t != null && t.modifyIndex() >= e.getValue()) {
        continue;
      }
      changed |= read(e.getKey(), namespaceOf.get(e.getKey()), t);
    }
    synchronized (lock) {
      index = list.index();
    }
    return changed;
  }

  /** Reads one policy that is new or changed; returns whether anything changed. */
  private boolean read(String id, String namespace, Tracked known) {
    NomadClient.Reply reply;
    try {
      reply = client.get("/v1/scaling/policy/" + id, Map.of("namespace", namespace));
    } catch (NomadApiException e) {
      if (e.status() == 404) {
        synchronized (lock) {
          return tracked.remove(id) != null; // deleted since it was listed
        }
      }
      throw e;
    }
    JsonNode body = reply.body();
    if (!body.path("Enabled").asBoolean(true)) {
      synchronized (lock) {
        return tracked.remove(id) != null; // disabled since it was listed
      }
    }
    JobPolicyDocument doc = JobPolicyDocument.of(body, NomadTargetProvider.NAME, NomadMetricSourceProvider.NAME);
    Optional<ScalingPolicy> policy = known == null ? Optional.empty() : known.policy();
    List<String> problems = List.of();
    try {
      List<ScalingPolicy> parsed = parser.parse(doc.text(), doc.origin());
      if (parsed.size() != 1) {
        throw new PolicyException(List.of(doc.origin() + ": it made " + parsed.size() + " policies, not one"));
      }
      policy = Optional.of(NomadShortQueries.expand(parsed.get(0), metricSources));
    } catch (PolicyException e) {
      // The previous version, if any, stays in force.
      problems = List.copyOf(e.problems());
    }
    synchronized (lock) {
      tracked.put(id, new Tracked(body.path("ModifyIndex").asLong(), doc.origin(), policy, problems));
    }
    return true;
  }

  /** Stops the rounds; a blocking query in flight is abandoned. */
  @Override
  public void close() {
    closed = true;
    owned.ifPresent(ExecutorService::shutdownNow);
  }

  @Override
  public String toString() {
    return "NomadPolicySource[" + client.config() + ", namespace=" + queryNamespace
        + (keptNamespaces.isEmpty() ? "" : " keeping " + String.join(",", new java.util.TreeSet<>(keptNamespaces)))
        + "]";
  }
}
