package dev.capstan.target.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The agent-level configuration of the {@code azure-vmss} target, parsed once from its key/value map.
 *
 * <p>Keys: {@code subscription_id} (else the {@code AZURE_SUBSCRIPTION_ID} environment variable),
 * {@code tenant_id}, {@code client_id}, {@code secret_access_key} (a client secret; without it the
 * default Azure credential chain is used), {@code endpoint} (overrides the resource manager endpoint),
 * {@code operation_timeout} (how long to wait for a long-running operation, default 10m),
 * {@code poll_interval} (between polls of a long-running operation when the cloud suggests none,
 * default 15s), {@code max_retries} (for throttled or failed calls, default 3),
 * {@code retry_delay} and {@code max_retry_delay} (exponential back-off bounds, defaults 800ms and 8s;
 * a {@code Retry-After} from the cloud takes precedence).
 *
 * <p>{@link #toString()} never shows the client secret.
 *
 * @param subscriptionId the Azure subscription holding the scale sets
 * @param tenantId the Azure AD tenant, if given
 * @param clientId the application (or managed identity) client id, if given
 * @param clientSecret the client secret, if given; never logged
 * @param endpoint the resource manager endpoint override, if given
 * @param operationTimeout the bound on waiting for a long-running operation
 * @param pollInterval the interval between polls when the cloud gives no {@code Retry-After}
 * @param maxRetries how many times a throttled or failed call is retried
 * @param retryDelay the first back-off delay
 * @param maxRetryDelay the largest back-off delay
 */
record AzureVmssConfig(String subscriptionId, Optional<String> tenantId, Optional<String> clientId,
    Optional<String> clientSecret, Optional<URI> endpoint, Duration operationTimeout, Duration pollInterval,
    int maxRetries, Duration retryDelay, Duration maxRetryDelay) {

  static final String SUBSCRIPTION_ID = "subscription_id";
  static final String TENANT_ID = "tenant_id";
  static final String CLIENT_ID = "client_id";
  static final String SECRET_ACCESS_KEY = "secret_access_key";
  static final String ENDPOINT = "endpoint";
  static final String OPERATION_TIMEOUT = "operation_timeout";
  static final String POLL_INTERVAL = "poll_interval";
  static final String MAX_RETRIES = "max_retries";
  static final String RETRY_DELAY = "retry_delay";
  static final String MAX_RETRY_DELAY = "max_retry_delay";

  static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMinutes(10);
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
  static final int DEFAULT_MAX_RETRIES = 3;
  static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(800);
  static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofSeconds(8);

  /** The environment variable read when {@code subscription_id} is absent, as the Azure CLI does. */
  static final String SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID";

  /**
   * Parses the agent configuration.
   *
   * @param config the raw keys and values
   * @param env reads environment variables (for the subscription fallback)
   * @return the typed configuration
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  static AzureVmssConfig parse(Map<String, String> config, Function<String, String> env) {
    ConfigReader r = ConfigReader.of(config, "azure-vmss target");
    Optional<String> subscription = r.optionalString(SUBSCRIPTION_ID)
        .or(() -> Optional.ofNullable(env.apply(SUBSCRIPTION_ENV)).filter(s -> !s.isBlank()).map(String::strip));
    if (subscription.isEmpty() && !config.containsKey(SUBSCRIPTION_ID)) {
      r.problem(SUBSCRIPTION_ID + " is required (or set " + SUBSCRIPTION_ENV + ") but was missing");
    }
    Optional<String> tenant = r.optionalString(TENANT_ID);
    Optional<String> client = r.optionalString(CLIENT_ID);
    Optional<String> secret = secret(r, config);
    if (secret.isPresent()) {
      if (tenant.isEmpty() && !config.containsKey(TENANT_ID)) {
        r.problem(TENANT_ID + " is required with " + SECRET_ACCESS_KEY + " but was missing");
      }
      if (client.isEmpty() && !config.containsKey(CLIENT_ID)) {
        r.problem(CLIENT_ID + " is required with " + SECRET_ACCESS_KEY + " but was missing");
      }
    }
    Optional<URI> endpoint = r.optionalHttpUrl(ENDPOINT, "https://management.azure.com/");
    Duration timeout = r.positiveDuration(OPERATION_TIMEOUT, DEFAULT_OPERATION_TIMEOUT);
    Duration poll = r.positiveDuration(POLL_INTERVAL, DEFAULT_POLL_INTERVAL);
    long retries = r.longValue(MAX_RETRIES, DEFAULT_MAX_RETRIES);
    if (retries < 0 || retries > 20) {
      r.problem(MAX_RETRIES, "must be between 0 and 20");
      retries = DEFAULT_MAX_RETRIES;
    }
    Duration retryDelay = r.positiveDuration(RETRY_DELAY, DEFAULT_RETRY_DELAY);
    Duration maxRetryDelay = r.positiveDuration(MAX_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY);
    if (maxRetryDelay.compareTo(retryDelay) < 0) {
      r.problem(MAX_RETRY_DELAY, "must be at least " + RETRY_DELAY);
    }
    r.rejectUnknownKeys();
    r.validate();
    return new AzureVmssConfig(subscription.orElseThrow(), tenant, client, secret, endpoint, timeout, poll,
        (int) retries, retryDelay, maxRetryDelay);
  }

  // Read outside ConfigReader's value-quoting problems so a blank or odd secret never reaches a message.
  private static Optional<String> secret(ConfigReader r, Map<String, String> config) {
    r.allow(SECRET_ACCESS_KEY);
    String value = config.get(SECRET_ACCESS_KEY);
    if (value == null) {
      return Optional.empty();
    }
    if (value.isBlank()) {
      r.problem(SECRET_ACCESS_KEY + " must not be blank");
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /**
   * Returns the credential this configuration names: a client secret credential when
   * {@code secret_access_key} is set, else the default chain (environment, workload identity, managed
   * identity — with {@code client_id} as its client id —, Azure CLI, ...).
   *
   * @return a credential that fetches tokens lazily, on first use
   */
  TokenCredential credential() {
    if (clientSecret.isPresent()) {
      return new ClientSecretCredentialBuilder()
          .tenantId(tenantId.orElseThrow())
          .clientId(clientId.orElseThrow())
          .clientSecret(clientSecret.get())
          .build();
    }
    DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder();
    tenantId.ifPresent(builder::tenantId);
    clientId.ifPresent(builder::managedIdentityClientId);
    return builder.build();
  }

  @Override
  public String toString() {
    return "AzureVmssConfig[subscriptionId=" + subscriptionId + ", tenantId=" + tenantId.orElse("-")
        + ", clientId=" + clientId.orElse("-") + ", clientSecret=" + (clientSecret.isPresent() ? "****" : "-")
        + ", endpoint=" + endpoint.map(URI::toString).orElse("-") + ", operationTimeout=" + operationTimeout
        + ", pollInterval=" + pollInterval + ", maxRetries=" + maxRetries + ", retryDelay=" + retryDelay
        + ", maxRetryDelay=" + maxRetryDelay + "]";
  }
}
