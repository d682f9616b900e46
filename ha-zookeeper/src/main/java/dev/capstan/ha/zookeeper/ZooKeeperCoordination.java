package dev.capstan.ha.zookeeper;

import dev.capstan.engine.Coordination;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares policies between engines through ZooKeeper: every member is active and owns a share.
 *
 * <p>Layout under the configured path:
 * <ul>
 *   <li>{@code members/<member id>} — one ephemeral node per live member (Curator's
 *       {@link PersistentNode}, which recreates it after a new session);
 *   <li>{@code owners/<policy id>} — an ephemeral <em>claim</em> per owned policy, created by its
 *       owner's session: ZooKeeper guarantees at most one claim per policy at any time;
 *   <li>{@code state/<policy id>} — the policy's state ({@link #stateStore()}).
 * </ul>
 *
 * <p>Ownership. Each member computes, from the member list it sees, the rendezvous-hash winner of
 * every policy it was asked about ({@link Rendezvous}: deterministic, no writes, the fewest moves when
 * membership changes). A member <em>owns</em> a policy when it is the winner <em>and</em> holds the
 * claim: it creates the claim when free, and watches it when another member still holds it (the
 * previous winner deletes its claim as soon as it sees the new membership; a dead member's claims
 * vanish with its session). So two members whose views of the membership briefly differ can never both
 * own a policy.
 *
 * <p>Fencing. On {@link ConnectionState#SUSPENDED} this member stops evaluating and scaling at once
 * (its claims may be about to expire); on {@link ConnectionState#LOST} it drops every claim locally;
 * after {@link ConnectionState#RECONNECTED} it claims again. Right before a scale call,
 * {@link #mayScale} reads the claim from ZooKeeper (waiting at most a third of the session timeout)
 * and lets the call go only when its ephemeral owner is this session. What remains: the time between
 * that read and the target receiving the call. A process paused (GC, SIGSTOP) longer than the session
 * timeout inside that window can still send a call after another member took over — no lock service can close that without the target checking a
 * fencing token (see docs/ha.md).
 *
 * <p>Thread-safe. {@link #owns} never blocks: ZooKeeper calls run on this coordination's own thread.
 */
public final class ZooKeeperCoordination implements Coordination, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordination.class);

  /** What this member knows of its ZooKeeper session. */
  public enum State {
    /** Connected: evaluates and scales the policies it owns. */
    CONNECTED,
    /** The connection is down but the session may live: nothing is evaluated or scaled. */
    SUSPENDED,
    /** The session is gone: every policy was dropped until the member reconnects and claims again. */
    LOST
  }

  private final CuratorFramework client;
  private final boolean ownsClient;
  private final String memberId;
  private final String membersPath;
  private final String ownersPath;
  private final ZooKeeperStateStore store;
  private final ExecutorService worker;
  private final PersistentNode memberNode;
  private final CuratorCache membersCache;
  private final Duration sessionTimeout;

  private volatile State state = State.SUSPENDED;
  private volatile List<String> members = List.of();
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Set<String> watching = ConcurrentHashMap.newKeySet();
  /** Policies given up whose claim may still be ours in ZooKeeper (a delete that failed is retried). */
  private final Set<String> releasing = ConcurrentHashMap.newKeySet();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong gainedPolicies = new AtomicLong();
  private final AtomicLong droppedPolicies = new AtomicLong();
  private final AtomicLong fencedCalls = new AtomicLong();
  private volatile boolean closed;

  private ZooKeeperCoordination(Builder b) {
    this.ownsClient = b.client == null;
    this.client = ownsClient
        ? CuratorFrameworkFactory.builder().connectString(b.connectString)
            .sessionTimeoutMs((int) b.sessionTimeout.toMillis())
            .connectionTimeoutMs((int) Math.min(b.sessionTimeout.toMillis(), 15_000))
            .retryPolicy(new ExponentialBackoffRetry(200, 3)).build()
        : b.client;
    this.memberId = b.memberId;
    this.sessionTimeout = b.sessionTimeout;
    this.membersPath = ZNodeNames.child(b.path, "members");
    this.ownersPath = ZNodeNames.child(b.path, "owners");
    this.store = ZooKeeperStateStore.create(client, ZNodeNames.child(b.path, "state"));
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "capstan-ha-" + memberId);
      t.setDaemon(true);
      return t;
    });
    this.memberNode = new PersistentNode(client, CreateMode.EPHEMERAL, false,
        ZNodeNames.child(membersPath, ZNodeNames.of(memberId)), memberId.getBytes(StandardCharsets.UTF_8));
    this.membersCache = CuratorCache.build(client, membersPath);
    if (b.meterRegistry != null) {
      CoordinationMeters.bind(this, b.meterRegistry);
    }
  }

  /**
   * Returns a builder; give it {@link Builder#client} or {@link Builder#connectString}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Joins the group: starts the client (when this coordination created it), registers this member and
   * watches the others. Returns at once; ownership follows as ZooKeeper answers.
   *
   * @return this coordination
   */
  public ZooKeeperCoordination start() {
    client.getConnectionStateListenable().addListener((c, newState) -> onConnection(newState));
    if (ownsClient) {
      client.start();
    }
    if (client.getZookeeperClient().isConnected()) {
      state = State.CONNECTED;
    }
    membersCache.listenable().addListener(CuratorCacheListener.builder().forAll((type, old, data) -> onMembers()).build());
    membersCache.start();
    memberNode.start();
    return this;
  }

  /**
   * Returns this member's id (its node name under {@code members/}).
   *
   * @return the id
   */
  public String memberId() {
    return memberId;
  }

  /**
   * Returns what this member knows of its session.
   *
   * @return the state
   */
  public State state() {
    return state;
  }

  /**
   * Returns the live members as last seen, sorted.
   *
   * @return the member ids
   */
  public List<String> members() {
    return members;
  }

  /**
   * Returns the policies this member owns now (empty unless {@link State#CONNECTED}), sorted.
   *
   * @return their ids
   */
  public Set<String> owned() {
    return state == State.CONNECTED ? Set.copyOf(new TreeSet<>(held)) : Set.of();
  }

  /**
   * Returns how many times a policy was gained or dropped by this member.
   *
   * @return the count since start
   */
  public long ownershipChanges() {
    return gainedPolicies.get() + droppedPolicies.get();
  }

  /** Policies gained since start, for the meters. */
  long gainedPolicies() {
    return gainedPolicies.get();
  }

  /** Policies dropped since start, for the meters. */
  long droppedPolicies() {
    return droppedPolicies.get();
  }

  /**
   * Returns how many scale calls {@link #mayScale} refused.
   *
   * @return the count since start
   */
  public long fencedCalls() {
    return fencedCalls.get();
  }

  /**
   * Returns the state store that lives next to this group's ownership, under {@code <path>/state}.
   *
   * @return the store, through this coordination's client
   */
  public ZooKeeperStateStore stateStore() {
    return store;
  }

  /**
   * Calls {@code listener} (on this coordination's thread) after every change of membership,
   * connection state or owned policies; for health pages, metrics and tests.
   *
   * @param listener the callback; must not block
   */
  public void addListener(Runnable listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * {@inheritDoc} True only while connected, the winner of the policy's rendezvous hash and the holder
   * of its claim. A policy id seen for the first time is claimed in the background.
   */
  @Override
  public boolean owns(String policyId) {
    if (known.add(policyId)) {
      submit(() -> rebalance(policyId));
    }
    return state == State.CONNECTED && held.contains(policyId);
  }

  /**
   * {@inheritDoc} Reads the policy's claim from ZooKeeper: true only when it exists and its ephemeral
   * owner is this member's current session, and the connection is not suspended. The read must answer
   * within a third of the session timeout ({@link #fenceTimeout()}): a slower answer cannot vouch for a
   * session that may expire before the scale call lands. Every refusal counts in {@link #fencedCalls()}.
   *
   * @throws IllegalStateException when the claim could not be read in time or at all, naming why
   */
  @Override
  public boolean mayScale(String policyId) {
    if (state != State.CONNECTED || !held.contains(policyId)) {
      return fenced(policyId, "member '" + memberId + "' does not hold its claim");
    }
    long bound = fenceTimeout().toMillis();
    CompletableFuture<CuratorEvent> read = new CompletableFuture<>();
    Stat stat;
    try {
      client.checkExists().inBackground((c, event) -> read.complete(event)).forPath(claimOf(policyId));
      CuratorEvent event = read.get(bound, TimeUnit.MILLISECONDS);
      KeeperException.Code rc = KeeperException.Code.get(event.getResultCode());
      if (rc != KeeperException.Code.OK && rc != KeeperException.Code.NONODE) {
        throw new IllegalStateException(KeeperException.create(rc).getMessage());
      }
      stat = event.getStat();
    } catch (TimeoutException e) {
      fenced(policyId, "its claim could not be read within " + bound + " ms");
      throw new IllegalStateException("could not read the claim of policy '" + policyId + "' from ZooKeeper within "
          + bound + " ms (a third of the session timeout)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fenced(policyId, "interrupted while reading its claim");
      throw new IllegalStateException("interrupted while reading the claim of policy '" + policyId + "'", e);
    } catch (Exception e) {
      fenced(policyId, "its claim could not be read: " + e.getMessage());
      throw new IllegalStateException("could not read the claim of policy '" + policyId + "' from ZooKeeper: "
          + e.getMessage(), e);
    }
    if (stat == null || stat.getEphemeralOwner() != currentSession() || state != State.CONNECTED) {
      return fenced(policyId, "member '" + memberId + "' does not hold its claim");
    }
    return true;
  }

  /**
   * Returns how long {@link #mayScale} waits for its read of the claim: a third of the negotiated
   * session timeout (of the configured one before the first connection).
   *
   * @return the bound
   */
  public Duration fenceTimeout() {
    int negotiated = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    long session = negotiated > 0 ? negotiated : sessionTimeout.toMillis();
    return Duration.ofMillis(Math.max(1, session / 3));
  }

  private boolean fenced(String policyId, String why) {
    fencedCalls.incrementAndGet();
    LOG.warn("fenced a scale call of policy '{}': {}", policyId, why);
    return false;
  }

  /** Leaves the group: claims and the member node are deleted (with the session, if ours). */
  @Override
  public void close() {
    closed = true;
    List<String> release = List.copyOf(held);
    held.clear();
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    membersCache.close();
    try {
      memberNode.close();
    } catch (Exception e) {
      LOG.debug("closing the member node failed", e);
    }
    if (ownsClient) {
      client.close();
    } else if (state == State.CONNECTED) {
      // A shared client keeps its session: give our claims back explicitly. (Not while disconnected:
      // each call would wait for a connection, and a session that expires takes the claims along.)
      for (String id : release) {
        try {
          Stat stat = client.checkExists().forPath(claimOf(id));
          if (stat != null && stat.getEphemeralOwner() == sessionId()) {
            client.delete().forPath(claimOf(id));
          }
        } catch (Exception e) {
          LOG.debug("releasing the claim of '{}' failed", id, e);
        }
      }
    }
  }

  // ---- the coordination's own thread ----

  private void onConnection(ConnectionState newState) {
    switch (newState) {
      case SUSPENDED -> state = State.SUSPENDED;
      case LOST -> {
        // The session (and with it every claim) is gone or about to be: drop all before anyone else
        // can take them.
        state = State.LOST;
        changed(false, held.size());
        held.clear();
        watching.clear();
        releasing.clear();
      }
      case CONNECTED, RECONNECTED -> {
        state = State.CONNECTED;
        submit(this::rebalanceAll);
      }
      default -> { }
    }
    LOG.info("member '{}' is {} ({})", memberId, state, newState);
    notifyListeners();
  }

  private void onMembers() {
    List<String> now = new ArrayList<>();
    for (ChildData d : membersCache.stream().toList()) {
      String p = d.getPath();
      if (p.length() > membersPath.length() + 1 && p.startsWith(membersPath + "/")) {
        now.add(new String(d.getData() == null ? new byte[0] : d.getData(), StandardCharsets.UTF_8));
      }
    }
    now.removeIf(String::isEmpty);
    now.sort(null);
    if (!now.equals(members)) {
      members = List.copyOf(now);
      LOG.info("member '{}' sees members {}", memberId, members);
      submit(this::rebalanceAll);
    }
  }

  private void submit(Runnable task) {
    if (closed) {
      return;
    }
    try {
      worker.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("member '{}' failed to rebalance", memberId, e);
        }
      });
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }

  private void rebalanceAll() {
    for (String id : known) {
      rebalance(id);
    }
    notifyListeners();
  }

  /**
   * Claims or releases one policy to match the rendezvous winner; runs on the worker. Makes no
   * ZooKeeper call when nothing is to change (the winner holds it, or another member should), so a
   * membership change costs one call per policy that moves, not one per policy.
   */
  private void rebalance(String policyId) {
    if (state != State.CONNECTED || closed || client.getState() != CuratorFrameworkState.STARTED) {
      return;
    }
    boolean winner = Rendezvous.owner(members, policyId).filter(memberId::equals).isPresent();
    boolean holds = held.contains(policyId);
    if (winner ? holds || watching.contains(policyId) : !holds && !releasing.contains(policyId)) {
      return;
    }
    String claim = claimOf(policyId);
    boolean changed = false;
    try {
      if (winner) {
        boolean mine;
        try {
          client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
              .forPath(claim, memberId.getBytes(StandardCharsets.UTF_8));
          mine = true;
        } catch (KeeperException.NodeExistsException e) {
          // Another member's, or ours from a create whose answer was lost to a reconnection.
          Stat stat = client.checkExists().forPath(claim);
          mine = stat != null && stat.getEphemeralOwner() == sessionId();
        }
        if (mine) {
          changed = held.add(policyId);
          releasing.remove(policyId);
        } else {
          watch(policyId, claim);
        }
      } else {
        // Released locally first, so owns() and mayScale() say no before the claim goes.
        changed = held.remove(policyId);
        releasing.add(policyId);
        Stat stat = client.checkExists().forPath(claim);
        if (stat != null && stat.getEphemeralOwner() == sessionId()) {
          try {
            client.delete().withVersion(stat.getVersion()).forPath(claim);
          } catch (KeeperException.NoNodeException e) {
            // Gone already.
          }
        }
        releasing.remove(policyId);
      }
    } catch (Exception e) {
      LOG.warn("member '{}' could not settle the claim of policy '{}': {}", memberId, policyId, e.toString());
    }
    if (changed) {
      changed(held.contains(policyId), 1);
      LOG.debug("member '{}' {} policy '{}'", memberId, held.contains(policyId) ? "took" : "gave up", policyId);
      notifyListeners();
    }
  }

  /** Waits for another member's claim to go, then tries again. */
  private void watch(String policyId, String claim) throws Exception {
    if (!watching.add(policyId)) {
      return;
    }
    CuratorWatcher watcher = (WatchedEvent e) -> {
      if (e.getType() == Watcher.Event.EventType.None) {
        return;
      }
      watching.remove(policyId);
      submit(() -> rebalance(policyId));
    };
    Stat stat = client.checkExists().usingWatcher(watcher).forPath(claim);
    if (stat == null) {
      // Gone between our read and the watch: the watch fires on its creation, so retry now.
      watching.remove(policyId);
      submit(() -> rebalance(policyId));
    }
  }

  private void notifyListeners() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("coordination listener {} failed", l, e);
      }
    }
  }

  private String claimOf(String policyId) {
    return ZNodeNames.child(ownersPath, ZNodeNames.of(policyId));
  }

  private long sessionId() throws Exception {
    return client.getZookeeperClient().getZooKeeper().getSessionId();
  }

  /** This member's session id, or 0 (which owns no node) when the client cannot say. */
  private long currentSession() {
    try {
      return sessionId();
    } catch (Exception e) {
      return 0;
    }
  }

  /** Counts {@code n} policies gained or dropped. */
  private void changed(boolean gained, int n) {
    (gained ? gainedPolicies : droppedPolicies).addAndGet(n);
  }

  /**
   * Configures a {@link ZooKeeperCoordination}. Setters check their argument at once and name it.
   * Not thread-safe.
   */
  public static final class Builder {
    private CuratorFramework client;
    private String connectString;
    private String path = "/capstan";
    private String memberId = defaultMemberId();
    private Duration sessionTimeout = Duration.ofSeconds(10);
    private Object meterRegistry;

    private Builder() {}

    /**
     * Publishes this member's coordination meters to a Micrometer registry (Micrometer is an optional
     * dependency: without this call it need not be on the class path):
     * <ul>
     *   <li>{@code capstan.ha.ownership.changes} (counter, tag {@code change} = {@code gained} or
     *       {@code dropped}): policies this member took or gave up, one per policy;
     *   <li>{@code capstan.ha.fenced.calls} (counter): scale calls {@link ZooKeeperCoordination#mayScale}
     *       refused;
     *   <li>{@code capstan.ha.owned.policies} and {@code capstan.ha.members} (gauges): what
     *       {@link ZooKeeperCoordination#owned()} and {@link ZooKeeperCoordination#members()} say now.
     * </ul>
     *
     * @param registry the registry
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Uses an existing client (its session timeout is the one that counts); it stays the caller's to
     * start and close.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(CuratorFramework client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Creates an own client for {@code connectString}, closed with the coordination.
     *
     * @param connectString e.g. {@code "h1:2181,h2:2181,h3:2181"}
     * @return this builder
     * @throws IllegalArgumentException if it is blank
     */
    public Builder connectString(String connectString) {
      if (connectString == null || connectString.isBlank()) {
        throw new IllegalArgumentException("zookeeper was '" + connectString + "' but it must list host:port pairs");
      }
      this.connectString = connectString;
      return this;
    }

    /**
     * Sets the root of this group's nodes (default {@code /capstan}); members sharing policies share it.
     *
     * @param path an absolute ZooKeeper path
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code /} or ends with one
     */
    public Builder path(String path) {
      if (path == null || !path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
        throw new IllegalArgumentException("path was '" + path + "' but it must be an absolute ZooKeeper path");
      }
      this.path = path;
      return this;
    }

    /**
     * Sets this member's id (default {@code <host>-<pid>}); unique among the members.
     *
     * @param memberId the id
     * @return this builder
     * @throws IllegalArgumentException if it is blank
     */
    public Builder memberId(String memberId) {
      if (memberId == null || memberId.isBlank()) {
        throw new IllegalArgumentException("memberId was '" + memberId + "' but it must not be blank");
      }
      this.memberId = memberId;
      return this;
    }

    /**
     * Sets the session timeout of the client created for {@link #connectString} (default 10 s): a
     * killed member's policies move after about this long.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder sessionTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("session_timeout was '" + timeout + "' but it must be positive");
      }
      this.sessionTimeout = timeout;
      return this;
    }

    /**
     * Builds the coordination; call {@link ZooKeeperCoordination#start()} next.
     *
     * @return the coordination
     * @throws IllegalStateException if neither a client nor a connect string was given, or both
     */
    public ZooKeeperCoordination build() {
      if ((client == null) == (connectString == null)) {
        throw new IllegalStateException("give exactly one of client(...) and connectString(...)");
      }
      return new ZooKeeperCoordination(this);
    }

    private static String defaultMemberId() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "member";
      }
      return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
  }
}
