package dev.capstan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class ConfigReaderTest {
  enum Selector { LEAST_BUSY, EMPTY, NEWEST_CREATE_INDEX }

  private static ConfigReader reader(String... kv) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i], kv[i + 1]);
    }
    return ConfigReader.of(map, "test config");
  }

  @Test
  void getters_validValues_areTyped() {
    ConfigReader r = reader("s", " text ", "l", "42", "d", "70.5", "b", "TRUE", "t", "1h30m", "e", "least_busy", "e2", "Newest-Create-Index");
    assertThat(r.requiredString("s")).isEqualTo("text");
    assertThat(r.requiredLong("l")).isEqualTo(42);
    assertThat(r.requiredDouble("d")).isEqualTo(70.5);
    assertThat(r.requiredBoolean("b")).isTrue();
    assertThat(r.requiredDuration("t")).isEqualTo(Duration.ofMinutes(90));
    assertThat(r.enumValue("e", Selector.class, Selector.EMPTY)).isEqualTo(Selector.LEAST_BUSY);
    assertThat(r.enumValue("e2", Selector.class, Selector.EMPTY)).isEqualTo(Selector.NEWEST_CREATE_INDEX);
    r.rejectUnknownKeys();
    r.validate();
  }

  @Test
  void defaults_absentKeys_areUsed() {
    ConfigReader r = reader();
    assertThat(r.string("s", "x")).isEqualTo("x");
    assertThat(r.longValue("l", 5)).isEqualTo(5);
    assertThat(r.doubleValue("d", 0.01)).isEqualTo(0.01);
    assertThat(r.booleanValue("b", true)).isTrue();
    assertThat(r.duration("t", Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.optionalLong("o")).isEmpty();
    assertThat(r.optionalDouble("o")).isEmpty();
    assertThat(r.optionalString("o")).isEmpty();
    assertThat(r.optionalDuration("o")).isEmpty();
    assertThat(r.enumValue("e", Selector.class, Selector.EMPTY)).isEqualTo(Selector.EMPTY);
    r.validate();
  }

  @Test
  void booleans_goForms_areAccepted() {
    ConfigReader r = reader("a", "t", "b", "F", "c", "1", "d", "0", "e", "False");
    assertThat(r.requiredBoolean("a")).isTrue();
    assertThat(r.requiredBoolean("b")).isFalse();
    assertThat(r.requiredBoolean("c")).isTrue();
    assertThat(r.requiredBoolean("d")).isFalse();
    assertThat(r.requiredBoolean("e")).isFalse();
    r.validate();
  }

  @Test
  void validate_everyBadValue_reportedAtOnceWithKeyValueAndRule() {
    ConfigReader r = reader("target", "abc", "count", "1.5", "flag", "yes", "window", "5 minutes",
        "mode", "busiest", "blank", "  ", "inf", "Infinity", "interval", "0s");
    r.requiredDouble("target");
    r.requiredLong("count");
    r.requiredBoolean("flag");
    r.requiredDuration("window");
    r.enumValue("mode", Selector.class, Selector.EMPTY);
    r.requiredString("blank");
    r.requiredString("missing");
    r.requiredDouble("inf");
    r.positiveDuration("interval", Duration.ofSeconds(10));
    assertThatThrownBy(r::validate)
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid test config: "
            + "target was 'abc' but it must be a number; "
            + "count was '1.5' but it must be a whole number; "
            + "flag was 'yes' but it must be true or false; "
            + "window was '5 minutes' but it must be a duration such as 90s, 5m or 1h30m; "
            + "mode was 'busiest' but it must be one of least_busy, empty, newest_create_index; "
            + "blank was '  ' but it must not be blank; "
            + "missing is required but was missing; "
            + "inf was 'Infinity' but it must be a finite number; "
            + "interval was '0s' but it must be a positive duration")
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(9));
  }

  @Test
  void optionalHttpUrl_acceptsHttpAndHttpsWithHost_reportsOthersWithExample() {
    ConfigReader r = reader("a", "http://127.0.0.1:4566", "b", "HTTPS://example.com/x", "c", "localhost:4566",
        "d", "ftp://host", "e", "http://");
    assertThat(r.optionalHttpUrl("a", "http://x")).hasValue(java.net.URI.create("http://127.0.0.1:4566"));
    assertThat(r.optionalHttpUrl("b", "http://x")).isPresent();
    assertThat(r.optionalHttpUrl("c", "http://x")).isEmpty();
    assertThat(r.optionalHttpUrl("d", "http://x")).isEmpty();
    assertThat(r.optionalHttpUrl("e", "http://x")).isEmpty();
    assertThat(r.optionalHttpUrl("absent", "http://x")).isEmpty();
    assertThat(r.problems()).containsExactly(
        "c was 'localhost:4566' but it must be an http or https URL such as http://x",
        "d was 'ftp://host' but it must be an http or https URL such as http://x",
        "e was 'http://' but it must be an http or https URL such as http://x");
  }

  @Test
  void positiveDuration_unparsable_reportedOnce() {
    ConfigReader r = reader("node_drain_deadline", "soon", "ok", "-1s");
    assertThat(r.positiveDuration("node_drain_deadline", Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.positiveDuration("ok", Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.positiveDuration("absent", Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.problems()).containsExactly(
        "node_drain_deadline was 'soon' but it must be a duration such as 90s, 5m or 1h30m",
        "ok was '-1s' but it must be a positive duration");
  }

  @Test
  void optionalLong_badValue_isEmptyAndRecorded() {
    ConfigReader r = reader("max_scale_up", "lots");
    assertThat(r.optionalLong("max_scale_up")).isEqualTo(OptionalLong.empty());
    assertThat(r.problems()).containsExactly("max_scale_up was 'lots' but it must be a whole number");
  }

  @Test
  void problem_customRule_namesKeyAndValue() {
    ConfigReader r = reader("threshold", "-1");
    double t = r.doubleValue("threshold", 0.01);
    if (t < 0) {
      r.problem("threshold", "must be at least 0");
    }
    r.problem("only one of delta, percentage or value may be set");
    assertThat(r.problems()).containsExactly("threshold was '-1' but it must be at least 0",
        "only one of delta, percentage or value may be set");
  }

  @Test
  void rejectUnknownKeys_typo_namesKeyAndKnownKeys() {
    ConfigReader r = reader("treshold", "0.1", "target", "70", "header.X-Org", "a");
    r.doubleValue("threshold", 0.01);
    r.requiredDouble("target");
    assertThat(r.withPrefix("header.")).containsExactly(Map.entry("X-Org", "a"));
    r.rejectUnknownKeys();
    assertThatThrownBy(r::validate).hasMessage(
        "invalid test config: 'treshold' is not a known key; known keys are header.*, target, threshold");
  }

  @Test
  void rejectUnknownKeys_twoTypos_listsKnownKeysOnce() {
    ConfigReader r = reader("treshold", "0.1", "targt", "70");
    r.doubleValue("threshold", 0.01);
    r.requiredDouble("target");
    r.rejectUnknownKeys();
    assertThat(r.problems()).containsExactly("target is required but was missing",
        "'targt', 'treshold' are not known keys; known keys are target, threshold");
  }

  @Test
  void allow_marksKeysKnown() {
    ConfigReader r = reader("node_class", "x");
    r.allow("node_class");
    r.rejectUnknownKeys();
    r.validate();
  }
}
