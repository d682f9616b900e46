package dev.capstan.config;

import dev.capstan.spi.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads typed values out of a {@code Map<String,String>} configuration, collecting every problem and
 * throwing once.
 *
 * <p>Each getter records a problem instead of throwing and returns a harmless placeholder, so one
 * pass finds every bad key. Call {@link #validate()} at the end; it throws a {@link ConfigException}
 * listing them all, each in the form {@code "<key> was '<value>' but it <rule>"}:
 *
 * <pre>{@code
 * ConfigReader r = ConfigReader.of(config, "target-value strategy");
 * double target = r.requiredDouble("target");
 * double threshold = r.doubleValue("threshold", 0.01);
 * if (threshold < 0) r.problem("threshold", "must be at least 0");
 * r.rejectUnknownKeys();
 * r.validate();
 * }</pre>
 *
 * <p>Not thread-safe; use one reader per configuration, once.
 */
public final class ConfigReader {
  private final Map<String, String> config;
  private final String context;
  private final Set<String> read = new LinkedHashSet<>();
  private final Set<String> prefixes = new LinkedHashSet<>();
  private final List<String> problems = new ArrayList<>();

  private ConfigReader(Map<String, String> config, String context) {
    this.config = Objects.requireNonNull(config, "config");
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * Returns a reader over {@code config}.
   *
   * @param config the raw key/value configuration
   * @param context what is being configured, used in the exception, e.g. {@code "aws-asg target"}
   * @return a new reader
   */
  public static ConfigReader of(Map<String, String> config, String context) {
    return new ConfigReader(config, context);
  }

  /**
   * Returns whether the key is present (even if blank).
   *
   * @param key the key
   * @return {@code true} if the configuration holds it
   */
  public boolean has(String key) {
    read.add(key);
    return config.containsKey(key);
  }

  /**
   * Returns a required string.
   *
   * @param key the key
   * @return its value, or {@code ""} after recording a problem when missing or blank
   */
  public String requiredString(String key) {
    return raw(key, true).orElse("");
  }

  /**
   * Returns an optional string.
   *
   * @param key the key
   * @return its value, empty when absent
   */
  public Optional<String> optionalString(String key) {
    return raw(key, false);
  }

  /**
   * Returns a string or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public String string(String key, String defaultValue) {
    return raw(key, false).orElse(defaultValue);
  }

  /**
   * Returns a required whole number.
   *
   * @param key the key
   * @return its value, or 0 after recording a problem
   */
  public long requiredLong(String key) {
    return raw(key, true).map(v -> parseLong(key, v)).orElse(0L);
  }

  /**
   * Returns an optional whole number.
   *
   * @param key the key
   * @return its value, empty when absent or after recording a problem
   */
  public OptionalLong optionalLong(String key) {
    Optional<String> v = raw(key, false);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    int before = problems.size();
    long parsed = parseLong(key, v.get());
    return problems.size() == before ? OptionalLong.of(parsed) : OptionalLong.empty();
  }

  /**
   * Returns a whole number or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public long longValue(String key, long defaultValue) {
    return raw(key, false).map(v -> parseLong(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a required number.
   *
   * @param key the key
   * @return its value, or 0 after recording a problem
   */
  public double requiredDouble(String key) {
    return raw(key, true).map(v -> parseDouble(key, v)).orElse(0.0);
  }

  /**
   * Returns an optional number.
   *
   * @param key the key
   * @return its value, empty when absent or after recording a problem
   */
  public OptionalDouble optionalDouble(String key) {
    Optional<String> v = raw(key, false);
    if (v.isEmpty()) {
      return OptionalDouble.empty();
    }
    int before = problems.size();
    double parsed = parseDouble(key, v.get());
    return problems.size() == before ? OptionalDouble.of(parsed) : OptionalDouble.empty();
  }

  /**
   * Returns a number or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public double doubleValue(String key, double defaultValue) {
    return raw(key, false).map(v -> parseDouble(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a required boolean: {@code true}/{@code false} (any case), {@code t}/{@code f} or
   * {@code 1}/{@code 0}, as Go's {@code strconv.ParseBool} accepts.
   *
   * @param key the key
   * @return its value, or {@code false} after recording a problem
   */
  public boolean requiredBoolean(String key) {
    return raw(key, true).map(v -> parseBoolean(key, v)).orElse(false);
  }

  /**
   * Returns a boolean or a default; see {@link #requiredBoolean} for the accepted forms.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public boolean booleanValue(String key, boolean defaultValue) {
    return raw(key, false).map(v -> parseBoolean(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a required Go duration such as {@code "90s"} or {@code "1h30m"} (see {@link Durations}).
   *
   * @param key the key
   * @return its value, or zero after recording a problem
   */
  public Duration requiredDuration(String key) {
    return raw(key, true).map(v -> parseDuration(key, v)).orElse(Duration.ZERO);
  }

  /**
   * Returns an optional Go duration.
   *
   * @param key the key
   * @return its value, empty when absent or after recording a problem
   */
  public Optional<Duration> optionalDuration(String key) {
    Optional<String> v = raw(key, false);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    int before = problems.size();
    Duration parsed = parseDuration(key, v.get());
    return problems.size() == before ? Optional.of(parsed) : Optional.empty();
  }

  /**
   * Returns a Go duration or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public Duration duration(String key, Duration defaultValue) {
    return raw(key, false).map(v -> parseDuration(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a positive Go duration or a default; zero and negative values are problems.
   *
   * @param key the key
   * @param defaultValue used when the key is absent
   * @return the value or the default
   */
  public Duration positiveDuration(String key, Duration defaultValue) {
    Optional<Duration> d = optionalDuration(key);
    if (d.isPresent() && (d.get().isNegative() || d.get().isZero())) {
      problem(key, "must be a positive duration");
      return defaultValue;
    }
    return d.orElse(defaultValue);
  }

  /**
   * Returns an optional absolute http or https URL with a host, e.g. a plug-in's endpoint override.
   *
   * @param key the key
   * @param example a valid value to show in the problem, e.g. {@code "http://127.0.0.1:4566"}
   * @return the URL, empty when absent or after recording a problem
   */
  public Optional<java.net.URI> optionalHttpUrl(String key, String example) {
    Optional<String> v = raw(key, false);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      java.net.URI uri = new java.net.URI(v.get());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (java.net.URISyntaxException e) {
      // reported below, with the rule
    }
    problem(key, "must be an http or https URL such as " + example);
    return Optional.empty();
  }

  /**
   * Returns an enum constant or a default. Values are matched ignoring case, with {@code -} and
   * {@code _} treated alike, so {@code least_busy} and {@code LEAST-BUSY} both name
   * {@code LEAST_BUSY}.
   *
   * @param key the key
   * @param type the enum class
   * @param defaultValue used when the key is absent
   * @param <E> the enum type
   * @return the constant or the default
   */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    return raw(key, false).map(v -> parseEnum(key, v, type, defaultValue)).orElse(defaultValue);
  }

  /**
   * Returns every entry whose key starts with {@code prefix}, with the prefix removed, in the
   * configuration's order; e.g. {@code header.} turns {@code header.X-Org = a} into {@code X-Org = a}.
   *
   * @param prefix the prefix, e.g. {@code "header."}
   * @return an immutable, possibly empty map
   */
  public Map<String, String> withPrefix(String prefix) {
    prefixes.add(prefix);
    Map<String, String> out = new LinkedHashMap<>();
    config.forEach((k, v) -> {
      if (k.startsWith(prefix) && k.length() > prefix.length()) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * Marks keys as known without reading them, e.g. keys another component reads later.
   *
   * @param keys keys that are allowed in this configuration
   */
  public void allow(String... keys) {
    read.addAll(List.of(keys));
  }

  /**
   * Records a problem with a present key: {@code "<key> was '<value>' but it <rule>"}.
   *
   * @param key the offending key
   * @param rule what the value must satisfy, starting with a verb, e.g. {@code "must be at least 0"}
   */
  public void problem(String key, String rule) {
    String value = config.get(key);
    problems.add(value == null ? key + " is missing but it " + rule : key + " was '" + value + "' but it " + rule);
  }

  /**
   * Records a problem that is not about one key's value, e.g. two keys that exclude each other.
   *
   * @param message the whole problem description
   */
  public void problem(String message) {
    problems.add(message);
  }

  /**
   * Records a problem for every key that no getter, {@link #has}, {@link #withPrefix} or
   * {@link #allow} touched, so typos like {@code treshold} do not pass silently: one problem names
   * them all (sorted) and lists the known keys once. Call it after reading every known key.
   */
  public void rejectUnknownKeys() {
    Set<String> known = new TreeSet<>(read);
    prefixes.forEach(p -> known.add(p + "*"));
    Set<String> unknown = new TreeSet<>();
    for (String key : config.keySet()) {
      if (!read.contains(key) && prefixes.stream().noneMatch(key::startsWith)) {
        unknown.add(key);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    // One problem for all of them, so a long list of known keys is printed once, not per typo.
    String names = unknown.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", "));
    problems.add(names + (unknown.size() == 1 ? " is not a known key" : " are not known keys")
        + "; known keys are " + String.join(", ", known));
  }

  /**
   * Returns the problems recorded so far.
   *
   * @return an immutable copy
   */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * Throws if any problem was recorded.
   *
   * @throws ConfigException listing every problem, prefixed with the context
   */
  public void validate() {
    if (!problems.isEmpty()) {
      throw new ConfigException(context, problems);
    }
  }

  private Optional<String> raw(String key, boolean required) {
    read.add(key);
    String value = config.get(key);
    if (value == null) {
      if (required) {
        problems.add(key + " is required but was missing");
      }
      return Optional.empty();
    }
    if (value.isBlank()) {
      problem(key, "must not be blank");
      return Optional.empty();
    }
    return Optional.of(value.strip());
  }

  private long parseLong(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      problem(key, "must be a whole number");
      return 0L;
    }
  }

  private double parseDouble(String key, String value) {
    double d;
    try {
      d = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      problem(key, "must be a number");
      return 0.0;
    }
    if (!Double.isFinite(d)) {
      problem(key, "must be a finite number");
      return 0.0;
    }
    return d;
  }

  private boolean parseBoolean(String key, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1":
        return true;
      case "false", "f", "0":
        return false;
      default:
        problem(key, "must be true or false");
        return false;
    }
  }

  private Duration parseDuration(String key, String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      problem(key, "must be a duration such as 90s, 5m or 1h30m");
      return Duration.ZERO;
    }
  }

  private <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type, E fallback) {
    String wanted = value.replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(wanted)) {
        return constant;
      }
    }
    problem(key, "must be one of " + java.util.Arrays.stream(type.getEnumConstants())
        .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    return fallback;
  }
}
