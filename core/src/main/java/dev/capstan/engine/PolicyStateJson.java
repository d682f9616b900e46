package dev.capstan.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.spi.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one JSON form of a {@link PolicyState}, shared by every store that writes it (files today;
 * any other store tomorrow), so a state field is added in one place and every store keeps it.
 * Fields a newer version adds are optional here, so older files still read. Public for stores in
 * other modules (ZooKeeper); not meant for embedders.
 */
public final class PolicyStateJson {
  private PolicyStateJson() {}

  /**
   * Writes {@code state}'s fields into {@code root}.
   *
   * @param state the state
   * @param root the object to add its fields to
   */
  public static void write(PolicyState state, ObjectNode root) {
    state.lastAction().ifPresent(a -> {
      ObjectNode last = root.putObject("lastAction");
      last.put("count", a.count());
      last.put("direction", a.direction().name());
      last.put("at", a.at().toString());
    });
    root.put("cooldownUntil", state.cooldownUntil().toString());
    if (state.unconfirmed()) {
      root.put("unconfirmed", true);
    }
    state.knownEvent().ifPresent(e -> root.put("knownEvent", e.toString()));
    state.override().ifPresent(o -> writeOverride(o, root.putObject("override")));
    if (!state.fallbacks().failures().isEmpty()) {
      ObjectNode failures = root.putObject("checkFailures");
      // Sorted, so the same state always writes the same bytes.
      new java.util.TreeMap<>(state.fallbacks().failures()).forEach(failures::put);
    }
    BehaviorHistory h = state.behavior();
    if (!h.equals(BehaviorHistory.EMPTY)) {
      ObjectNode behavior = root.putObject("behavior");
      ArrayNode recommendations = behavior.putArray("recommendations");
      h.recommendations().forEach(r -> recommendations.addObject().put("count", r.count()).put("at", r.at().toString()));
      events(behavior.putArray("scaleUps"), h.scaleUps());
      events(behavior.putArray("scaleDowns"), h.scaleDowns());
    }
  }

  /** Writes one override's fields into {@code node}; the agent's HTTP API answers with the same form. */
  static void writeOverride(OperatorOverride o, ObjectNode node) {
    node.put("kind", o.kind().jsonName());
    o.count().ifPresent(c -> node.put("count", c));
    o.until().ifPresent(u -> node.put("until", u.toString()));
    node.put("reason", o.reason());
    node.put("author", o.author());
    node.put("setAt", o.setAt().toString());
  }

  /**
   * Reads an override written by {@link #writeOverride}.
   *
   * @throws RuntimeException naming the missing or bad field
   */
  static OperatorOverride readOverride(JsonNode node) {
    JsonNode count = node.path("count");
    JsonNode until = node.path("until");
    return new OperatorOverride(OperatorOverride.Kind.valueOf(node.required("kind").asText().toUpperCase(Locale.ROOT)),
        count.isIntegralNumber() ? OptionalLong.of(count.asLong()) : OptionalLong.empty(),
        until.isTextual() ? Optional.of(Instant.parse(until.asText())) : Optional.empty(),
        node.path("reason").asText(""), node.path("author").asText(""),
        Instant.parse(node.path("setAt").asText(Instant.EPOCH.toString())));
  }

  private static void events(ArrayNode array, List<BehaviorHistory.ScaleEvent> events) {
    events.forEach(e -> array.addObject().put("change", e.change()).put("at", e.at().toString()));
  }

  private static List<BehaviorHistory.ScaleEvent> events(JsonNode array) {
    List<BehaviorHistory.ScaleEvent> events = new ArrayList<>();
    array.forEach(e -> events.add(new BehaviorHistory.ScaleEvent(e.required("change").asLong(),
        Instant.parse(e.required("at").asText()))));
    return events;
  }

  /**
   * Reads a state written by {@link #write}.
   *
   * @param root the object {@link #write} filled
   * @return the state
   * @throws RuntimeException naming the missing or bad field
   */
  public static PolicyState read(JsonNode root) {
    JsonNode last = root.path("lastAction");
    Optional<PolicyState.LastAction> lastAction = last.isObject()
        ? Optional.of(new PolicyState.LastAction(last.required("count").asLong(),
            Direction.valueOf(last.required("direction").asText()), Instant.parse(last.required("at").asText())))
        : Optional.empty();
    // Files written before these fields existed have neither: confirmed, no known event.
    JsonNode known = root.path("knownEvent");
    JsonNode override = root.path("override");
    Map<String, Integer> failures = new HashMap<>();
    root.path("checkFailures").properties().forEach(e -> failures.put(e.getKey(), e.getValue().asInt()));
    // Files written before behaviours existed, or by policies without one, have no history.
    JsonNode behavior = root.path("behavior");
    BehaviorHistory history = BehaviorHistory.EMPTY;
    if (behavior.isObject()) {
      List<BehaviorHistory.Recommendation> recommendations = new ArrayList<>();
      behavior.path("recommendations").forEach(r -> recommendations.add(new BehaviorHistory.Recommendation(
          r.required("count").asLong(), Instant.parse(r.required("at").asText()))));
      history = new BehaviorHistory(recommendations, events(behavior.path("scaleUps")),
          events(behavior.path("scaleDowns")));
    }
    return new PolicyState(lastAction, Instant.parse(root.required("cooldownUntil").asText()),
        root.path("unconfirmed").asBoolean(false),
        known.isTextual() ? Optional.of(Instant.parse(known.asText())) : Optional.empty(),
        override.isObject() ? Optional.of(readOverride(override)) : Optional.empty(), new CheckFallbacks(failures),
        history);
  }
}
