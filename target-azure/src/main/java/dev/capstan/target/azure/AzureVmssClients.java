package dev.capstan.target.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.AddDatePolicy;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.http.policy.ArmChallengeAuthenticationPolicy;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the {@link ComputeManager} for a configuration: one pipeline recipe for production and tests,
 * which differ only in whether a credential signs the requests.
 */
final class AzureVmssClients {
  private AzureVmssClients() {}

  /**
   * Builds a compute manager over the configured endpoint, retry policy and HTTP client.
   *
   * @param config the agent configuration
   * @param credential signs requests with a bearer token; empty only for a local test endpoint, since
   *     the SDK's token policy refuses plain HTTP
   * @return a ready manager; it opens no connection until the first call
   */
  static ComputeManager computeManager(AzureVmssConfig config, Optional<TokenCredential> credential) {
    return computeManager(config, credential, defaultHttpClient());
  }

  /**
   * Builds a compute manager whose requests go through {@code httpClient} (tests pass one that trusts
   * their local HTTPS endpoints; the credential should use the same).
   *
   * @param config the agent configuration
   * @param credential signs requests with a bearer token, if given
   * @param httpClient sends every Resource Manager request
   * @return a ready manager; it opens no connection until the first call
   */
  static ComputeManager computeManager(AzureVmssConfig config, Optional<TokenCredential> credential,
      HttpClient httpClient) {
    AzureEnvironment base = config.environment();
    // Keep every other endpoint: the SDK reads some of them (graph) when it builds its managers.
    Map<String, String> endpoints = new HashMap<>(base.getEndpoints());
    config.endpoint().map(AzureVmssClients::withTrailingSlash)
        .ifPresent(e -> endpoints.put("resourceManagerEndpointUrl", e));
    AzureEnvironment environment = new AzureEnvironment(endpoints);
    AzureProfile profile = new AzureProfile(config.tenantId().orElse(null), config.subscriptionId(), environment);
    return ComputeManager.authenticate(pipeline(config, credential, base, httpClient), profile);
  }

  /** The production HTTP client (see {@link JdkTransport} for why not the SDK's JDK adapter). */
  static HttpClient defaultHttpClient() {
    return JdkTransport.standard();
  }

  private static HttpPipeline pipeline(AzureVmssConfig config, Optional<TokenCredential> credential,
      AzureEnvironment tokenEnvironment, HttpClient httpClient) {
    List<HttpPipelinePolicy> policies = new ArrayList<>();
    policies.add(new UserAgentPolicy("capstan-target-azure"));
    policies.add(new RequestIdPolicy());
    // Honours Retry-After (and retry-after-ms), capped by max_retry_delay; never retries a refused credential.
    policies.add(new CappedRetryPolicy(config.maxRetries() + 1, config.retryDelay(), config.maxRetryDelay()));
    policies.add(new AddDatePolicy());
    // Tokens are for the environment's resource manager even when the endpoint is overridden (a proxy).
    credential.ifPresent(c -> policies.add(new ArmChallengeAuthenticationPolicy(c,
        withTrailingSlash(URI.create(tokenEnvironment.getManagementEndpoint())) + ".default")));
    // Logs nothing unless AZURE_HTTP_LOG_DETAIL_LEVEL asks; the Authorization header is always redacted.
    policies.add(new HttpLoggingPolicy(new HttpLogOptions()));
    return new HttpPipelineBuilder().policies(policies.toArray(HttpPipelinePolicy[]::new))
        .httpClient(httpClient).build();
  }

  private static String withTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? s : s + "/";
  }
}
