package dev.capstan.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.config.ConfigReader;
import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.OperatorOverride;
import dev.capstan.policy.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@code GET/PUT/DELETE /v1/policy/{id}/override}: an operator's override of one policy, as JSON. The
 * path names a policy by id or, when it is unique, by name. Answers are {@link Answer}s; the HTTP
 * server only moves bytes.
 */
final class OverrideApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The engine in force: an agent rebuilds it when a reload recreates plug-ins. */
  private final Supplier<Autoscaler> engine;

  OverrideApi(Autoscaler autoscaler) {
    this(() -> autoscaler);
  }

  OverrideApi(Supplier<Autoscaler> engine) {
    this.engine = engine;
  }

  /** A status code and a JSON body. */
  record Answer(int status, String json) {}

  Answer handle(String method, String policy, String body) {
    Autoscaler autoscaler = engine.get();
    List<ScalingPolicy> matches = autoscaler.policies().stream()
        .filter(p -> p.id().equals(policy) || p.name().equals(policy)).toList();
    if (matches.isEmpty()) {
      return error(404, "no policy has the id or name '" + policy + "'");
    }
    if (matches.size() > 1) {
      return error(409, "policy name '" + policy + "' is ambiguous; use one of the ids "
          + matches.stream().map(ScalingPolicy::id).toList());
    }
    ScalingPolicy p = matches.get(0);
    return switch (method) {
      case "GET" -> answer(200, p, autoscaler.override(p.id()), Optional.empty());
      case "DELETE" -> answer(200, p, Optional.empty(), autoscaler.clearOverride(p.id()));
      case "PUT" -> put(p, body);
      default -> error(405, method + " is not allowed; use GET, PUT or DELETE");
    };
  }

  private Answer put(ScalingPolicy p, String body) {
    Autoscaler autoscaler = engine.get();
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return error(400, "the body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      return error(400, "the body must be a JSON object such as {\"kind\": \"pause_scale_in\", \"for\": \"2h\"}");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    root.properties().forEach(e -> fields.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : null));
    fields.values().removeIf(v -> v == null);
    // An empty reason or author is as good as none.
    fields.entrySet().removeIf(e -> e.getValue().isEmpty() && (e.getKey().equals("reason") || e.getKey().equals("author")));
    ConfigReader r = ConfigReader.of(fields, "override");
    if (!r.has("kind")) {
      r.problem("kind", "must be given: pause_scale_in, pause_scale_out, pause or hold");
    }
    OperatorOverride.Kind kind = r.enumValue("kind", OperatorOverride.Kind.class, OperatorOverride.Kind.PAUSE);
    OptionalLong count = r.optionalLong("count");
    Optional<Duration> lasting = r.optionalDuration("for");
    Optional<String> untilText = r.optionalString("until");
    String reason = r.string("reason", "");
    String author = r.string("author", "");
    r.rejectUnknownKeys();
    Optional<Instant> until = Optional.empty();
    if (untilText.isPresent()) {
      try {
        until = Optional.of(Instant.parse(untilText.get()));
      } catch (DateTimeParseException e) {
        r.problem("until", "must be an ISO-8601 instant such as 2026-05-04T09:00:00Z");
      }
    }
    if (lasting.isPresent() && untilText.isPresent()) {
      r.problem("for and until exclude each other; give one");
    }
    if (kind == OperatorOverride.Kind.HOLD && count.isEmpty()) {
      r.problem("count", "must be given to hold");
    } else if (kind != OperatorOverride.Kind.HOLD && count.isPresent()) {
      r.problem("count", "must only be given with kind hold");
    }
    if (!r.problems().isEmpty()) {
      return error(400, String.join("; ", r.problems()));
    }
    try {
      OperatorOverride o = (kind == OperatorOverride.Kind.HOLD ? OperatorOverride.hold(count.getAsLong())
          : OperatorOverride.of(kind)).withReason(reason).withAuthor(author);
      if (until.isPresent()) {
        o = o.endingAt(until.get());
      }
      Optional<OperatorOverride> before = lasting.isPresent() ? autoscaler.overrideFor(p.id(), o, lasting.get())
          : autoscaler.override(p.id(), o);
      return answer(200, p, autoscaler.override(p.id()), before);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
  }

  private static Answer answer(int status, ScalingPolicy p, Optional<OperatorOverride> now,
      Optional<OperatorOverride> before) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("policy", p.id());
    out.put("name", p.name());
    out.put("override", now.map(OverrideApi::toMap).orElse(null));
    before.ifPresent(b -> out.put("previous", toMap(b)));
    return new Answer(status, Json.write(out));
  }

  static Map<String, Object> toMap(OperatorOverride o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", o.kind().jsonName());
    o.count().ifPresent(c -> m.put("count", c));
    o.until().ifPresent(u -> m.put("until", u.toString()));
    m.put("reason", o.reason());
    m.put("author", o.author());
    m.put("set_at", o.setAt().toString());
    m.put("description", o.describe());
    return m;
  }

  private static Answer error(int status, String message) {
    return new Answer(status, Json.write(Map.of("error", message)));
  }
}
