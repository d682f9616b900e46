package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AwsAsgConfigTest {
  private static final String KEY_ID = "AKIDEXAMPLE7TESTKEY";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN";

  @Test
  void parse_empty_usesDefaults() {
    AwsAsgConfig config = AwsAsgConfig.parse(Map.of());

    assertThat(config.region()).isEmpty();
    assertThat(config.hasStaticCredentials()).isFalse();
    assertThat(config.retryAttempts()).isEqualTo(3);
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.operationTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.retryDelay()).as("the SDK's own back-off").isEmpty();
    assertThat(config.maxRetryDelay()).isEmpty();
    assertThat(config.scaleInProtection()).isTrue();
  }

  @Test
  void parse_retryDelays_goDurationsWithTheOtherDefaulted() {
    AwsAsgConfig both = AwsAsgConfig.parse(Map.of("retry_delay", "250ms", "max_retry_delay", "2s"));
    assertThat(both.retryDelay()).contains(Duration.ofMillis(250));
    assertThat(both.maxRetryDelay()).contains(Duration.ofSeconds(2));
    assertThat(AwsAsgConfig.parse(Map.of("max_retry_delay", "1m")).retryDelay()).contains(Duration.ofMillis(100));
  }

  @Test
  void parse_badRetryDelays_nameTheKeys() {
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("retry_delay", "soon", "scale_in_protection", "nah")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "retry_delay was 'soon' but it must be a duration such as 90s, 5m or 1h30m",
            e.problems().stream().filter(p -> p.startsWith("scale_in_protection was 'nah'")).findFirst()
                .orElse("missing scale_in_protection problem")));
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("retry_delay", "5s", "max_retry_delay", "1s")))
        .hasMessageContaining("max_retry_delay was '1s' but it must be at least retry_delay");
  }

  @Test
  void parse_everyKey_readsThem() {
    AwsAsgConfig config = AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", KEY_ID, "aws_secret_access_key", SECRET, "aws_session_token", TOKEN,
        "retry_attempts", "5", "endpoint", "http://127.0.0.1:4566",
        "operation_timeout", "90s", "poll_interval", "250ms"));

    assertThat(config.region()).contains("eu-west-1");
    assertThat(config.hasStaticCredentials()).isTrue();
    assertThat(config.staticKeys()).hasValueSatisfying(k -> {
      assertThat(k.accessKeyId()).isEqualTo(KEY_ID);
      assertThat(k.sessionToken()).contains(TOKEN);
    });
    assertThat(config.retryAttempts()).isEqualTo(5);
    assertThat(config.endpoint()).contains(URI.create("http://127.0.0.1:4566"));
    assertThat(config.operationTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void parse_manyBadKeys_reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("retry_attempts", "0", "endpoint", "localhost:4566",
        "poll_interval", "fast", "operation_timeout", "0s", "aws_regoin", "eu-west-1")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "retry_attempts was '0' but it must be between 1 and 20",
            "endpoint was 'localhost:4566' but it must be an http or https URL such as http://127.0.0.1:4566",
            "poll_interval was 'fast' but it must be a duration such as 90s, 5m or 1h30m",
            "operation_timeout was '0s' but it must be a positive duration",
            e.problems().stream().filter(p -> p.startsWith("'aws_regoin' is not a known key")).findFirst()
                .orElse("missing unknown-key problem")));
  }

  @Test
  void parse_keyIdWithoutSecret_rejectedWithoutQuotingTheKey() {
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("aws_access_key_id", KEY_ID, "aws_session_token", TOKEN)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws_access_key_id and aws_secret_access_key must be set together")
        .hasMessageNotContaining(KEY_ID)
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void parse_sessionTokenAlone_rejected() {
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("aws_session_token", TOKEN)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws_session_token needs aws_access_key_id and aws_secret_access_key")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void parse_blankSecret_rejected() {
    assertThatThrownBy(() -> AwsAsgConfig.parse(Map.of("aws_access_key_id", KEY_ID, "aws_secret_access_key", " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws_secret_access_key must not be blank")
        .hasMessageNotContaining(KEY_ID);
  }

  @Test
  void toString_staticCredentials_redactsThem() {
    AwsAsgConfig config = AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", KEY_ID, "aws_secret_access_key", SECRET, "aws_session_token", TOKEN));

    assertThat(config.toString()).contains("eu-west-1", "redacted")
        .doesNotContain(KEY_ID).doesNotContain(SECRET).doesNotContain(TOKEN);
    assertThat(config.staticKeys().orElseThrow().toString())
        .doesNotContain(KEY_ID).doesNotContain(SECRET).doesNotContain(TOKEN);
  }
}
