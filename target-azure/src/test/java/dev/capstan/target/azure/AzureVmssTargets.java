package dev.capstan.target.azure;

import dev.capstan.testkit.LocalHttpServer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Builds targets against a local server through the production pipeline, minus authentication. */
final class AzureVmssTargets {
  private AzureVmssTargets() {}

  /** Fast defaults for tests: millisecond polls and back-off, a few seconds' bound on operations. */
  static AzureVmssConfig config(LocalHttpServer server, Map<String, String> overrides) {
    Map<String, String> config = new HashMap<>(Map.of(
        "subscription_id", FakeVmssApi.SUBSCRIPTION,
        "endpoint", server.uri().toString(),
        "poll_interval", "5ms",
        "operation_timeout", "5s",
        "max_retries", "2",
        "retry_delay", "5ms",
        "max_retry_delay", "20ms"));
    config.putAll(overrides);
    return AzureVmssConfig.parse(config, name -> null, true);
  }

  static AzureVmssTarget local(LocalHttpServer server, Map<String, String> overrides) {
    return AzureVmssTarget.open(config(server, overrides), Optional.empty());
  }
}
