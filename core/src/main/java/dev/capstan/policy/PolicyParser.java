package dev.capstan.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.capstan.config.ConfigReader;
import dev.capstan.internal.Hcl;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Turns the text of a nomad-autoscaler policy file (HCL or its JSON form) into policies.
 *
 * <p>Both formats are first read into the same tree (maps, lists, strings, booleans and numbers);
 * the tree is then walked once, recording every problem, and each {@code scaling} block fills a
 * {@link ScalingPolicy.Builder} so that the value rules live only in {@link PolicyRules}.
 */
final class PolicyParser {
  static final Set<String> SCALING_ATTRIBUTES = Set.of("enabled", "min", "max", "type", "policy");
  static final Set<String> POLICY_ATTRIBUTES = Set.of("cooldown", "cooldown_on_scale_up",
      "evaluation_interval", "on_check_error", "schedule", "behavior", "lint", "check", "target");
  static final Set<String> SCHEDULE_ATTRIBUTES = Set.of("start", "end", "duration", "timezone");
  static final Set<String> BEHAVIOR_ATTRIBUTES = Set.of("scale_up", "scale_down");
  static final Set<String> RULES_ATTRIBUTES = Set.of("stabilization_window", "select", "rate", "projection");
  static final Set<String> RATE_ATTRIBUTES = Set.of("value", "period");
  static final Set<String> CHECK_ATTRIBUTES = Set.of("source", "query", "query_window",
      "query_window_offset", "group", "on_error", "demand", "strategy", "fallback", "schedule");
  /** nomad-autoscaler's {@code query_window} value for a query at one instant. */
  private static final String INSTANT = "instant";
  private static final Set<String> FALLBACK_ATTRIBUTES = Set.of("failures", "count", "behavior");
  private static final Set<String> LINT_ATTRIBUTES = Set.of("ignore");

  /** Stands in for a block that was present but unreadable; its problem is already recorded. */
  private static final PluginRef PLACEHOLDER = PluginRef.of("?", Map.of());
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern HCL_POSITION = Pattern.compile("line:? ?(\\d+),? col(?:umn)?:? ?(\\d+)");

  private final String origin;
  private final UnaryOperator<String> environment;
  private final List<String> problems = new ArrayList<>();

  private PolicyParser(String origin, UnaryOperator<String> environment) {
    this.origin = origin;
    this.environment = environment;
  }

  /**
   * Parses HCL, or JSON when the text starts with <code>{</code> (which HCL's top level cannot).
   *
   * @throws PolicyException naming every problem in the text
   */
  static List<ScalingPolicy> parse(String text, String origin) {
    return parse(text, origin, System::getenv);
  }

  /**
   * The same, resolving {@code env("NAME")} in target blocks with {@code environment} (tests give
   * their own; a JVM cannot set its environment).
   */
  static List<ScalingPolicy> parse(String text, String origin, UnaryOperator<String> environment) {
    String body = text.strip();
    if (body.isEmpty()) {
      throw new PolicyException(List.of(origin + ": the file is empty but it must hold at least one "
          + "scaling \"<name>\" { ... } block"));
    }
    Map<String, Object> tree = body.charAt(0) == '{' ? readJson(body, origin) : readHcl(body, origin);
    PolicyParser parser = new PolicyParser(origin, environment);
    List<ScalingPolicy> policies = parser.policies(tree);
    if (!parser.problems.isEmpty()) {
      throw new PolicyException(parser.problems);
    }
    return policies;
  }

  private static Map<String, Object> readHcl(String text, String origin) {
    HclBraces.check(text, origin);
    try {
      return Hcl.parse(text);
    } catch (Hcl.Problem e) {
      throw new PolicyException(origin + ":" + e.line() + ":" + e.column() + ": " + e.what(), e);
    } catch (IOException | RuntimeException | com.bertramlabs.plugins.hcl4j.HCLParserException e) {
      // hcl4j wraps its own exception in a RuntimeException; its message carries "line: L col: C".
      Throwable cause = e.getCause() != null && e.getMessage() != null && e.getMessage().equals(
          String.valueOf(e.getCause())) ? e.getCause() : e;
      String message = String.valueOf(cause.getMessage());
      Matcher m = HCL_POSITION.matcher(message);
      String position = m.find() ? ":" + m.group(1) + ":" + m.group(2) : "";
      throw new PolicyException(origin + position + ": malformed HCL: " + message, e);
    }
  }

  private static Map<String, Object> readJson(String text, String origin) {
    try {
      JsonNode root = JSON.readTree(text);
      Object tree = fromJson(root);
      if (!(tree instanceof Map<?, ?>)) {
        throw new PolicyException(List.of(origin + ": the JSON is not an object"));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) tree;
      return map;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String position = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new PolicyException(origin + position + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Converts Jackson's tree to plain maps and lists; numbers become {@link BigDecimal} as written. */
  private static @Nullable Object fromJson(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        map.put(e.getKey(), fromJson(e.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(fromJson(n)));
      return list;
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNull()) {
      return null;
    }
    return node.asText();
  }

  private List<ScalingPolicy> policies(Map<String, Object> tree) {
    for (String key : tree.keySet()) {
      if (!key.equals("scaling")) {
        problems.add(origin + ": " + key + " is not a known top-level block; a policy file holds only "
            + "scaling \"<name>\" { ... } blocks");
      }
    }
    Map<String, Object> scaling = labelled(tree.get("scaling"), "scaling", origin + ": ");
    if (scaling.isEmpty() && problems.isEmpty()) {
      problems.add(origin + ": the file holds no policy but it must hold at least one "
          + "scaling \"<name>\" { ... } block");
    }
    List<ScalingPolicy> policies = new ArrayList<>();
    scaling.forEach((name, body) -> {
      Map<String, Object> block = single(body, "the name", PolicyRules.where(origin, name),
          "policy names must be unique");
      if (block != null) {
        policy(name, block).ifPresent(policies::add);
      }
    });
    return policies;
  }

  private Optional<ScalingPolicy> policy(String name, Map<String, Object> block) {
    int before = problems.size();
    String at = PolicyRules.where(origin, name);
    ScalingPolicy.Builder b = ScalingPolicy.builder().origin(origin).name(name);
    rejectUnknown(block, SCALING_ATTRIBUTES, at, POLICY_ATTRIBUTES, "policy");
    ConfigReader r = reader(block, at, SCALING_ATTRIBUTES);
    // Only what the file says is set on the builder, so the policy knows which defaults it relies on.
    if (r.has("enabled")) {
      b.enabled(r.booleanValue("enabled", true));
    }
    if (r.has("min")) {
      b.min(r.longValue("min", 0));
    }
    if (r.has("max")) {
      // A max that does not parse is reported once, not again as "missing".
      b.max(r.optionalLong("max").orElse(Long.MAX_VALUE));
    }
    r.optionalString("type").ifPresent(b::type);
    report(r, at);

    if (!block.containsKey("policy")) {
      problems.add(at + "it has no policy block but it needs one: policy { check ... target ... }");
      placeholders(b, "?", true);
    } else {
      Map<String, Object> doc = single(block.get("policy"), "policy", at, "a scaling block has only one");
      if (doc == null) {
        placeholders(b, "?", true);
      } else {
        policyBlock(name, doc, b);
      }
    }
    problems.addAll(b.problems());
    return problems.size() > before ? Optional.empty() : Optional.of(b.build());
  }

  /**
   * Fills in stand-ins for blocks that were present but could not be read, so the shared rules do
   * not report them a second time as missing. A policy with a stand-in is never built.
   */
  private static void placeholders(ScalingPolicy.Builder b, @Nullable String check, boolean target) {
    if (check != null) {
      b.check(Check.placeholder(check, PLACEHOLDER));
    }
    if (target) {
      b.target(PLACEHOLDER);
    }
  }

  private void policyBlock(String name, Map<String, Object> doc, ScalingPolicy.Builder b) {
    String at = PolicyRules.where(origin, name);
    rejectUnknown(doc, POLICY_ATTRIBUTES, at, SCALING_ATTRIBUTES, "scaling");
    ConfigReader r = reader(doc, at, POLICY_ATTRIBUTES);
    r.optionalDuration("cooldown").ifPresent(b::cooldown);
    r.optionalDuration("cooldown_on_scale_up").ifPresent(b::cooldownOnScaleUp);
    r.optionalDuration("evaluation_interval").ifPresent(b::evaluationInterval);
    if (r.has("on_check_error")) {
      b.onCheckError(r.enumValue("on_check_error", OnError.class, OnError.IGNORE));
    }
    report(r, at);
    if (doc.containsKey("schedule")) {
      Map<String, Object> block = single(doc.get("schedule"), "schedule", at, "a policy block has only one");
      if (block != null) {
        schedule(block, at).ifPresent(b::schedule);
      }
    }
    if (doc.containsKey("behavior")) {
      Map<String, Object> block = single(doc.get("behavior"), "behavior", at, "a policy block has only one");
      if (block != null) {
        behavior(block, at).ifPresent(b::behavior);
      }
    }
    if (doc.containsKey("lint")) {
      Map<String, Object> block = single(doc.get("lint"), "lint", at, "a policy block has only one");
      if (block != null) {
        b.lintIgnored(lint(block, at));
      }
    }
    labelled(doc.get("check"), "check", at).forEach((checkName, body) -> {
      // Each copy of a repeated check is read, so PolicyRules reports the clash as for the builder.
      List<?> copies = body instanceof List<?> list ? list : List.of(body);
      for (Object copy : copies) {
        b.check(check(name, checkName, cast(copy)));
      }
    });
    if (doc.containsKey("target")) {
      b.target(plugin(doc.get("target"), "target", at).orElse(PLACEHOLDER));
    }
  }

  /** Reads a {@code lint { ignore = ["rule-id", ...] }} block: the lint rules the policy silences. */
  private Set<LintRule> lint(Map<String, Object> block, String at) {
    String where = at + "lint.";
    rejectUnknown(block, LINT_ATTRIBUTES, where, Set.of(), "");
    Object ignore = block.get("ignore");
    if (ignore == null) {
      return Set.of();
    }
    List<String> ids = Arrays.stream(LintRule.values()).map(LintRule::id).toList();
    if (!(ignore instanceof List<?> list)) {
      problems.add(where + "ignore " + (scalar(ignore) == null ? "is " + describe(ignore) : "was '" + scalar(ignore)
          + "'") + " but it must be a list of lint rule ids, e.g. [\"min-zero-without-demand\"]");
      return Set.of();
    }
    Set<LintRule> rules = EnumSet.noneOf(LintRule.class);
    for (Object item : list) {
      String id = scalar(item);
      Optional<LintRule> rule = id == null ? Optional.empty() : LintRule.ofId(id);
      if (rule.isPresent()) {
        rules.add(rule.get());
        continue;
      }
      String suggestion = id == null ? null : Suggestions.closest(id, Set.copyOf(ids));
      problems.add(where + "ignore was '" + (id == null ? describe(item) : id) + "' but it must name a lint rule ("
          + String.join(", ", ids) + ")" + (suggestion == null ? "" : "; did you mean " + suggestion + "?"));
    }
    return rules;
  }

  /** Reads a {@code schedule { ... }} block; its value rules live in {@link Schedule}. */
  private Optional<Schedule> schedule(Map<String, Object> block, String at) {
    String where = at + "schedule.";
    rejectUnknown(block, SCHEDULE_ATTRIBUTES, where, Set.of(), "");
    int before = problems.size();
    ConfigReader r = reader(block, where, SCHEDULE_ATTRIBUTES);
    Optional<String> start = r.optionalString("start");
    Optional<String> end = r.optionalString("end");
    Optional<Duration> duration = r.optionalDuration("duration");
    Optional<String> timezone = r.optionalString("timezone");
    report(r, where);
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.ofNullable(Schedule.of(start.orElse(null), end.orElse(null), duration.orElse(null),
        timezone.orElse(null), at, problems));
  }

  /**
   * Reads a {@code behavior { scale_up { ... } scale_down { ... } }} block; a direction or part left
   * out keeps Kubernetes' default, and the value rules live in {@link Behavior}.
   */
  private Optional<Behavior> behavior(Map<String, Object> block, String at) {
    String where = at + "behavior.";
    rejectUnknown(block, BEHAVIOR_ATTRIBUTES, where, Set.of(), "");
    Behavior behavior = Behavior.defaults();
    if (block.containsKey("scale_up")) {
      Behavior.Rules up = rules(block.get("scale_up"), Behavior.Rules.scaleUp(), where + "scale_up");
      behavior = up == null ? behavior : behavior.withScaleUp(up);
    }
    if (block.containsKey("scale_down")) {
      Behavior.Rules down = rules(block.get("scale_down"), Behavior.Rules.scaleDown(), where + "scale_down");
      behavior = down == null ? behavior : behavior.withScaleDown(down);
    }
    // Kept even with problems (unreadable parts left at their defaults), so the value rules in
    // Behavior report the rest of the block at once; a policy with a problem is never built.
    return Optional.of(behavior);
  }

  private Behavior.@Nullable Rules rules(@Nullable Object value, Behavior.Rules.Builder rules, String name) {
    Map<String, Object> block = single(value, name, "", "a behavior block has only one");
    if (block == null) {
      return null;
    }
    String where = name + ".";
    rejectUnknown(block, RULES_ATTRIBUTES, where, Set.of(), "");
    ConfigReader r = reader(block, where, RULES_ATTRIBUTES);
    r.optionalDuration("stabilization_window").ifPresent(rules::stabilizationWindow);
    if (r.has("select")) {
      rules.select(r.enumValue("select", Behavior.Select.class, Behavior.Select.MAX));
    }
    if (r.has("projection")) {
      rules.projection(r.booleanValue("projection", false));
    }
    report(r, where);
    labelled(block.get("rate"), "rate", where).forEach((type, body) -> {
      List<?> copies = body instanceof List<?> list ? list : List.of(body);
      for (Object copy : copies) {
        rate(type, cast(copy), where).ifPresent(rules::rate);
      }
    });
    return rules.build();
  }

  private Optional<Behavior.Rate> rate(String type, Map<String, Object> block, String at) {
    String where = at + "rate '" + type + "'.";
    Behavior.RateType rateType = switch (type) {
      case "count" -> Behavior.RateType.COUNT;
      case "percent" -> Behavior.RateType.PERCENT;
      default -> null;
    };
    if (rateType == null) {
      problems.add(at + "rate was '" + type + "' but it must be count or percent");
      return Optional.empty();
    }
    rejectUnknown(block, RATE_ATTRIBUTES, where, Set.of(), "");
    int before = problems.size();
    ConfigReader r = reader(block, where, RATE_ATTRIBUTES);
    OptionalLong value = r.optionalLong("value");
    Optional<Duration> period = r.optionalDuration("period");
    if (!r.has("value")) {
      problems.add(where + "value is required but was missing");
    }
    if (!r.has("period")) {
      problems.add(where + "period is required but was missing");
    }
    report(r, where);
    if (problems.size() > before || value.isEmpty() || period.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Behavior.Rate(rateType, value.getAsLong(), period.get()));
  }

  private Check check(String policy, String name, Map<String, Object> block) {
    String at = PolicyRules.where(origin, policy, name);
    rejectUnknown(block, CHECK_ATTRIBUTES, at, Set.of(), "");
    int before = problems.size();
    ConfigReader r = reader(block, at, CHECK_ATTRIBUTES);
    Check.Builder c = Check.builder().name(name);
    r.optionalString("source").ifPresent(c::source);
    r.optionalString("query").ifPresent(c::query);
    for (String given : List.of("source", "query")) {
      if (block.containsKey(given) && !r.has(given)) {
        // Present but not a plain value (already reported): not "missing" as well.
        if (given.equals("source")) {
          c.source("?");
        } else {
          c.query("?");
        }
      }
    }
    if (r.optionalString("query_window").filter(INSTANT::equals).isPresent()) {
      c.queryInstant();
    } else {
      r.optionalDuration("query_window").ifPresent(c::queryWindow);
    }
    r.optionalDuration("query_window_offset").ifPresent(c::queryWindowOffset);
    r.optionalString("group").ifPresent(c::group);
    if (r.has("on_error")) {
      c.onError(r.enumValue("on_error", OnError.class, OnError.IGNORE));
    }
    if (r.has("demand")) {
      c.demand(r.booleanValue("demand", false));
    }
    report(r, at);
    if (block.containsKey("schedule")) {
      Map<String, Object> body = single(block.get("schedule"), "schedule", at, "a check has only one");
      if (body != null) {
        schedule(body, at).ifPresent(c::schedule);
      }
    }
    if (block.containsKey("fallback")) {
      Map<String, Object> body = single(block.get("fallback"), "fallback", at, "a check has only one");
      if (body != null) {
        fallback(body, at).ifPresent(c::fallback);
      }
    }
    // A missing strategy stays unset, so PolicyRules reports it like a builder-made check.
    if (block.containsKey("strategy")) {
      c.strategy(plugin(block.get("strategy"), "strategy", at).orElse(PLACEHOLDER));
    }
    problems.addAll(c.problems(PolicyRules.where(origin, policy)));
    // A check with a problem becomes a stand-in: its policy is not built, but duplicate names are still found.
    return problems.size() > before ? Check.placeholder(name, PLACEHOLDER) : c.build();
  }

  /** Reads a {@code fallback { failures = N; count = M | behavior = "..." }} block; its rules live in {@link Fallback}. */
  private Optional<Fallback> fallback(Map<String, Object> block, String at) {
    String where = at + "fallback.";
    rejectUnknown(block, FALLBACK_ATTRIBUTES, where, Set.of(), "");
    int before = problems.size();
    ConfigReader r = reader(block, where, FALLBACK_ATTRIBUTES, name -> false);
    if (!r.has("failures")) {
      r.problem("failures", "must be given (the consecutive failures after which the check votes its fallback)");
    }
    long failures = r.longValue("failures", 1);
    OptionalLong count = r.optionalLong("count");
    Fallback.Behavior behavior = r.enumValue("behavior", Fallback.Behavior.class, Fallback.Behavior.STATIC);
    report(r, where);
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      return Optional.of(Fallback.of((int) Math.min(Integer.MAX_VALUE, failures), behavior, count));
    } catch (IllegalArgumentException e) {
      problems.add(at + e.getMessage());
      return Optional.empty();
    }
  }

  /** Reads a {@code strategy "<name>" { ... }} or {@code target "<name>" { ... }} block. */
  private Optional<PluginRef> plugin(@Nullable Object value, String kind, String at) {
    int before = problems.size();
    Map<String, Object> named = labelled(value, kind, at);
    if (named.size() != 1) {
      if (named.isEmpty() && problems.size() == before) {
        problems.add(at + kind + " is empty but it needs a name: " + kind + " \"<name>\" { ... }");
      } else if (!named.isEmpty()) {
        problems.add(at + "it has " + named.size() + " " + kind + " blocks (" + String.join(", ", named.keySet())
            + ") but it needs exactly one");
      }
      return Optional.empty();
    }
    Map.Entry<String, Object> e = named.entrySet().iterator().next();
    String where = at + kind + " '" + e.getKey() + "': ";
    Map<String, Object> body = single(e.getValue(), "the block", where, "it needs exactly one");
    if (body == null) {
      return Optional.empty();
    }
    Map<String, String> config = new LinkedHashMap<>();
    Set<String> secrets = new HashSet<>();
    body.forEach((k, v) -> {
      if (v instanceof Hcl.Reference ref && kind.equals("target")) {
        // A secret by reference, resolved now (and at every reload): the message names the key, never a value.
        try {
          config.put(k, ref.resolve(environment));
          secrets.add(k);
        } catch (IllegalArgumentException missing) {
          problems.add(where + k + " = " + missing.getMessage());
        }
        return;
      }
      String text = scalar(v);
      if (text == null) {
        problems.add(where + k + " " + notScalar(v));
      } else {
        config.put(k, text);
      }
    });
    return Optional.of(new PluginRef(e.getKey(), config, secrets));
  }

  /**
   * Returns the blocks under a labelled block type by label. hcl4j gives {@code label -> body} and a
   * list of bodies for a repeated label; HCL's JSON form may also give a list of such maps.
   */
  private Map<String, Object> labelled(@Nullable Object value, String kind, String at) {
    if (value == null) {
      return Map.of();
    }
    List<?> parts = value instanceof List<?> list ? list : List.of(value);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object part : parts) {
      if (!(part instanceof Map<?, ?> map)) {
        problems.add(at + kind + " must be a block: " + kind + " \"<name>\" { ... }");
        continue;
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String label = String.valueOf(e.getKey());
        if (!(e.getValue() instanceof Map<?, ?>) && !(e.getValue() instanceof List<?> l && isBlockList(l))) {
          problems.add(at + kind + " blocks need a name: " + kind + " \"<name>\" { ... } (found attribute "
              + label + " directly inside " + kind + ")");
          continue;
        }
        out.merge(label, e.getValue(), PolicyParser::repeat);
      }
    }
    return out;
  }

  private static Object repeat(Object first, Object second) {
    List<Object> all = new ArrayList<>();
    for (Object o : List.of(first, second)) {
      if (o instanceof List<?> l) {
        all.addAll(l);
      } else {
        all.add(o);
      }
    }
    return all;
  }

  private static boolean isBlockList(List<?> list) {
    return !list.isEmpty() && list.stream().allMatch(Map.class::isInstance);
  }

  /** Returns the one body of a block, or records why there is not exactly one. */
  private @Nullable Map<String, Object> single(@Nullable Object value, String block, String at, String rule) {
    if (value instanceof List<?> list && isBlockList(list)) {
      if (list.size() == 1) {
        return cast(list.get(0));
      }
      problems.add(at + block + " is defined " + list.size() + " times but " + rule);
      return null;
    }
    if (value instanceof Map<?, ?>) {
      return cast(value);
    }
    problems.add(at + block + " must be a block { ... } but it is " + describe(value));
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object map) {
    return (Map<String, Object>) map;
  }

  /** Builds a reader over the block's plain attributes; values that are not plain are reported here. */
  private ConfigReader reader(Map<String, Object> block, String at, Set<String> known) {
    return reader(block, at, known, PolicyParser::isBlock);
  }

  /**
   * The same, where {@code blockHere} says which names are blocks at this level: a {@code fallback}'s
   * {@code behavior} is a plain attribute, a policy's {@code behavior} a block.
   */
  private ConfigReader reader(Map<String, Object> block, String at, Set<String> known,
      java.util.function.Predicate<String> blockHere) {
    Map<String, String> scalars = new LinkedHashMap<>();
    block.forEach((k, v) -> {
      if (!known.contains(k) || blockHere.test(k)) {
        return;
      }
      String text = scalar(v);
      if (text == null) {
        problems.add(at + k + " " + notScalar(v));
      } else {
        scalars.put(k, text);
      }
    });
    return ConfigReader.of(scalars, at);
  }

  private static boolean isBlock(String attribute) {
    return switch (attribute) {
      case "policy", "check", "target", "strategy", "schedule", "fallback", "behavior", "scale_up", "scale_down",
          "rate", "lint" -> true;
      default -> false;
    };
  }

  private void report(ConfigReader r, String at) {
    r.problems().forEach(p -> problems.add(at + p));
  }

  private void rejectUnknown(Map<String, Object> block, Set<String> known, String at, Set<String> elsewhere,
      String elsewhereBlock) {
    for (String key : block.keySet()) {
      if (known.contains(key)) {
        continue;
      }
      if (elsewhere.contains(key)) {
        problems.add(at + key + " is not a known attribute here; it belongs in the " + elsewhereBlock + " block");
        continue;
      }
      String suggestion = Suggestions.closest(key, known);
      problems.add(at + key + " is not a known attribute; " + (suggestion != null
          ? "did you mean " + suggestion + "?"
          : "known attributes are " + known.stream().sorted().collect(Collectors.joining(", "))));
    }
  }

  /** Renders a literal as the user wrote it; {@code null} when the value is not a literal. */
  static @Nullable String scalar(@Nullable Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Boolean bool) {
      return bool.toString();
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Double d && Double.isFinite(d)) {
      // hcl4j reads every number as a double; print whole numbers without ".0" as they were written.
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString(d.longValue());
      }
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return null;
  }

  private static String notScalar(@Nullable Object value) {
    if (value instanceof Hcl.Reference ref) {
      return "is " + ref + " but a secret reference may stand only in a target block";
    }
    if (value == null) {
      return "has no value but it needs a string, number or boolean";
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return "is " + describe(value) + " but it must be a string, number or boolean";
    }
    return "was '" + value + "' but it must be a string, number or boolean (quote strings: \"" + value + "\")";
  }

  private static String describe(@Nullable Object value) {
    if (value instanceof Map<?, ?>) {
      return "a block";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    String text = scalar(value);
    return value == null ? "empty" : "'" + (text == null ? value : text) + "'";
  }
}
