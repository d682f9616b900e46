package dev.capstan.target.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.identity.ClientSecretCredential;
import com.azure.identity.DefaultAzureCredential;
import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class AzureVmssConfigTest {
  private static final String SECRET = "s3cr3t-value~with.odd_chars";

  private static AzureVmssConfig parse(Map<String, String> config) {
    return AzureVmssConfig.parse(config, name -> null);
  }

  @Test
  void parse_subscriptionOnly_defaultsEverythingElse() {
    AzureVmssConfig config = parse(Map.of("subscription_id", "sub-1"));

    assertThat(config.subscriptionId()).isEqualTo("sub-1");
    assertThat(config.clientSecret()).isEmpty();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.operationTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.maxRetries()).isEqualTo(3);
    assertThat(config.retryDelay()).isEqualTo(Duration.ofMillis(800));
    assertThat(config.maxRetryDelay()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void parse_everyKey_readsThem() {
    AzureVmssConfig config = parse(Map.of("subscription_id", "sub-1", "tenant_id", "t", "client_id", "c",
        "secret_access_key", SECRET, "endpoint", "https://management.example.net", "operation_timeout", "2m",
        "poll_interval", "2s", "max_retries", "5", "retry_delay", "1s", "max_retry_delay", "30s"));

    assertThat(config).isEqualTo(new AzureVmssConfig("sub-1", Optional.of("t"), Optional.of("c"),
        Optional.of(SECRET), Optional.of(URI.create("https://management.example.net")), Duration.ofMinutes(2),
        Duration.ofSeconds(2), 5, Duration.ofSeconds(1), Duration.ofSeconds(30),
        com.azure.core.management.AzureEnvironment.AZURE, Optional.empty()));
  }

  @Test
  void parse_httpEndpointOrAuthority_refusedAtLoadNamingTheKey() {
    assertThatThrownBy(() -> parse(Map.of("subscription_id", "s", "endpoint", "http://127.0.0.1:1/",
        "authority_host", "http://login.example/")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("endpoint was 'http://127.0.0.1:1/' but it must be https")
        .hasMessageContaining("authority_host was 'http://login.example/' but it must be https");
  }

  @Test
  void parse_sovereignEnvironment_setsAuthorityAudienceAndResourceManager() {
    AzureVmssConfig config = parse(Map.of("subscription_id", "s", "environment", "AzureUSGovernment"));

    assertThat(config.authority()).isEqualTo("https://login.microsoftonline.us/");
    assertThat(config.environment().getManagementEndpoint()).isEqualTo("https://management.core.usgovcloudapi.net/");
    assertThat(config.environment().getResourceManagerEndpoint()).isEqualTo("https://management.usgovcloudapi.net/");
    assertThatThrownBy(() -> parse(Map.of("subscription_id", "s", "environment", "AzureGermany")))
        .hasMessageContaining("environment was 'AzureGermany' but it must be AzureCloud, AzureUSGovernment or AzureChinaCloud");
  }

  @Test
  void parse_authorityHost_fromKeyElseEnvironmentVariable() {
    assertThat(parse(Map.of("subscription_id", "s", "authority_host", "https://login.example/")).authority())
        .isEqualTo("https://login.example/");
    assertThat(AzureVmssConfig.parse(Map.of("subscription_id", "s"),
        name -> name.equals("AZURE_AUTHORITY_HOST") ? "https://login.env.example/" : null).authority())
        .isEqualTo("https://login.env.example/");
  }

  @Test
  void parse_retryAttempts_isTotalAttempts_maxRetriesAnAlias() {
    assertThat(parse(Map.of("subscription_id", "s", "retry_attempts", "5")).maxRetries()).isEqualTo(4);
    assertThat(parse(Map.of("subscription_id", "s", "max_retries", "4")).maxRetries()).isEqualTo(4);
    assertThatThrownBy(() -> parse(Map.of("subscription_id", "s", "max_retries", "4", "retry_attempts", "5")))
        .hasMessageContaining("max_retries was '4' but it is an alias of retry_attempts");
  }

  @Test
  void parse_subscriptionAbsent_readsTheEnvironment() {
    AzureVmssConfig config = AzureVmssConfig.parse(Map.of(),
        name -> name.equals("AZURE_SUBSCRIPTION_ID") ? "sub-from-env" : null);

    assertThat(config.subscriptionId()).isEqualTo("sub-from-env");
  }

  @Test
  void parse_manyMistakes_reportsEveryOneAtOnce() {
    assertThatThrownBy(() -> parse(Map.of("secret_access_key", SECRET, "endpoint", "management.azure.com",
        "operation_timeout", "soon", "max_retries", "-1", "retry_delay", "2s", "max_retry_delay", "1s",
        "region", "westeurope")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "subscription_id is required (or set AZURE_SUBSCRIPTION_ID) but was missing",
            "tenant_id is required with secret_access_key but was missing",
            "client_id is required with secret_access_key but was missing",
            "endpoint was 'management.azure.com' but it must be an http or https URL such as https://management.azure.com/",
            "operation_timeout was 'soon' but it must be a duration such as 90s, 5m or 1h30m",
            "max_retries was '-1' but it must be between 0 and 20",
            "max_retry_delay was '1s' but it must be at least retry_delay",
            "'region' is not a known key; known keys are authority_host, client_id, endpoint, environment, max_retries, max_retry_delay, "
                + "operation_timeout, poll_interval, retry_attempts, retry_delay, secret_access_key, subscription_id, tenant_id"))
        .message().doesNotContain(SECRET);
  }

  @Test
  void parse_blankSecret_problemDoesNotQuoteIt() {
    assertThatThrownBy(() -> parse(Map.of("subscription_id", "s", "secret_access_key", "   ")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid azure-vmss target: secret_access_key must not be blank");
  }

  @Test
  void toString_withSecret_masksIt() {
    AzureVmssConfig config = parse(Map.of("subscription_id", "s", "tenant_id", "t", "client_id", "c",
        "secret_access_key", SECRET));

    assertThat(config.toString()).doesNotContain(SECRET).contains("clientSecret=****");
  }

  @Test
  void credential_withSecret_isAClientSecretCredential() {
    AzureVmssConfig config = parse(Map.of("subscription_id", "s", "tenant_id", "t", "client_id", "c",
        "secret_access_key", SECRET));

    assertThat(config.credential()).isInstanceOf(ClientSecretCredential.class);
  }

  @Test
  void credential_withoutSecret_isTheDefaultChain() {
    assertThat(parse(Map.of("subscription_id", "s", "client_id", "c")).credential())
        .isInstanceOf(DefaultAzureCredential.class);
  }
}
