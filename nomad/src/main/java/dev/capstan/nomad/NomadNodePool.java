package dev.capstan.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.cluster.Allocation;
import dev.capstan.cluster.DrainSpec;
import dev.capstan.cluster.Node;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolException;
import dev.capstan.cluster.NodeStatus;
import dev.capstan.cluster.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link NodePool} over Nomad's node API.
 *
 * <ul>
 *   <li>{@link #nodes()} lists {@code /v1/nodes}, then reads each node ({@code GET /v1/node/:id}, the
 *       list carries no attributes) and its allocations. Total resources are
 *       {@code NodeResources - ReservedResources}; allocated ones sum the live (non-terminal)
 *       allocations, as nomad-autoscaler counts them.</li>
 *   <li>The instance id comes from the node's attributes, as nomad-autoscaler's cloud plug-ins find
 *       it: AWS {@code unique.platform.aws.instance-id}; GCE
 *       {@code zones/<platform.gce.zone>/instances/<unique.platform.gce.hostname up to the first dot>};
 *       Azure {@code unique.platform.azure.name} (attribute, else meta). {@code node_id_attribute}
 *       names another attribute instead.</li>
 *   <li>{@link #drain} sends Nomad's drain (deadline in ns, {@code IgnoreSystemJobs}, meta
 *       {@code drained_by = capstan}) and returns when the node itself reports the drain complete,
 *       watched with blocking queries (a vanished node's allocation list is {@code []}, so it proves
 *       nothing).</li>
 *   <li>{@link #setEligibility} with {@code true} on a draining node cancels the drain and marks it
 *       eligible (Nomad refuses plain eligibility there).</li>
 * </ul>
 * Every failure is a {@link NodePoolException} naming the node and quoting Nomad's answer.
 */
final class NomadNodePool implements NodePool {
  static final String NODE_ID_ATTRIBUTE = "node_id_attribute";
  private static final Set<String> CLIENT_TERMINAL = Set.of("complete", "failed", "lost");

  /** The environment variable Nomad sets in every task: the id of the allocation it runs in. */
  static final String ALLOC_ID_ENV = "NOMAD_ALLOC_ID";

  private final NomadClient client;
  private final Optional<String> idAttribute;
  private final Optional<String> allocId;
  /** The node {@link #allocId} runs on, once Nomad told us; an allocation never moves. */
  private volatile Optional<String> localNode = Optional.empty();

  // allocId: NOMAD_ALLOC_ID when this process runs as a Nomad task, else empty.
  NomadNodePool(NomadClient client, Optional<String> idAttribute, Optional<String> allocId) {
    this.client = client;
    this.idAttribute = idAttribute;
    this.allocId = allocId;
  }

  /**
   * Returns the node this agent runs on when it runs as a Nomad task: the {@code NodeID} of the
   * allocation {@code NOMAD_ALLOC_ID} names ({@code GET /v1/allocation/:id}), asked once and then
   * remembered. Outside Nomad (no {@code NOMAD_ALLOC_ID}) it is empty.
   *
   * @throws NodePoolException if {@code NOMAD_ALLOC_ID} is set but Nomad cannot say where it runs
   *     (unknown allocation, ACL, Nomad unreachable); nomad-autoscaler logs this and scales in
   *     unprotected, Capstan refuses until it knows
   */
  @Override
  public Optional<String> localNodeId() {
    if (allocId.isEmpty() || localNode.isPresent()) {
      return localNode;
    }
    String id = allocId.get();
    try {
      JsonNode alloc = client.get("/v1/allocation/" + encode(id), Map.of()).body();
      String node = alloc.path("NodeID").asText("");
      if (node.isEmpty()) {
        throw new NodePoolException("could not tell which Nomad node this agent runs on: allocation " + id
            + " (" + ALLOC_ID_ENV + ") has no NodeID");
      }
      localNode = Optional.of(node);
      return localNode;
    } catch (NomadApiException e) {
      String hint = e.status() == 404 ? " (" + ALLOC_ID_ENV + " names an allocation Nomad does not know)" : "";
      throw new NodePoolException("could not tell which Nomad node this agent runs on from " + ALLOC_ID_ENV + " '"
          + id + "': " + e.getMessage() + hint + "; scale-in waits until it can, so it never drains its own node", e);
    }
  }

  @Override
  public List<Node> nodes() {
    JsonNode list;
    try {
      list = client.get("/v1/nodes", Map.of()).body();
    } catch (NomadApiException e) {
      throw new NodePoolException("could not list Nomad's nodes: " + e.getMessage(), e);
    }
    List<Node> out = new ArrayList<>();
    for (JsonNode stub : list) {
      String id = stub.path("ID").asText();
      JsonNode full;
      JsonNode allocs;
      try {
        full = client.get("/v1/node/" + id, Map.of()).body();
        allocs = client.get("/v1/node/" + id + "/allocations", Map.of()).body();
      } catch (NomadApiException e) {
        if (e.status() == 404) {
          continue; // purged between the list and the read: no longer a node
        }
        throw new NodePoolException("could not read Nomad node " + id + ": " + e.getMessage(), e);
      }
      out.add(node(full, allocs));
    }
    return out;
  }

  /** Maps Nomad's node and allocation JSON. */
  Node node(JsonNode n, JsonNode allocs) {
    Node.Builder b = Node.builder().id(n.path("ID").asText())
        .nodeClass(n.path("NodeClass").asText(""))
        .datacenter(n.path("Datacenter").asText(""))
        .pool(n.path("NodePool").asText("default"))
        .status(status(n.path("Status").asText("")))
        .eligible(n.path("SchedulingEligibility").asText("").equals("eligible"))
        .draining(!n.path("DrainStrategy").isNull() && !n.path("DrainStrategy").isMissingNode()
            || n.path("Drain").asBoolean(false))
        .createIndex(n.path("CreateIndex").asLong());
    instanceId(n).ifPresent(b::instanceId);
    long cpu = 0;
    long mem = 0;
    for (JsonNode a : allocs) {
      boolean terminal = terminal(a);
      String type = a.path("Job").path("Type").asText("");
      b.allocation(new Allocation(a.path("ID").asText(), a.path("JobID").asText(),
          type.equals("system") || type.equals("sysbatch"), terminal));
      if (!terminal) {
        cpu += a.path("Resources").path("CPU").asLong();
        mem += a.path("Resources").path("MemoryMB").asLong();
      }
    }
    long totalCpu = n.path("NodeResources").path("Cpu").path("CpuShares").asLong()
        - n.path("ReservedResources").path("Cpu").path("CpuShares").asLong();
    long totalMem = n.path("NodeResources").path("Memory").path("MemoryMB").asLong()
        - n.path("ReservedResources").path("Memory").path("MemoryMB").asLong();
    return b.allocated(new Resources(cpu, mem)).total(new Resources(Math.max(0, totalCpu), Math.max(0, totalMem)))
        .build();
  }

  private Optional<String> instanceId(JsonNode n) {
    JsonNode attrs = n.path("Attributes");
    if (idAttribute.isPresent()) {
      return text(attrs, idAttribute.get());
    }
    Optional<String> aws = text(attrs, "unique.platform.aws.instance-id");
    if (aws.isPresent()) {
      return aws;
    }
    Optional<String> zone = text(attrs, "platform.gce.zone");
    Optional<String> host = text(attrs, "unique.platform.gce.hostname");
    if (zone.isPresent() && host.isPresent()) {
      String h = host.get();
      int dot = h.indexOf('.');
      return Optional.of("zones/" + zone.get() + "/instances/" + (dot < 0 ? h : h.substring(0, dot)));
    }
    Optional<String> azure = text(attrs, "unique.platform.azure.name");
    return azure.isPresent() ? azure : text(n.path("Meta"), "unique.platform.azure.name");
  }

  /**
   * Whether an allocation is terminal: its desired status is not {@code run}, or its client status is
   * complete, failed or lost (nomad-autoscaler's rule, shared with {@link NomadMetricSource}).
   */
  static boolean terminal(JsonNode alloc) {
    return !alloc.path("DesiredStatus").asText("run").equals("run")
        || CLIENT_TERMINAL.contains(alloc.path("ClientStatus").asText(""));
  }

  /** A path segment, URL-encoded. */
  static String encode(String segment) {
    return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Optional<String> text(JsonNode obj, String key) {
    JsonNode v = obj.path(key);
    return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static NodeStatus status(String s) {
    return switch (s) {
      case "ready" -> NodeStatus.READY;
      case "down" -> NodeStatus.DOWN;
      case "disconnected" -> NodeStatus.DISCONNECTED;
      default -> NodeStatus.INITIALIZING;
    };
  }

  @Override
  public void drain(String nodeId, DrainSpec spec) {
    Map<String, Object> drainSpec = new LinkedHashMap<>();
    drainSpec.put("Deadline", spec.deadline().toNanos());
    drainSpec.put("IgnoreSystemJobs", spec.ignoreSystemJobs());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("DrainSpec", drainSpec);
    body.put("MarkEligible", false);
    body.put("Meta", Map.of("drained_by", "capstan"));
    long index;
    try {
      index = client.write("POST", path(nodeId, "/drain"), Map.of(), body).index();
    } catch (NomadApiException e) {
      throw failure("drain of Nomad node " + nodeId + " could not start", e);
    }
    watchDrain(nodeId, index);
  }

  /** Follows the node itself until its drain strategy is gone, one blocking query per change. */
  private void watchDrain(String nodeId, long index) {
    long seen = index;
    while (true) {
      NomadClient.Reply reply;
      try {
        reply = client.block(path(nodeId, ""), Map.of(), seen);
      } catch (NomadApiException e) {
        if (e.status() == 404) {
          throw new NodePoolException("Nomad node " + nodeId + " vanished while draining: " + e.getMessage(), e);
        }
        throw failure("watching the drain of Nomad node " + nodeId + " failed", e);
      }
      JsonNode n = reply.body();
      JsonNode strategy = n.path("DrainStrategy");
      if (strategy.isNull() || strategy.isMissingNode()) {
        String last = n.path("LastDrain").path("Status").asText("complete");
        if (last.equals("canceled")) {
          throw new NodePoolException("the drain of Nomad node " + nodeId + " was canceled before it completed");
        }
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new NodePoolException("interrupted while Nomad node " + nodeId + " was draining");
      }
      // Nomad may answer a blocking query early with the same index; never go backwards.
      seen = Math.max(seen, reply.index());
    }
  }

  @Override
  public void setEligibility(String nodeId, boolean eligible) {
    try {
      if (eligible && draining(nodeId)) {
        Map<String, Object> cancel = new LinkedHashMap<>();
        cancel.put("DrainSpec", null);
        cancel.put("MarkEligible", true);
        client.write("POST", path(nodeId, "/drain"), Map.of(), cancel);
        return;
      }
      client.write("POST", path(nodeId, "/eligibility"), Map.of(),
          Map.of("Eligibility", eligible ? "eligible" : "ineligible"));
    } catch (NomadApiException e) {
      throw failure("marking Nomad node " + nodeId + (eligible ? " eligible" : " ineligible") + " failed", e);
    }
  }

  private boolean draining(String nodeId) {
    try {
      JsonNode s = client.get(path(nodeId, ""), Map.of()).body().path("DrainStrategy");
      return !s.isNull() && !s.isMissingNode();
    } catch (NomadApiException e) {
      if (e.status() == 404) {
        return false; // the eligibility call below reports Nomad's own "node not found"
      }
      throw e;
    }
  }

  @Override
  public void purge(String nodeId) {
    try {
      client.write("POST", path(nodeId, "/purge"), Map.of(), Map.of());
    } catch (NomadApiException e) {
      throw failure("purging Nomad node " + nodeId + " failed", e);
    }
  }

  private static String path(String nodeId, String sub) {
    return "/v1/node/" + java.net.URLEncoder.encode(nodeId, java.nio.charset.StandardCharsets.UTF_8) + sub;
  }

  private static NodePoolException failure(String what, NomadApiException e) {
    String hint = e.nomadText().contains("node not found") ? " (Nomad does not know the node: purged or never registered)"
        : e.status() == 403 ? " (the ACL token lacks node:write)" : "";
    return new NodePoolException(what + ": " + e.getMessage() + hint, e);
  }

  @Override
  public void close() {
    // java.net.http's client in Java 17 has nothing to close; its threads end when it is collected.
  }

  @Override
  public String toString() {
    return "NomadNodePool[" + client.config() + "]";
  }
}
