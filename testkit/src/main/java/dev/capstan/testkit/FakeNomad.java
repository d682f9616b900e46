package dev.capstan.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small, stateful Nomad HTTP API, so a real HTTP client can be tested against it: serve it with
 * {@code LocalHttpServer.start(fake)} and point the client's address at the server.
 *
 * <p>Faithful to Nomad's API documentation where a client depends on it:
 * <ul>
 *   <li>field names and casing as Nomad sends them ({@code ID}, {@code NodeClass},
 *       {@code SchedulingEligibility}, {@code DrainStrategy}, {@code CreateIndex}, ...);</li>
 *   <li>every answer carries {@code X-Nomad-Index}; reads are blocking queries with
 *       {@code ?index=N&wait=D}: they answer once the resource's index exceeds {@code N}, or when the
 *       wait (default 5m, at most 10m; no jitter here) runs out;</li>
 *   <li>a drain ({@code POST /v1/node/:id/drain}) marks the node ineligible and sets its
 *       {@code DrainStrategy}; it completes only when the test {@link #migrate migrates} the node's
 *       allocations: then {@code DrainStrategy} is {@code null} and {@code LastDrain.Status} is
 *       {@code "complete"};</li>
 *   <li>errors as Nomad gives them: {@code 404 node not found} / {@code job not found} on reads,
 *       {@code 500 node not found} on node writes, {@code 500} on eligibility for a draining node,
 *       {@code 400} for scaling a missing group, beyond the group's scaling bounds or during an active
 *       deployment, {@code 403 Permission denied} (no token or a read-only one) and
 *       {@code 403 ACL token not found} once {@link #acl ACLs} are on, {@code 500 No path to region}
 *       for an unknown {@code ?region=}, {@code 405 Invalid method};</li>
 *   <li>jobs live in namespaces ({@code ?namespace=}, default {@code default}); nodes do not.</li>
 * </ul>
 * Served: {@code GET /v1/nodes} (with {@code ?resources=true} the stubs carry
 * {@code NodeResources}/{@code ReservedResources}), {@code GET /v1/node/:id},
 * {@code GET /v1/node/:id/allocations}, {@code POST|PUT /v1/node/:id/drain|eligibility|purge},
 * {@code GET|POST|PUT /v1/job/:id/scale}, {@code GET /v1/job/:id/deployment}, {@code GET /v1/job/:id}
 * (task groups with their tasks' {@code Resources}), {@code GET /v1/job/:id/allocations},
 * {@code GET /v1/allocation/:id} ({@code 404 alloc not found} for an unknown one),
 * {@code GET /v1/client/allocation/:id/stats} ({@code 404 Unknown allocation "id"} for an unknown one),
 * {@code GET /v1/scaling/policies} ({@code ?namespace=} one namespace or {@code *} for every namespace the
 * token may read, {@code ?job=}, {@code ?type=}) and {@code GET /v1/scaling/policy/:id}
 * ({@code 404 policy not found}); any other path is a {@code 404}.
 *
 * <p>Job scaling policies behave as Nomad's: {@link #setScalingPolicy} registers a group's
 * {@code scaling} block (its {@code ID} is kept while the group keeps a block, its {@code ModifyIndex}
 * moves only when the block changes), stopping a job disables its policies, purging it deletes them,
 * and the list's {@code X-Nomad-Index} is the index of the last change to any policy. A token made
 * with {@link #acl(String, boolean, String...) namespaces} may read only those namespaces' jobs and
 * policies: another namespace answers {@code 403 Permission denied}, and a {@code *} list leaves
 * the others out (without a token, a {@code *} list is empty rather than refused, as Nomad's).
 *
 * <p>Thread-safe: every request and every method here holds the fake's lock; blocking queries wait
 * on it and wake on every change.
 */
public final class FakeNomad implements Function<RecordedRequest, Response> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);
  private static final Pattern NODE = Pattern.compile("/v1/node/([^/]+)(?:/(allocations|drain|eligibility|purge))?");
  private static final Pattern JOB = Pattern.compile("/v1/job/([^/]+)(?:/(scale|deployment|allocations))?");
  private static final Pattern ALLOC_STATS = Pattern.compile("/v1/client/allocation/([^/]+)/stats");
  private static final Pattern SCALING_POLICY = Pattern.compile("/v1/scaling/policy/([^/]+)");
  private static final Pattern ALLOC = Pattern.compile("/v1/allocation/([^/]+)");
  private static final Set<String> ACTIVE_DEPLOYMENT = Set.of("running", "paused", "pending", "blocked",
      "unblocking", "initializing");

  private final Object lock = new Object();
  private final java.time.Clock clock;
  private long index = 10;
  private final Map<String, FakeNode> nodes = new LinkedHashMap<>();
  private final Map<String, FakeAlloc> allocs = new LinkedHashMap<>();
  private final Map<String, FakeJob> jobs = new LinkedHashMap<>();
  private final Map<String, CompletableFuture<Void>> drainsRequested = new HashMap<>();
  private final Set<String> regions = new java.util.HashSet<>(Set.of("global"));
  /** ACL tokens by secret; empty while ACLs are off. */
  private final Map<String, Token> tokens = new HashMap<>();
  private long nodesIndex = index;
  /** Job scaling policies by ID, in registration order. */
  private final Map<String, FakePolicy> policies = new LinkedHashMap<>();
  /** The index of the last change to any scaling policy, as Nomad's {@code scaling_policy} table index. */
  private long policiesIndex = 1;
  /** Futures of {@link #policiesWatched()}, by the policy index a blocking list must wait at. */
  private final List<Map.Entry<Long, CompletableFuture<Void>>> watched = new ArrayList<>();

  /** What a token may do: write or only read, in every namespace or in the listed ones. */
  /** No namespace is named "", so this token reads none. */
  private static final Token ANONYMOUS = new Token(false, Set.of(""));

  private record Token(boolean write, Set<String> namespaces) {
    boolean mayRead(String namespace) {
      return namespaces.isEmpty() || namespaces.contains(namespace);
    }
  }

  private static final class FakePolicy {
    final String id;
    final String namespace;
    final String job;
    final String group;
    final long createIndex;
    long modifyIndex;
    long min;
    long max;
    /** What the job's scaling block says; a stopped job's policies are disabled whatever it says. */
    boolean specEnabled;
    boolean enabled;
    JsonNode policy;

    FakePolicy(String id, String namespace, String job, String group, long index) {
      this.id = id;
      this.namespace = namespace;
      this.job = job;
      this.group = group;
      this.createIndex = index;
      this.modifyIndex = index;
    }

    Map<String, Object> target() {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("Namespace", namespace);
      t.put("Job", job);
      t.put("Group", group);
      return t;
    }
  }

  /** Creates an empty Nomad whose scaling events and statistics carry the system clock's time. */
  public FakeNomad() {
    this(java.time.Clock.systemUTC());
  }

  /**
   * Creates an empty Nomad whose scaling events ({@code Time}) and allocation statistics
   * ({@code Timestamp}) carry this clock's time, so a test on a manual clock sees cooldowns that
   * start when its scale happened.
   *
   * @param clock the clock
   */
  public FakeNomad(java.time.Clock clock) {
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /**
   * A node to register with {@link #addNode}. Resources are Nomad's: CPU in MHz ({@code CpuShares}),
   * memory in MiB.
   *
   * @param id the node id (Nomad uses UUIDs; any text works here)
   * @param name the node's name
   * @param datacenter its datacenter
   * @param nodeClass its class, {@code ""} for none
   * @param pool its node pool
   * @param status {@code "initializing"}, {@code "ready"}, {@code "down"} or {@code "disconnected"}
   * @param attributes its attributes, e.g. {@code unique.platform.aws.instance-id}
   * @param meta its meta
   * @param cpu {@code NodeResources.Cpu.CpuShares}
   * @param memoryMb {@code NodeResources.Memory.MemoryMB}
   * @param reservedCpu {@code ReservedResources.Cpu.CpuShares}
   * @param reservedMemoryMb {@code ReservedResources.Memory.MemoryMB}
   */
  public record NodeSpec(String id, String name, String datacenter, String nodeClass, String pool, String status,
      Map<String, String> attributes, Map<String, String> meta, long cpu, long memoryMb, long reservedCpu,
      long reservedMemoryMb) {
    /**
     * Copies the maps.
     *
     * @param id the node id
     * @param name the node's name
     * @param datacenter its datacenter
     * @param nodeClass its class
     * @param pool its node pool
     * @param status its status
     * @param attributes its attributes
     * @param meta its meta
     * @param cpu total CPU in MHz
     * @param memoryMb total memory in MiB
     * @param reservedCpu reserved CPU in MHz
     * @param reservedMemoryMb reserved memory in MiB
     */
    public NodeSpec {
      attributes = Map.copyOf(attributes);
      meta = Map.copyOf(meta);
    }

    /**
     * Returns a ready node in {@code dc1}, pool {@code default}, no class, 4000 MHz and 8192 MiB of
     * which 100 MHz and 256 MiB are reserved.
     *
     * @param id the node id
     * @return the spec
     */
    public static NodeSpec of(String id) {
      return new NodeSpec(id, id, "dc1", "", "default", "ready", Map.of(), Map.of(), 4000, 8192, 100, 256);
    }

    /**
     * Returns this spec with another class.
     *
     * @param nodeClass the class
     * @return a new spec
     */
    public NodeSpec withClass(String nodeClass) {
      return new NodeSpec(id, name, datacenter, nodeClass, pool, status, attributes, meta, cpu, memoryMb,
          reservedCpu, reservedMemoryMb);
    }

    /**
     * Returns this spec with another datacenter and pool.
     *
     * @param datacenter the datacenter
     * @param pool the node pool
     * @return a new spec
     */
    public NodeSpec in(String datacenter, String pool) {
      return new NodeSpec(id, name, datacenter, nodeClass, pool, status, attributes, meta, cpu, memoryMb,
          reservedCpu, reservedMemoryMb);
    }

    /**
     * Returns this spec with another status.
     *
     * @param status e.g. {@code "initializing"}
     * @return a new spec
     */
    public NodeSpec withStatus(String status) {
      return new NodeSpec(id, name, datacenter, nodeClass, pool, status, attributes, meta, cpu, memoryMb,
          reservedCpu, reservedMemoryMb);
    }

    /**
     * Returns this spec with one more attribute.
     *
     * @param key e.g. {@code unique.platform.aws.instance-id}
     * @param value its value
     * @return a new spec
     */
    public NodeSpec withAttribute(String key, String value) {
      Map<String, String> a = new HashMap<>(attributes);
      a.put(key, value);
      return new NodeSpec(id, name, datacenter, nodeClass, pool, status, a, meta, cpu, memoryMb, reservedCpu,
          reservedMemoryMb);
    }

    /**
     * Returns this spec with other resources.
     *
     * @param cpu total CPU in MHz
     * @param memoryMb total memory in MiB
     * @param reservedCpu reserved CPU in MHz
     * @param reservedMemoryMb reserved memory in MiB
     * @return a new spec
     */
    public NodeSpec withResources(long cpu, long memoryMb, long reservedCpu, long reservedMemoryMb) {
      return new NodeSpec(id, name, datacenter, nodeClass, pool, status, attributes, meta, cpu, memoryMb,
          reservedCpu, reservedMemoryMb);
    }
  }

  private static final class FakeNode {
    NodeSpec spec;
    String status;
    boolean eligible = true;
    Map<String, Object> drainStrategy; // null when not draining
    Map<String, Object> lastDrain;
    final long createIndex;
    long modifyIndex;

    FakeNode(NodeSpec spec, long index) {
      this.spec = spec;
      this.status = spec.status();
      this.createIndex = index;
      this.modifyIndex = index;
    }
  }

  private static final class FakeAlloc {
    final String id;
    final String nodeId;
    final String namespace;
    final String jobId;
    final String jobType;
    final String group;
    final long cpu;
    final long memoryMb;
    String clientStatus = "running";
    String desiredStatus = "run";
    double cpuPercent;
    double cpuTotalTicks;
    long memoryUsage;
    final long createIndex;
    long modifyIndex;

    FakeAlloc(String id, String nodeId, String namespace, String jobId, String jobType, String group, long cpu,
        long memoryMb, long index) {
      this.id = id;
      this.nodeId = nodeId;
      this.namespace = namespace;
      this.jobId = jobId;
      this.jobType = jobType;
      this.group = group;
      this.cpu = cpu;
      this.memoryMb = memoryMb;
      this.createIndex = index;
      this.modifyIndex = index;
    }
  }

  private static final class FakeJob {
    final String namespace;
    final String id;
    final long createIndex;
    long modifyIndex;
    boolean stopped;
    long version;
    final Map<String, Long> desired = new LinkedHashMap<>();
    final Map<String, long[]> bounds = new HashMap<>();
    /** Group to task name to {CPU MHz, MemoryMB}, as the job's tasks' {@code resources} blocks. */
    final Map<String, Map<String, long[]>> tasks = new LinkedHashMap<>();
    final Map<String, List<Map<String, Object>>> events = new HashMap<>();
    Map<String, Object> deployment;

    FakeJob(String namespace, String id, long index) {
      this.namespace = namespace;
      this.id = id;
      this.createIndex = index;
      this.modifyIndex = index;
    }
  }

  // ---------------------------------------------------------------- test set-up

  /**
   * Registers a node (or replaces one with the same id, keeping its create index).
   *
   * @param spec the node
   * @return this fake
   */
  public FakeNomad addNode(NodeSpec spec) {
    synchronized (lock) {
      long i = bump();
      FakeNode existing = nodes.get(spec.id());
      FakeNode node = new FakeNode(spec, existing == null ? i : existing.createIndex);
      node.modifyIndex = i;
      nodes.put(spec.id(), node);
      nodesIndex = i;
      return this;
    }
  }

  /**
   * Removes a node as if its machine vanished and it was garbage-collected.
   *
   * @param nodeId the node
   */
  public void removeNode(String nodeId) {
    synchronized (lock) {
      nodes.remove(nodeId);
      nodesIndex = bump();
    }
  }

  /**
   * Sets a node's status, e.g. {@code "ready"} once an initializing node finished joining.
   *
   * @param nodeId the node
   * @param status the new status
   */
  public void setNodeStatus(String nodeId, String status) {
    synchronized (lock) {
      FakeNode n = requireNode(nodeId);
      n.status = status;
      touch(n);
    }
  }

  /**
   * Places a running allocation of a job on a node.
   *
   * @param nodeId the node
   * @param jobId the job
   * @param jobType {@code "service"}, {@code "batch"}, {@code "system"} or {@code "sysbatch"}
   * @param cpu its CPU in MHz
   * @param memoryMb its memory in MiB
   * @return the allocation's id
   */
  public String addAllocation(String nodeId, String jobId, String jobType, long cpu, long memoryMb) {
    synchronized (lock) {
      requireNode(nodeId);
      String id = UUID.randomUUID().toString();
      allocs.put(id, new FakeAlloc(id, nodeId, "default", jobId, jobType, "group", cpu, memoryMb, bump()));
      return id;
    }
  }

  /**
   * Places a running allocation of a service job's task group on a node, in a namespace; its resource
   * usage is zero until {@link #setAllocationStats} sets it.
   *
   * @param nodeId the node
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the task group
   * @param cpu its CPU in MHz
   * @param memoryMb its memory in MiB
   * @return the allocation's id
   */
  public String addAllocation(String nodeId, String namespace, String jobId, String group, long cpu,
      long memoryMb) {
    synchronized (lock) {
      requireNode(nodeId);
      String id = UUID.randomUUID().toString();
      allocs.put(id, new FakeAlloc(id, nodeId, namespace, jobId, "service", group, cpu, memoryMb, bump()));
      return id;
    }
  }

  /**
   * Sets what {@code GET /v1/client/allocation/:id/stats} reports in {@code ResourceUsage}.
   *
   * @param allocId the allocation
   * @param cpuPercent {@code CpuStats.Percent}
   * @param cpuTotalTicks {@code CpuStats.TotalTicks} (MHz used)
   * @param memoryUsageBytes {@code MemoryStats.Usage}, in bytes
   * @throws IllegalArgumentException if there is no such allocation
   */
  public void setAllocationStats(String allocId, double cpuPercent, double cpuTotalTicks, long memoryUsageBytes) {
    synchronized (lock) {
      FakeAlloc a = requireAlloc(allocId);
      a.cpuPercent = cpuPercent;
      a.cpuTotalTicks = cpuTotalTicks;
      a.memoryUsage = memoryUsageBytes;
    }
  }

  /**
   * Sets an allocation's client status, e.g. {@code "pending"}, {@code "complete"} or {@code "failed"}.
   *
   * @param allocId the allocation
   * @param clientStatus its new {@code ClientStatus}
   * @throws IllegalArgumentException if there is no such allocation
   */
  public void setAllocationClientStatus(String allocId, String clientStatus) {
    synchronized (lock) {
      FakeAlloc a = requireAlloc(allocId);
      a.clientStatus = clientStatus;
      a.modifyIndex = bump();
    }
  }

  /**
   * Declares a task of a job's group with its {@code resources} block, as {@code GET /v1/job/:id} lists it.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the task group (it must be one of the job's)
   * @param task the task's name
   * @param cpu {@code Resources.CPU} in MHz
   * @param memoryMb {@code Resources.MemoryMB} in MiB
   * @throws IllegalArgumentException if there is no such job or group
   */
  public void setTaskResources(String namespace, String jobId, String group, String task, long cpu, long memoryMb) {
    synchronized (lock) {
      FakeJob j = requireJob(namespace, jobId);
      if (!j.desired.containsKey(group)) {
        throw new IllegalArgumentException("no group " + group + " in job " + namespace + "/" + jobId);
      }
      j.tasks.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(task, new long[] {cpu, memoryMb});
      j.modifyIndex = bump();
    }
  }

  /**
   * Moves work off a draining node as Nomad's drainer would once replacements are placed: every live
   * allocation (but system jobs', when the drain ignores them) becomes {@code complete} with desired
   * status {@code stop}; then the drain is complete.
   *
   * @param nodeId the draining node
   * @throws IllegalStateException if the node is not draining
   */
  public void migrate(String nodeId) {
    synchronized (lock) {
      FakeNode n = requireNode(nodeId);
      if (n.drainStrategy == null) {
        throw new IllegalStateException("node " + nodeId + " is not draining");
      }
      @SuppressWarnings("unchecked")
      boolean ignoreSystem = Boolean.TRUE.equals(((Map<String, Object>) n.drainStrategy.get("DrainSpec"))
          .get("IgnoreSystemJobs"));
      long i = bump();
      for (FakeAlloc a : allocs.values()) {
        if (a.nodeId.equals(nodeId) && !terminal(a) && !(ignoreSystem && system(a))) {
          a.clientStatus = "complete";
          a.desiredStatus = "stop";
          a.modifyIndex = i;
        }
      }
      n.drainStrategy = null;
      n.lastDrain = new LinkedHashMap<>(Map.of("Status", "complete", "Meta", n.lastDrain.get("Meta")));
      touch(n);
    }
  }

  /**
   * Returns a future completed when a drain of the node is requested, so a test can wait for the
   * client to start draining before it {@link #migrate migrates}.
   *
   * @param nodeId the node
   * @return the future, shared by every caller
   */
  public CompletableFuture<Void> drainRequested(String nodeId) {
    synchronized (lock) {
      return drainsRequested.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }
  }

  /**
   * Registers a job (service type) with task groups at the given counts, in a namespace.
   *
   * @param namespace the namespace, e.g. {@code "default"}
   * @param jobId the job id
   * @param groupCounts each group's count
   */
  public void addJob(String namespace, String jobId, Map<String, Long> groupCounts) {
    synchronized (lock) {
      FakeJob j = new FakeJob(namespace, jobId, bump());
      j.desired.putAll(groupCounts);
      jobs.put(namespace + "/" + jobId, j);
    }
  }

  /**
   * Sets a group's scaling bounds, as its job's {@code scaling} block does; counts outside are refused.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the group
   * @param min the minimum count
   * @param max the maximum count
   */
  public void setScalingBounds(String namespace, String jobId, String group, long min, long max) {
    synchronized (lock) {
      requireJob(namespace, jobId).bounds.put(group, new long[] {min, max});
    }
  }

  /**
   * Sets the status of the job's latest deployment (of its current version); {@code null} removes it.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param status e.g. {@code "running"}, {@code "successful"}
   */
  public void setDeployment(String namespace, String jobId, String status) {
    synchronized (lock) {
      FakeJob j = requireJob(namespace, jobId);
      if (status == null) {
        j.deployment = null;
      } else {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("ID", UUID.randomUUID().toString());
        d.put("Namespace", namespace);
        d.put("JobID", jobId);
        d.put("JobVersion", j.version);
        d.put("Status", status);
        d.put("StatusDescription", "Deployment is " + status);
        d.put("CreateIndex", bump());
        d.put("ModifyIndex", index);
        j.deployment = d;
      }
      j.modifyIndex = bump();
    }
  }

  /**
   * Stops or starts a job.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param stopped whether it is stopped
   */
  public void setStopped(String namespace, String jobId, boolean stopped) {
    synchronized (lock) {
      FakeJob j = requireJob(namespace, jobId);
      j.stopped = stopped;
      j.modifyIndex = bump();
      // Nomad disables a stopped job's scaling policies, so autoscalers stop watching them.
      for (FakePolicy p : policies.values()) {
        boolean enabled = p.specEnabled && !stopped;
        if (p.namespace.equals(namespace) && p.job.equals(jobId) && p.enabled != enabled) {
          p.enabled = enabled;
          p.modifyIndex = j.modifyIndex;
          policiesIndex = j.modifyIndex;
        }
      }
    }
  }

  /**
   * Returns a group's count.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the group
   * @return its count
   */
  public long count(String namespace, String jobId, String group) {
    synchronized (lock) {
      return requireJob(namespace, jobId).desired.get(group);
    }
  }

  /**
   * Returns a group's scaling events, newest first, as Nomad lists them.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the group
   * @return copies of the events ({@code Count}, {@code PreviousCount}, {@code Message}, {@code Meta},
   *     {@code Time} in ns, ...)
   */
  public List<Map<String, Object>> scalingEvents(String namespace, String jobId, String group) {
    synchronized (lock) {
      return List.copyOf(requireJob(namespace, jobId).events.getOrDefault(group, List.of()));
    }
  }

  /**
   * Turns ACLs on: from now on every request needs one of these tokens in {@code X-Nomad-Token}.
   *
   * @param secret the token's secret id
   * @param write whether it may write (drain, purge, scale); a read-only token gets 403 on writes
   */
  public void acl(String secret, boolean write) {
    synchronized (lock) {
      tokens.put(secret, new Token(write, Set.of()));
    }
  }

  /**
   * Turns ACLs on with a token limited to some namespaces: their jobs and scaling policies may be read
   * (and written, when {@code write}); any other namespace answers {@code 403 Permission denied}, and
   * {@code GET /v1/scaling/policies?namespace=*} lists only these namespaces' policies.
   *
   * @param secret the token's secret id
   * @param write whether it may write
   * @param namespaces the namespaces it may use; none means every namespace
   */
  public void acl(String secret, boolean write, String... namespaces) {
    synchronized (lock) {
      tokens.put(secret, new Token(write, Set.of(namespaces)));
    }
  }

  // ---------------------------------------------------------------- job scaling policies

  /**
   * Registers (or changes) a task group's {@code scaling} block, as {@code nomad job run} of a job
   * with that block does: the group's policy keeps its {@code ID} across changes, and its
   * {@code ModifyIndex} and the policy list's index move only when something in the block changed.
   * The group's count must then stay within {@code [min, max]} (see {@link #setScalingBounds}).
   *
   * @param namespace the job's namespace
   * @param jobId the job (it must be registered)
   * @param group the task group (it must be one of the job's)
   * @param min the block's {@code min}
   * @param max the block's {@code max}
   * @param enabled the block's {@code enabled}
   * @param policyJson the block's {@code policy} as Nomad stores it from a jobspec: every block a list
   *     of single-key maps (<code>{"check": [{"cpu": [{"query": "avg_cpu", "strategy": [{"target-value":
   *     [{"target": 70}]}]}]}]}</code>); every number is answered as a JSON float ({@code 70.0}), as Nomad
   *     answers them; {@code null} for a block without {@code policy}
   * @return the policy's ID
   * @throws IllegalArgumentException if there is no such job or group, or the JSON is not an object
   */
  public String setScalingPolicy(String namespace, String jobId, String group, long min, long max, boolean enabled,
      String policyJson) {
    synchronized (lock) {
      FakeJob j = requireJob(namespace, jobId);
      if (!j.desired.containsKey(group)) {
        throw new IllegalArgumentException("no group " + group + " in job " + namespace + "/" + jobId);
      }
      JsonNode policy = null;
      if (policyJson != null) {
        try {
          policy = floats(JSON.readTree(policyJson));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("the policy is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!policy.isObject()) {
          throw new IllegalArgumentException("the policy must be a JSON object, not " + policyJson);
        }
      }
      FakePolicy p = policyOf(namespace, jobId, group);
      boolean running = !j.stopped;
      if (p != null && p.min == min && p.max == max && p.specEnabled == enabled
          && java.util.Objects.equals(p.policy, policy)) {
        return p.id; // Nomad's Diff: an unchanged block is not written again
      }
      long i = bump();
      if (p == null) {
        p = new FakePolicy(UUID.randomUUID().toString(), namespace, jobId, group, i);
        policies.put(p.id, p);
      }
      p.min = min;
      p.max = max;
      p.specEnabled = enabled;
      p.enabled = enabled && running;
      p.policy = policy;
      p.modifyIndex = i;
      policiesIndex = i;
      j.bounds.put(group, new long[] {min, max});
      j.modifyIndex = i;
      return p.id;
    }
  }

  /**
   * Removes a group's {@code scaling} block, as running the job again without it does: its policy is
   * deleted.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @param group the task group
   * @throws IllegalArgumentException if the group has no scaling policy
   */
  public void removeScalingPolicy(String namespace, String jobId, String group) {
    synchronized (lock) {
      FakePolicy p = policyOf(namespace, jobId, group);
      if (p == null) {
        throw new IllegalArgumentException("no scaling policy for " + namespace + "/" + jobId + "/" + group);
      }
      policies.remove(p.id);
      requireJob(namespace, jobId).bounds.remove(group);
      policiesIndex = bump();
    }
  }

  /**
   * Deregisters a job with {@code -purge}: the job and its scaling policies are gone.
   *
   * @param namespace the job's namespace
   * @param jobId the job
   * @throws IllegalArgumentException if there is no such job
   */
  public void purgeJob(String namespace, String jobId) {
    synchronized (lock) {
      requireJob(namespace, jobId);
      jobs.remove(namespace + "/" + jobId);
      long i = bump();
      if (policies.values().removeIf(p -> p.namespace.equals(namespace) && p.job.equals(jobId))) {
        policiesIndex = i;
      }
    }
  }

  /**
   * Returns a future completed when a client has seen every scaling policy change made so far: once a
   * blocking {@code GET /v1/scaling/policies} arrives with an {@code ?index=} at or past the current
   * policy index, i.e. it waits for the next change. A client that handles each answer before it asks
   * again has then handled every change, so a test waits on this instead of sleeping.
   *
   * @return the future
   */
  public CompletableFuture<Void> policiesWatched() {
    synchronized (lock) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      watched.add(Map.entry(policiesIndex, f));
      return f;
    }
  }

  private FakePolicy policyOf(String namespace, String jobId, String group) {
    for (FakePolicy p : policies.values()) {
      if (p.namespace.equals(namespace) && p.job.equals(jobId) && p.group.equals(group)) {
        return p;
      }
    }
    return null;
  }

  /** Nomad keeps a jobspec's policy numbers as Go floats and answers them as {@code 70.0}. */
  private static JsonNode floats(JsonNode node) {
    if (node.isNumber()) {
      return DoubleNode.valueOf(node.doubleValue());
    }
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      node.properties().forEach(e -> out.set(e.getKey(), floats(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(n -> out.add(floats(n)));
      return out;
    }
    return node;
  }

  /**
   * Adds a region this server can forward to; {@code global} is always there.
   *
   * @param region the region's name
   */
  public void addRegion(String region) {
    synchronized (lock) {
      regions.add(region);
    }
  }

  /**
   * Returns whether the node exists, is eligible and is draining, for assertions.
   *
   * @param nodeId the node
   * @return {@code "absent"}, or e.g. {@code "ready ineligible draining"}
   */
  public String describeNode(String nodeId) {
    synchronized (lock) {
      FakeNode n = nodes.get(nodeId);
      if (n == null) {
        return "absent";
      }
      return n.status + (n.eligible ? " eligible" : " ineligible") + (n.drainStrategy != null ? " draining" : "");
    }
  }

  // ---------------------------------------------------------------- HTTP

  @Override
  public Response apply(RecordedRequest req) {
    synchronized (lock) {
      try {
        Map<String, String> q = req.queryParams();
        String region = q.getOrDefault("region", "global");
        if (!regions.contains(region)) {
          return error(500, "No path to region");
        }
        boolean write = !req.method().equals("GET");
        Token token = null;
        if (!tokens.isEmpty()) {
          String secret = req.header("X-Nomad-Token");
          if (secret != null && !tokens.containsKey(secret)) {
            return error(403, "ACL token not found");
          }
          token = secret == null ? null : tokens.get(secret);
          // An anonymous list of every namespace is not refused: it lists the namespaces it may read, none.
          boolean anonymousListOfAll = secret == null && req.path().equals("/v1/scaling/policies")
              && "*".equals(q.get("namespace"));
          if (anonymousListOfAll) {
            token = ANONYMOUS;
          } else if (token == null || write && !token.write()) {
            return error(403, "Permission denied");
          }
        }
        return route(req, q, token);
      } catch (BadRequest e) {
        return error(e.status, e.getMessage());
      }
    }
  }

  private Response route(RecordedRequest req, Map<String, String> q, Token token) {
    String path = req.path();
    String method = req.method();
    if (path.equals("/v1/scaling/policies") || SCALING_POLICY.matcher(path).matches()) {
      return scaling(req, q, token);
    }
    if (path.equals("/v1/nodes")) {
      requireMethod(method, "GET");
      boolean resources = "true".equals(q.get("resources"));
      return block(q, () -> nodesIndex, () -> {
        List<Object> out = new ArrayList<>();
        for (FakeNode n : nodes.values()) {
          out.add(stub(n, resources));
        }
        return out;
      });
    }
    Matcher m = NODE.matcher(path);
    if (m.matches()) {
      String id = m.group(1);
      String sub = m.group(2);
      if (sub == null) {
        requireMethod(method, "GET");
        return block(q, () -> nodes.containsKey(id) ? nodes.get(id).modifyIndex : nodesIndex, () -> {
          FakeNode n = nodes.get(id);
          if (n == null) {
            throw new BadRequest(404, "node not found");
          }
          return full(n);
        });
      }
      switch (sub) {
        case "allocations":
          requireMethod(method, "GET");
          return block(q, this::allocsIndex, () -> {
            List<Object> out = new ArrayList<>();
            allocs.values().stream().filter(a -> a.nodeId.equals(id)).forEach(a -> out.add(alloc(a)));
            return out;
          });
        case "drain":
          requireMethod(method, "PUT", "POST");
          return drain(id, body(req));
        case "eligibility":
          requireMethod(method, "PUT", "POST");
          return eligibility(id, body(req));
        default:
          requireMethod(method, "PUT", "POST");
          return purge(id);
      }
    }
    Matcher j = JOB.matcher(path);
    if (j.matches()) {
      String namespace = q.getOrDefault("namespace", "default");
      if (token != null && !token.mayRead(namespace)) {
        return error(403, "Permission denied");
      }
      String jobId = j.group(1);
      if (j.group(2) == null) {
        requireMethod(method, "GET");
        FakeJob job = jobOrNotFound(namespace, jobId);
        return block(q, () -> job.modifyIndex, () -> job(job));
      }
      if (j.group(2).equals("allocations")) {
        requireMethod(method, "GET");
        jobOrNotFound(namespace, jobId);
        return block(q, this::allocsIndex, () -> {
          List<Object> out = new ArrayList<>();
          allocs.values().stream().filter(a -> a.namespace.equals(namespace) && a.jobId.equals(jobId))
              .forEach(a -> out.add(alloc(a)));
          return out;
        });
      }
      if (j.group(2).equals("deployment")) {
        requireMethod(method, "GET");
        FakeJob job = jobOrNotFound(namespace, jobId);
        return block(q, () -> job.modifyIndex, () -> job.deployment);
      }
      if (method.equals("GET")) {
        FakeJob job = jobOrNotFound(namespace, jobId);
        return block(q, () -> job.modifyIndex, () -> scaleStatus(job));
      }
      requireMethod(method, "PUT", "POST");
      return scale(namespace, jobId, body(req));
    }
    Matcher one = ALLOC.matcher(path);
    if (one.matches()) {
      requireMethod(method, "GET");
      FakeAlloc a = allocs.get(one.group(1));
      if (a == null) {
        throw new BadRequest(404, "alloc not found");
      }
      return block(q, () -> a.modifyIndex, () -> alloc(a));
    }
    Matcher s = ALLOC_STATS.matcher(path);
    if (s.matches()) {
      requireMethod(method, "GET");
      FakeAlloc a = allocs.get(s.group(1));
      if (a == null) {
        return error(404, "Unknown allocation \"" + s.group(1) + "\"");
      }
      return json(200, allocStats(a), index);
    }
    return error(404, "Invalid URL");
  }

  /** {@code GET /v1/scaling/policies} and {@code GET /v1/scaling/policy/:id}, as Nomad's scaling endpoint. */
  private Response scaling(RecordedRequest req, Map<String, String> q, Token token) {
    requireMethod(req.method(), "GET");
    String namespace = q.getOrDefault("namespace", "default");
    boolean all = namespace.equals("*");
    if (token != null && !all && !token.mayRead(namespace)) {
      return error(403, "Permission denied");
    }
    Matcher m = SCALING_POLICY.matcher(req.path());
    if (m.matches()) {
      // Nomad checks the request's namespace, not the policy's, and finds the policy by ID alone.
      String id = m.group(1);
      return block(q, () -> policies.containsKey(id) ? policies.get(id).modifyIndex : policiesIndex, () -> {
        FakePolicy p = policies.get(id);
        if (p == null) {
          throw new BadRequest(404, "policy not found");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", p.id);
        out.put("Type", "horizontal");
        out.put("Target", p.target());
        out.put("Policy", p.policy);
        out.put("Min", p.min);
        out.put("Max", p.max);
        out.put("Enabled", p.enabled);
        out.put("CreateIndex", p.createIndex);
        out.put("ModifyIndex", p.modifyIndex);
        return out;
      });
    }
    String job = q.get("job");
    String type = q.get("type");
    long waitsAt = q.containsKey("index") ? parseIndex(q.get("index")) : 0;
    watched.removeIf(w -> {
      boolean seen = waitsAt > 0 && waitsAt >= w.getKey();
      if (seen) {
        w.getValue().complete(null);
      }
      return seen;
    });
    return block(q, () -> policiesIndex, () -> {
      List<FakePolicy> listed = new ArrayList<>();
      for (FakePolicy p : policies.values()) {
        boolean inNamespace = all ? token == null || token.mayRead(p.namespace) : p.namespace.equals(namespace);
        boolean ofJob = job == null || all || p.job.equals(job);
        boolean ofType = type == null || "horizontal".startsWith(type);
        if (inNamespace && ofJob && ofType) {
          listed.add(p);
        }
      }
      // One namespace is listed in target order, every namespace in ID order, as Nomad's indexes give them.
      listed.sort(all ? java.util.Comparator.comparing((FakePolicy p) -> p.id)
          : java.util.Comparator.comparing((FakePolicy p) -> p.job).thenComparing(p -> p.group));
      List<Object> out = new ArrayList<>();
      for (FakePolicy p : listed) {
        Map<String, Object> stub = new LinkedHashMap<>();
        stub.put("ID", p.id);
        stub.put("Enabled", p.enabled);
        stub.put("Type", "horizontal");
        stub.put("Target", p.target());
        stub.put("CreateIndex", p.createIndex);
        stub.put("ModifyIndex", p.modifyIndex);
        out.add(stub);
      }
      return out;
    });
  }

  private Map<String, Object> allocStats(FakeAlloc a) {
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("RSS", a.memoryUsage);
    memory.put("Cache", 0);
    memory.put("Swap", 0);
    memory.put("MappedFile", 0);
    memory.put("Usage", a.memoryUsage);
    memory.put("MaxUsage", a.memoryUsage);
    memory.put("KernelUsage", 0);
    memory.put("KernelMaxUsage", 0);
    memory.put("Measured", List.of("RSS", "Cache", "Swap", "Usage", "Max Usage"));
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("SystemMode", 0.0);
    cpu.put("UserMode", a.cpuTotalTicks);
    cpu.put("TotalTicks", a.cpuTotalTicks);
    cpu.put("ThrottledPeriods", 0);
    cpu.put("ThrottledTime", 0);
    cpu.put("Percent", a.cpuPercent);
    cpu.put("Measured", List.of("System Mode", "User Mode", "Percent"));
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("MemoryStats", memory);
    usage.put("CpuStats", cpu);
    usage.put("DeviceStats", List.of());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ResourceUsage", usage);
    out.put("Tasks", Map.of());
    out.put("Timestamp", clock.millis() * 1_000_000L);
    return out;
  }

  private static Map<String, Object> job(FakeJob job) {
    List<Object> groups = new ArrayList<>();
    job.desired.forEach((g, count) -> {
      List<Object> tasks = new ArrayList<>();
      job.tasks.getOrDefault(g, Map.of()).forEach((name, r) -> {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("Name", name);
        t.put("Driver", "docker");
        t.put("Resources", Map.of("CPU", r[0], "MemoryMB", r[1], "DiskMB", 0));
        tasks.add(t);
      });
      Map<String, Object> tg = new LinkedHashMap<>();
      tg.put("Name", g);
      tg.put("Count", count);
      tg.put("Tasks", tasks);
      groups.add(tg);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ID", job.id);
    out.put("Name", job.id);
    out.put("Namespace", job.namespace);
    out.put("Type", "service");
    out.put("Stop", job.stopped);
    out.put("Version", job.version);
    out.put("TaskGroups", groups);
    out.put("CreateIndex", job.createIndex);
    out.put("ModifyIndex", job.modifyIndex);
    out.put("JobModifyIndex", job.modifyIndex);
    return out;
  }

  private Response drain(String id, JsonNode body) {
    FakeNode n = nodes.get(id);
    if (n == null) {
      return error(500, "node not found");
    }
    JsonNode spec = body.path("DrainSpec");
    long i = bump();
    if (spec.isMissingNode() || spec.isNull()) {
      n.drainStrategy = null;
      if (body.path("MarkEligible").asBoolean(false)) {
        n.eligible = true;
      }
      if (n.lastDrain != null && "draining".equals(n.lastDrain.get("Status"))) {
        n.lastDrain.put("Status", "canceled");
      }
    } else {
      Map<String, Object> drainSpec = new LinkedHashMap<>();
      long deadline = spec.path("Deadline").asLong(0);
      drainSpec.put("Deadline", deadline);
      drainSpec.put("IgnoreSystemJobs", spec.path("IgnoreSystemJobs").asBoolean(false));
      Map<String, Object> strategy = new LinkedHashMap<>();
      strategy.put("DrainSpec", drainSpec);
      strategy.put("ForceDeadline", deadline > 0 ? "2026-11-25T00:00:00Z" : "0001-01-01T00:00:00Z");
      strategy.put("StartedAt", "2026-11-25T00:00:00Z");
      n.drainStrategy = strategy;
      n.eligible = false;
      Map<String, Object> meta = meta(body);
      n.lastDrain = new LinkedHashMap<>(Map.of("Status", "draining", "Meta", meta));
      drainsRequested.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(null);
    }
    n.modifyIndex = i;
    nodesIndex = i;
    lock.notifyAll();
    return nodeUpdate(i);
  }

  private Response eligibility(String id, JsonNode body) {
    FakeNode n = nodes.get(id);
    if (n == null) {
      return error(500, "node not found");
    }
    String wanted = body.path("Eligibility").asText("");
    if (!wanted.equals("eligible") && !wanted.equals("ineligible")) {
      return error(400, "invalid scheduling eligibility \"" + wanted + "\"");
    }
    if (n.drainStrategy != null && wanted.equals("eligible")) {
      return error(500, "can not set node's scheduling eligibility to eligible while it is draining");
    }
    n.eligible = wanted.equals("eligible");
    long i = touch(n);
    return nodeUpdate(i);
  }

  private Response purge(String id) {
    if (!nodes.containsKey(id)) {
      return error(500, "node not found");
    }
    nodes.remove(id);
    nodesIndex = bump();
    lock.notifyAll();
    return nodeUpdate(nodesIndex);
  }

  private Response scale(String namespace, String jobId, JsonNode body) {
    FakeJob job = jobs.get(namespace + "/" + jobId);
    if (job == null) {
      return error(404, "job \"" + jobId + "\" not found");
    }
    String group = body.path("Target").path("Group").asText("");
    if (group.isEmpty()) {
      return error(400, "missing task group name for scaling action");
    }
    if (!job.desired.containsKey(group)) {
      return error(400, "task group \"" + group + "\" specified for scaling does not exist in job");
    }
    JsonNode countNode = body.path("Count");
    if (!countNode.isMissingNode() && !countNode.isNull()) {
      long count = countNode.asLong();
      if (count < 0) {
        return error(400, "scaling action count can't be negative");
      }
      long[] b = job.bounds.get(group);
      if (b != null && count > b[1]) {
        return error(400, "group count was greater than scaling policy maximum: " + count + " > " + b[1]);
      }
      if (b != null && count < b[0]) {
        return error(400, "group count was less than scaling policy minimum: " + count + " < " + b[0]);
      }
      if (job.deployment != null && ACTIVE_DEPLOYMENT.contains((String) job.deployment.get("Status"))) {
        return error(400, "job scaling blocked due to active deployment");
      }
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("Count", count);
      event.put("PreviousCount", job.desired.get(group));
      event.put("Error", body.path("Error").asBoolean(false));
      event.put("Message", body.path("Message").asText(""));
      event.put("Meta", meta(body));
      event.put("EvalID", UUID.randomUUID().toString());
      event.put("Time", clock.millis() * 1_000_000L);
      event.put("CreateIndex", index + 1);
      job.events.computeIfAbsent(group, g -> new ArrayList<>()).add(0, event);
      job.desired.put(group, count);
      job.version++;
    }
    job.modifyIndex = bump();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("EvalCreateIndex", job.modifyIndex);
    out.put("EvalID", UUID.randomUUID().toString());
    out.put("Index", job.modifyIndex);
    out.put("JobModifyIndex", job.modifyIndex);
    out.put("Warnings", "");
    return json(200, out, job.modifyIndex);
  }

  private Map<String, Object> scaleStatus(FakeJob job) {
    Map<String, Object> groups = new LinkedHashMap<>();
    job.desired.forEach((g, count) -> {
      long running = job.stopped ? 0 : count;
      Map<String, Object> tg = new LinkedHashMap<>();
      tg.put("Desired", count);
      tg.put("Placed", running);
      tg.put("Running", running);
      tg.put("Healthy", running);
      tg.put("Unhealthy", 0);
      tg.put("Events", job.events.getOrDefault(g, List.of()));
      groups.put(g, tg);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("JobID", job.id);
    out.put("Namespace", job.namespace);
    out.put("JobCreateIndex", job.createIndex);
    out.put("JobModifyIndex", job.modifyIndex);
    out.put("JobStopped", job.stopped);
    out.put("TaskGroups", groups);
    return out;
  }

  private Map<String, Object> stub(FakeNode n, boolean resources) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Address", "10.0.0.1");
    out.put("ID", n.spec.id());
    out.put("Datacenter", n.spec.datacenter());
    out.put("Name", n.spec.name());
    out.put("NodeClass", n.spec.nodeClass());
    out.put("NodePool", n.spec.pool());
    out.put("Version", "1.9.3");
    out.put("Drain", n.drainStrategy != null);
    out.put("SchedulingEligibility", n.eligible ? "eligible" : "ineligible");
    out.put("Status", n.status);
    out.put("StatusDescription", "");
    out.put("Drivers", Map.of());
    if (resources) {
      out.put("NodeResources", nodeResources(n.spec.cpu(), n.spec.memoryMb()));
      out.put("ReservedResources", reservedResources(n.spec.reservedCpu(), n.spec.reservedMemoryMb()));
    }
    out.put("LastDrain", n.lastDrain);
    out.put("CreateIndex", n.createIndex);
    out.put("ModifyIndex", n.modifyIndex);
    return out;
  }

  private Map<String, Object> full(FakeNode n) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ID", n.spec.id());
    out.put("Name", n.spec.name());
    out.put("Datacenter", n.spec.datacenter());
    out.put("NodeClass", n.spec.nodeClass());
    out.put("NodePool", n.spec.pool());
    out.put("HTTPAddr", "10.0.0.1:4646");
    out.put("Attributes", new TreeMap<>(n.spec.attributes()));
    out.put("Meta", new TreeMap<>(n.spec.meta()));
    out.put("NodeResources", nodeResources(n.spec.cpu(), n.spec.memoryMb()));
    out.put("ReservedResources", reservedResources(n.spec.reservedCpu(), n.spec.reservedMemoryMb()));
    out.put("Drain", n.drainStrategy != null);
    out.put("DrainStrategy", n.drainStrategy);
    out.put("LastDrain", n.lastDrain);
    out.put("SchedulingEligibility", n.eligible ? "eligible" : "ineligible");
    out.put("Status", n.status);
    out.put("StatusDescription", "");
    out.put("CreateIndex", n.createIndex);
    out.put("ModifyIndex", n.modifyIndex);
    return out;
  }

  private static Map<String, Object> nodeResources(long cpu, long memoryMb) {
    return Map.of("Cpu", Map.of("CpuShares", cpu, "TotalCpuCores", 4, "ReservableCpuCores", List.of()),
        "Memory", Map.of("MemoryMB", memoryMb), "Disk", Map.of("DiskMB", 10240), "Networks", List.of());
  }

  private static Map<String, Object> reservedResources(long cpu, long memoryMb) {
    return Map.of("Cpu", Map.of("CpuShares", cpu, "ReservedCpuCores", List.of()),
        "Memory", Map.of("MemoryMB", memoryMb), "Disk", Map.of("DiskMB", 0));
  }

  private Map<String, Object> alloc(FakeAlloc a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ID", a.id);
    out.put("Namespace", a.namespace);
    out.put("NodeID", a.nodeId);
    out.put("Name", a.jobId + "." + a.group + "[0]");
    out.put("JobID", a.jobId);
    out.put("Job", Map.of("ID", a.jobId, "Name", a.jobId, "Namespace", a.namespace, "Type", a.jobType));
    out.put("TaskGroup", a.group);
    // Nomad still fills the deprecated Resources summary, which nomad-autoscaler's nomad-apm reads.
    out.put("Resources", Map.of("CPU", a.cpu, "MemoryMB", a.memoryMb, "DiskMB", 300));
    out.put("AllocatedResources", Map.of(
        "Tasks", Map.of("task", Map.of("Cpu", Map.of("CpuShares", a.cpu), "Memory", Map.of("MemoryMB", a.memoryMb))),
        "Shared", Map.of("DiskMB", 300)));
    out.put("DesiredStatus", a.desiredStatus);
    out.put("ClientStatus", a.clientStatus);
    out.put("CreateIndex", a.createIndex);
    out.put("ModifyIndex", a.modifyIndex);
    return out;
  }

  private Response nodeUpdate(long i) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("EvalCreateIndex", i);
    out.put("EvalIDs", List.of());
    out.put("Index", i);
    out.put("NodeModifyIndex", i);
    return json(200, out, i);
  }

  /** Answers a read, as a blocking query when {@code ?index=} is given. */
  private Response block(Map<String, String> q, java.util.function.LongSupplier resourceIndex,
      java.util.function.Supplier<Object> body) {
    long wanted = parseIndex(q.get("index"));
    Duration wait = parseWait(q.get("wait"));
    long deadline = System.nanoTime() + wait.toNanos();
    while (wanted > 0 && resourceIndex.getAsLong() <= wanted) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        // Waiting on the lock releases it, so writes (and the test's set-up methods) go ahead.
        lock.wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long i = Math.max(1, resourceIndex.getAsLong());
    return json(200, body.get(), i);
  }

  private static long parseIndex(String text) {
    if (text == null) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw new BadRequest(400, "Invalid index: " + text);
    }
  }

  private static Duration parseWait(String text) {
    if (text == null) {
      return DEFAULT_WAIT;
    }
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
    if (!m.matches()) {
      throw new BadRequest(400, "Invalid wait time");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
  }

  private long allocsIndex() {
    return allocs.values().stream().mapToLong(a -> a.modifyIndex).max().orElse(1);
  }

  private static boolean terminal(FakeAlloc a) {
    return !a.desiredStatus.equals("run") || Set.of("complete", "failed", "lost").contains(a.clientStatus);
  }

  private static boolean system(FakeAlloc a) {
    return a.jobType.equals("system") || a.jobType.equals("sysbatch");
  }

  private long bump() {
    index++;
    lock.notifyAll();
    return index;
  }

  private long touch(FakeNode n) {
    long i = bump();
    n.modifyIndex = i;
    nodesIndex = i;
    return i;
  }

  private FakeNode requireNode(String id) {
    FakeNode n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return n;
  }

  private FakeAlloc requireAlloc(String id) {
    FakeAlloc a = allocs.get(id);
    if (a == null) {
      throw new IllegalArgumentException("no allocation " + id);
    }
    return a;
  }

  private FakeJob requireJob(String namespace, String jobId) {
    FakeJob j = jobs.get(namespace + "/" + jobId);
    if (j == null) {
      throw new IllegalArgumentException("no job " + namespace + "/" + jobId);
    }
    return j;
  }

  private FakeJob jobOrNotFound(String namespace, String jobId) {
    return Optional.ofNullable(jobs.get(namespace + "/" + jobId)).orElseThrow(() -> new BadRequest(404, "job not found"));
  }

  private static void requireMethod(String method, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw new BadRequest(405, "Invalid method");
  }

  private static Map<String, Object> meta(JsonNode body) {
    JsonNode meta = body.path("Meta");
    return meta.isObject() ? JSON.convertValue(meta, new TypeReference<LinkedHashMap<String, Object>>() {})
        : new LinkedHashMap<>();
  }

  private static JsonNode body(RecordedRequest req) {
    try {
      return req.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(req.body());
    } catch (JsonProcessingException e) {
      throw new BadRequest(400, "Failed to decode request body: " + e.getOriginalMessage());
    }
  }

  private Response json(int status, Object body, long i) {
    try {
      return Response.json(status, JSON.writeValueAsString(body)).withHeader("X-Nomad-Index", Long.toString(i))
          .withHeader("X-Nomad-KnownLeader", "true").withHeader("X-Nomad-LastContact", "0");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Response error(int status, String text) {
    return Response.text(status, text);
  }

  /** An error answer, thrown from deep inside a route. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeNomad[index=" + index + ", nodes=" + nodes.keySet() + ", jobs=" + jobs.keySet() + "]";
    }
  }
}
