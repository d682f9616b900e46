package dev.capstan.target.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
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
 * {@code retry_attempts} (total attempts of a throttled or failed call, the first included, default
 * 4; {@code max_retries}, the retries after the first, is kept as an alias), {@code retry_delay} and
 * {@code max_retry_delay} (exponential back-off bounds, defaults 800ms and 8s; a {@code Retry-After}
 * from the cloud takes precedence), {@code environment} ({@code AzureCloud}, {@code AzureUSGovernment}
 * or {@code AzureChinaCloud}: authority, resource manager endpoint and token audience together) and
 * {@code authority_host} (the Entra ID authority, else {@code AZURE_AUTHORITY_HOST}, else the
 * environment's; instance discovery is disabled for it). Endpoints must be {@code https}: the SDK
 * never sends a token over plain HTTP, so an {@code http://} endpoint is refused here, at load.
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
 * @param environment the Azure cloud: authority, resource manager endpoint and token audience
 * @param authorityHost the Entra ID authority override, if given (or from {@code AZURE_AUTHORITY_HOST})
 */
record AzureVmssConfig(String subscriptionId, Optional<String> tenantId, Optional<String> clientId,
    Optional<String> clientSecret, Optional<URI> endpoint, Duration operationTimeout, Duration pollInterval,
    int maxRetries, Duration retryDelay, Duration maxRetryDelay, AzureEnvironment environment,
    Optional<URI> authorityHost) {

  static final String SUBSCRIPTION_ID = "subscription_id";
  static final String TENANT_ID = "tenant_id";
  static final String CLIENT_ID = "client_id";
  static final String SECRET_ACCESS_KEY = "secret_access_key";
  static final String ENDPOINT = "endpoint";
  static final String OPERATION_TIMEOUT = "operation_timeout";
  static final String POLL_INTERVAL = "poll_interval";
  static final String MAX_RETRIES = "max_retries";
  static final String RETRY_ATTEMPTS = "retry_attempts";
  static final String ENVIRONMENT = "environment";
  static final String AUTHORITY_HOST = "authority_host";
  /** The environment variable azure-identity reads for the authority; read when the key is absent. */
  static final String AUTHORITY_HOST_ENV = "AZURE_AUTHORITY_HOST";
  /** Names of the {@code environment} values, as the Azure CLI spells them. */
  static final Map<String, AzureEnvironment> ENVIRONMENTS = Map.of("azurecloud", AzureEnvironment.AZURE,
      "azureusgovernment", AzureEnvironment.AZURE_US_GOVERNMENT, "azurechinacloud", AzureEnvironment.AZURE_CHINA);
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
    return parse(config, env, false);
  }

  /**
   * Parses the agent configuration; tests allow a plain-HTTP {@code endpoint} for a local fake that
   * runs without a credential.
   */
  static AzureVmssConfig parse(Map<String, String> config, Function<String, String> env, boolean plainHttpEndpoint) {
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
    if (!plainHttpEndpoint) {
      endpoint = httpsOnly(r, ENDPOINT, endpoint, config.get(ENDPOINT));
    }
    AzureEnvironment environment = AzureEnvironment.AZURE;
    if (config.containsKey(ENVIRONMENT)) {
      environment = ENVIRONMENTS.get(config.get(ENVIRONMENT).strip().toLowerCase(Locale.ROOT));
      if (environment == null) {
        r.problem(ENVIRONMENT, "must be AzureCloud, AzureUSGovernment or AzureChinaCloud");
        environment = AzureEnvironment.AZURE;
      }
    }
    Optional<URI> authority = httpsOnly(r, AUTHORITY_HOST, r.optionalHttpUrl(AUTHORITY_HOST,
        "https://login.microsoftonline.us/"), config.get(AUTHORITY_HOST));
    if (!config.containsKey(AUTHORITY_HOST)) {
      String fromEnv = env.apply(AUTHORITY_HOST_ENV);
      if (fromEnv != null && !fromEnv.isBlank()) {
        URI uri = URI.create(fromEnv.strip());
        if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
          authority = Optional.of(uri);
        } else {
          r.problem(AUTHORITY_HOST_ENV + " was '" + fromEnv + "' but it must be an https URL such as "
              + "https://login.microsoftonline.us/");
        }
      }
    }
    Duration timeout = r.positiveDuration(OPERATION_TIMEOUT, DEFAULT_OPERATION_TIMEOUT);
    Duration poll = r.positiveDuration(POLL_INTERVAL, DEFAULT_POLL_INTERVAL);
    long retries = DEFAULT_MAX_RETRIES;
    if (config.containsKey(RETRY_ATTEMPTS) && config.containsKey(MAX_RETRIES)) {
      r.problem(MAX_RETRIES, "is an alias of " + RETRY_ATTEMPTS + " (attempts - 1); set only one");
    } else if (config.containsKey(RETRY_ATTEMPTS)) {
      long attempts = r.longValue(RETRY_ATTEMPTS, DEFAULT_MAX_RETRIES + 1);
      if (attempts < 1 || attempts > 21) {
        r.problem(RETRY_ATTEMPTS, "must be between 1 and 21");
      } else {
        retries = attempts - 1;
      }
    } else {
      retries = r.longValue(MAX_RETRIES, DEFAULT_MAX_RETRIES);
      if (retries < 0 || retries > 20) {
        r.problem(MAX_RETRIES, "must be between 0 and 20");
        retries = DEFAULT_MAX_RETRIES;
      }
    }
    r.allow(MAX_RETRIES, RETRY_ATTEMPTS, ENVIRONMENT);
    Duration retryDelay = r.positiveDuration(RETRY_DELAY, DEFAULT_RETRY_DELAY);
    Duration maxRetryDelay = r.positiveDuration(MAX_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY);
    if (maxRetryDelay.compareTo(retryDelay) < 0) {
      r.problem(MAX_RETRY_DELAY, "must be at least " + RETRY_DELAY);
    }
    r.rejectUnknownKeys();
    r.validate();
    return new AzureVmssConfig(subscription.orElseThrow(), tenant, client, secret, endpoint, timeout, poll,
        (int) retries, retryDelay, maxRetryDelay, environment, authority);
  }

  /** Refuses a parsed {@code http://} URL: the SDK would refuse it only at the first call, after back-offs. */
  private static Optional<URI> httpsOnly(ConfigReader r, String key, Optional<URI> url, String raw) {
    if (url.isPresent() && !"https".equalsIgnoreCase(url.get().getScheme())) {
      r.problem(key + " was '" + raw + "' but it must be https: Azure credentials are never sent over plain HTTP");
      return Optional.empty();
    }
    return url;
  }

  /**
   * Returns the Entra ID authority tokens are asked of: {@code authority_host} (or
   * {@code AZURE_AUTHORITY_HOST}), else the environment's.
   *
   * @return the authority host URL
   */
  String authority() {
    return authorityHost.map(URI::toString).orElse(environment.getActiveDirectoryEndpoint());
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
    return credential(Optional.empty());
  }

  /**
   * Returns the credential, its token requests sent through {@code httpClient} when given (tests
   * trust their local HTTPS token endpoint through it).
   */
  TokenCredential credential(Optional<com.azure.core.http.HttpClient> httpClient) {
    if (clientSecret.isPresent()) {
      ClientSecretCredentialBuilder builder = new ClientSecretCredentialBuilder()
          .tenantId(tenantId.orElseThrow())
          .clientId(clientId.orElseThrow())
          .clientSecret(clientSecret.get())
          .authorityHost(authority());
      // MSAL would first ask login.microsoftonline.com about a host it does not know (offline: failed
      // connections and seconds of delay; online: invalid_instance). A configured host is trusted as is.
      if (authorityHost.isPresent()) {
        builder.disableInstanceDiscovery();
      }
      httpClient.ifPresent(builder::httpClient);
      return builder.build();
    }
    DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder().authorityHost(authority());
    if (authorityHost.isPresent()) {
      builder.disableInstanceDiscovery();
    }
    tenantId.ifPresent(builder::tenantId);
    clientId.ifPresent(builder::managedIdentityClientId);
    httpClient.ifPresent(builder::httpClient);
    return builder.build();
  }

  @Override
  public String toString() {
    return "AzureVmssConfig[subscriptionId=" + subscriptionId + ", tenantId=" + tenantId.orElse("-")
        + ", clientId=" + clientId.orElse("-") + ", clientSecret=" + (clientSecret.isPresent() ? "****" : "-")
        + ", endpoint=" + endpoint.map(URI::toString).orElse("-") + ", operationTimeout=" + operationTimeout
        + ", pollInterval=" + pollInterval + ", maxRetries=" + maxRetries + ", retryDelay=" + retryDelay
        + ", maxRetryDelay=" + maxRetryDelay + ", environment=" + environment.getActiveDirectoryEndpoint()
        + ", authorityHost=" + authorityHost.map(URI::toString).orElse("-") + "]";
  }
}
