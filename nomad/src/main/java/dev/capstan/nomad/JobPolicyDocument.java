package dev.capstan.nomad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A job's scaling policy as Nomad answers {@code GET /v1/scaling/policy/:id}, rewritten as the JSON
 * form of a policy file, so that the policy file parser applies every rule to it exactly as to a file:
 *
 * <pre>{@code
 * {"scaling": {"<namespace>/<job>/<group>": {"enabled": true, "min": 1, "max": 10, "type": "horizontal",
 *                                             "policy": { ...the job's policy block... }}}}
 * }</pre>
 *
 * <p>On the way, as nomad-autoscaler's Nomad policy source does: a horizontal policy without a
 * {@code target} block gets {@code target "nomad"}; every target block gets the policy's
 * {@code Job}, {@code Group} and {@code Namespace} where it does not set them itself; a check with a
 * {@code query} but no {@code source} reads {@code nomad}. Nomad keeps a jobspec's numbers as floats ({@code 3.0}); a whole
 * one is written as an integer ({@code 3}), as the peer's {@code %v} formatting does, so it works where
 * a whole number is expected.
 *
 * @param origin {@code nomad scaling policy <ID>}: where messages say the policy came from; with the
 *     name it makes the policy's id, stable while Nomad keeps the ID and distinct from any file's
 * @param name {@code <namespace>/<job>/<group>}, or the ID when the target lacks one of them
 * @param text the policy file's JSON text
 */
record JobPolicyDocument(String origin, String name, String text) {
  /** Nomad's target keys of a task group policy, as its job target takes them. */
  static final List<String> TARGET_KEYS = List.of("Namespace", "Job", "Group");
  /** Whole floats up to 2^53 are exact in a double, so they are written as integers. */
  private static final double EXACT = 9_007_199_254_740_992d;

  /**
   * Rewrites one policy.
   *
   * @param policy the body of {@code GET /v1/scaling/policy/:id}
   * @param targetName the target a horizontal policy without a target block gets
   * @param checkSource the source a check without one gets
   */
  static JobPolicyDocument of(JsonNode policy, String targetName, String checkSource) {
    String id = policy.path("ID").asText("");
    JsonNode target = policy.path("Target");
    String namespace = target.path("Namespace").asText("");
    String job = target.path("Job").asText("");
    String group = target.path("Group").asText("");
    String name = namespace.isEmpty() || job.isEmpty() || group.isEmpty() ? id
        : namespace + "/" + job + "/" + group;
    String type = policy.path("Type").asText("");

    ObjectNode body = NomadClient.JSON.createObjectNode();
    body.put("enabled", policy.path("Enabled").asBoolean(true));
    for (String field : List.of("Min", "Max")) {
      if (policy.hasNonNull(field)) {
        body.set(field.toLowerCase(java.util.Locale.ROOT), wholeNumbers(policy.get(field)));
      }
    }
    if (!type.isEmpty()) {
      body.put("type", type);
    }
    JsonNode doc = policy.path("Policy");
    if (doc.isObject()) {
      ObjectNode copy = (ObjectNode) wholeNumbers(doc);
      Map<String, String> keys = new java.util.LinkedHashMap<>();
      for (String k : TARGET_KEYS) {
        if (target.hasNonNull(k)) {
          keys.put(k, target.get(k).asText());
        }
      }
      if (copy.has("target")) {
        bodies(copy.get("target"), t -> keys.forEach((k, v) -> {
          if (!t.has(k)) {
            t.put(k, v);
          }
        }));
      } else if (type.isEmpty() || type.equals("horizontal")) {
        ObjectNode t = NomadClient.JSON.createObjectNode();
        keys.forEach(t::put);
        copy.set("target", NomadClient.JSON.createObjectNode().set(targetName, t));
      }
      bodies(copy.path("check"), c -> {
        // A check without a query (fixed-value) reads no metric, so it gets no source either.
        if (!c.has("source") && c.hasNonNull("query")) {
          c.put("source", checkSource);
        }
      });
      body.set("policy", copy);
    }
    ObjectNode root = NomadClient.JSON.createObjectNode();
    root.set("scaling", NomadClient.JSON.createObjectNode().set(name, body));
    try {
      return new JobPolicyDocument("nomad scaling policy " + id, name, NomadClient.JSON.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /**
   * Visits the bodies of labelled blocks in either shape HCL's JSON takes: Nomad's list of
   * single-label maps of lists (<code>[{"cpu": [{...}]}]</code>) or a map of bodies
   * (<code>{"cpu": {...}}</code>).
   */
  private static void bodies(JsonNode blocks, Consumer<ObjectNode> visit) {
    for (JsonNode part : blocks.isArray() ? blocks : List.of(blocks)) {
      if (!part.isObject()) {
        continue;
      }
      for (JsonNode labelled : part) {
        for (JsonNode b : labelled.isArray() ? labelled : List.of(labelled)) {
          if (b.isObject()) {
            visit.accept((ObjectNode) b);
          }
        }
      }
    }
  }

  /** A deep copy with every whole float ({@code 3.0}) as an integer ({@code 3}). */
  private static JsonNode wholeNumbers(JsonNode node) {
    if (node.isFloatingPointNumber()) {
      double d = node.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < EXACT ? LongNode.valueOf((long) d) : node;
    }
    if (node.isObject()) {
      ObjectNode out = NomadClient.JSON.createObjectNode();
      node.properties().forEach(e -> out.set(e.getKey(), wholeNumbers(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NomadClient.JSON.createArrayNode();
      node.forEach(n -> out.add(wholeNumbers(n)));
      return out;
    }
    return node;
  }
}
