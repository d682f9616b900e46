package dev.capstan.ha.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.engine.PolicyState;
import dev.capstan.engine.PolicyStateJson;
import dev.capstan.engine.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A {@link StateStore} in ZooKeeper: one node per policy, {@code <path>/<policy id>}, holding the same
 * JSON a {@link dev.capstan.engine.FileStateStore} file holds (the state through {@link PolicyStateJson},
 * plus the opaque entries such as the cluster scale-in journal), so the member that takes a policy over
 * resumes its remaining cooldown and its half-finished scale-in.
 *
 * <p>Every write is conditional on the node's version last seen by this store: {@link #load} reads the
 * node (and its version) afresh, and a save, put or remove succeeds only if nobody wrote the node
 * since. A write that loses the race fails with an {@link UncheckedIOException} saying so (the engine
 * then does not call the target) and forgets what it cached, so the next {@link #load} reads the
 * winner's state. Two members can therefore never clobber each other's state. A node is at most
 * {@link #MAX_BYTES} long, far below ZooKeeper's 1 MB default node limit ({@code jute.maxbuffer}); a
 * larger write is refused before it is sent. Thread-safe.
 */
public final class ZooKeeperStateStore implements StateStore {
  /** The largest node this store writes: 64 KiB. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CuratorFramework client;
  private final String path;
  private final Map<String, Node> cache = new ConcurrentHashMap<>();

  /** What one node held when last read or written; guarded by its own monitor. */
  private static final class Node {
    PolicyState state = PolicyState.INITIAL;
    Map<String, String> extra = new LinkedHashMap<>();
    /** The node's version, or -1 when it does not exist. */
    int version = -1;
  }

  private ZooKeeperStateStore(CuratorFramework client, String path) {
    this.client = client;
    this.path = path;
  }

  /**
   * Returns a store under {@code path}, written through {@code client}; nodes and missing parents are
   * created on first write.
   *
   * @param client a started client; stays the caller's to close
   * @param path an absolute ZooKeeper path, e.g. {@code "/capstan/prod/state"}
   * @return the store
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   */
  public static ZooKeeperStateStore create(CuratorFramework client, String path) {
    Objects.requireNonNull(client, "client");
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path was '" + path + "' but it must be an absolute ZooKeeper path");
    }
    return new ZooKeeperStateStore(client, path);
  }

  /** The client this store writes through (for the coordination's own use and tests). */
  CuratorFramework client() {
    return client;
  }

  /**
   * Returns the node that holds a policy's state.
   *
   * @param policyId the policy's id
   * @return its absolute path
   */
  public String pathOf(String policyId) {
    return ZNodeNames.child(path, ZNodeNames.of(policyId));
  }

  /**
   * {@inheritDoc} Always reads the node, so a policy taken over from another member starts from what
   * that member wrote last.
   *
   * @throws UncheckedIOException if ZooKeeper cannot be read or the node is not a valid state
   */
  @Override
  public PolicyState load(String policyId) {
    Node node = refresh(policyId);
    synchronized (node) {
      return node.state;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws UncheckedIOException also when another member wrote the state since this one read it
   */
  @Override
  public void save(String policyId, PolicyState state) {
    Objects.requireNonNull(state, "state");
    Node node = cached(policyId);
    synchronized (node) {
      write(policyId, node, state, node.extra);
    }
  }

  /**
   * {@inheritDoc} Reads the node afresh.
   *
   * @throws UncheckedIOException if ZooKeeper cannot be read
   */
  @Override
  public Optional<String> get(String policyId, String key) {
    Node node = refresh(policyId);
    synchronized (node) {
      return Optional.ofNullable(node.extra.get(key));
    }
  }

  @Override
  public void put(String policyId, String key, String json) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(json, "json");
    Node node = cached(policyId);
    synchronized (node) {
      Map<String, String> extra = new LinkedHashMap<>(node.extra);
      extra.put(key, json);
      write(policyId, node, node.state, extra);
    }
  }

  @Override
  public void remove(String policyId, String key) {
    Node node = cached(policyId);
    synchronized (node) {
      if (!node.extra.containsKey(key)) {
        return;
      }
      Map<String, String> extra = new LinkedHashMap<>(node.extra);
      extra.remove(key);
      write(policyId, node, node.state, extra);
    }
  }

  private Node cached(String policyId) {
    Node node = cache.get(policyId);
    return node != null ? node : refresh(policyId);
  }

  /** Reads the node into the cache (replacing what was there) and returns the cache's entry. */
  private Node refresh(String policyId) {
    String at = pathOf(policyId);
    Node fresh = new Node();
    Stat stat = new Stat();
    byte[] bytes;
    try {
      bytes = client.getData().storingStatIn(stat).forPath(at);
    } catch (KeeperException.NoNodeException e) {
      bytes = null;
    } catch (Exception e) {
      throw new UncheckedIOException("cannot read policy state " + at + " from ZooKeeper: " + e, new IOException(e));
    }
    if (bytes != null) {
      try {
        JsonNode root = JSON.readTree(bytes);
        fresh.state = PolicyStateJson.read(root);
        for (Map.Entry<String, JsonNode> e : root.path("entries").properties()) {
          fresh.extra.put(e.getKey(), e.getValue().asText());
        }
        fresh.version = stat.getVersion();
      } catch (IOException | RuntimeException e) {
        throw new UncheckedIOException("policy state " + at + " in ZooKeeper is not valid: " + e.getMessage()
            + " (delete the node to forget this policy's cooldown)", new IOException(e));
      }
    }
    Node node = cache.computeIfAbsent(policyId, id -> new Node());
    synchronized (node) {
      node.state = fresh.state;
      node.extra = fresh.extra;
      node.version = fresh.version;
    }
    return node;
  }

  /** Writes conditionally on {@code node.version}; on success the node holds what was written. */
  private void write(String policyId, Node node, PolicyState state, Map<String, String> extra) {
    String at = pathOf(policyId);
    ObjectNode root = JSON.createObjectNode();
    root.put("policyId", policyId);
    PolicyStateJson.write(state, root);
    ObjectNode entries = root.putObject("entries");
    extra.forEach(entries::put);
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode policy state " + at + ": " + e.getMessage(), e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new UncheckedIOException(new IOException("policy state " + at + " was " + bytes.length
          + " bytes but it must be at most " + MAX_BYTES + " (ZooKeeper nodes are meant to be small)"));
    }
    int version;
    try {
      if (node.version < 0) {
        client.create().creatingParentContainersIfNeeded().forPath(at, bytes);
        version = 0;
      } else {
        version = client.setData().withVersion(node.version).forPath(at, bytes).getVersion();
      }
    } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      // Someone else wrote (or removed) the node since we read it: never overwrite their state.
      cache.remove(policyId, node);
      throw new UncheckedIOException(new IOException("policy state " + at
          + " was changed by another writer since this member read it (version "
          + (node.version < 0 ? "none" : String.valueOf(node.version)) + "); not overwritten", e));
    } catch (Exception e) {
      throw new UncheckedIOException("cannot write policy state " + at + " to ZooKeeper: " + e, new IOException(e));
    }
    node.state = state;
    node.extra = extra;
    node.version = version;
  }
}
