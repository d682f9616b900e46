package dev.capstan.target.gcp;

import dev.capstan.config.ConfigReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The agent-level configuration of the {@code gce-mig} target, parsed and validated once.
 *
 * @param project the default project of every group; a policy's {@code project} overrides it
 * @param credentials a service-account JSON key; empty means Application Default Credentials
 * @param endpoint the Compute Engine API endpoint, e.g. {@code http://127.0.0.1:8080} in tests;
 *     empty means the SDK's default
 * @param retryAttempts how many times one API call is tried when it is throttled (429) or the
 *     service is unavailable, the first attempt included
 * @param retryDelay the wait before the first retry; it doubles up to {@code maxRetryDelay}
 * @param maxRetryDelay the longest wait between two attempts (default {@link #DEFAULT_MAX_RETRY_DELAY})
 * @param requestTimeout how long one HTTP attempt may take
 * @param operationTimeout how long to wait for a resize or delete operation to finish
 * @param pollInterval the wait before the first poll of an operation; it grows by half each time up
 *     to {@link #MAX_POLL_INTERVAL}
 */
record GceMigConfig(Optional<String> project, Optional<Path> credentials, Optional<String> endpoint,
    int retryAttempts, Duration retryDelay, Duration maxRetryDelay, Duration requestTimeout, Duration operationTimeout,
    Duration pollInterval) {

  static final int DEFAULT_RETRY_ATTEMPTS = 5;
  static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(500);
  static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofSeconds(30);
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMinutes(5);
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(10);

  /**
   * Parses the agent configuration, reporting every problem at once.
   *
   * @param config the raw agent configuration
   * @return the typed configuration
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key
   */
  static GceMigConfig parse(Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "gce-mig target agent config");
    Optional<String> project = r.optionalString("project");
    Optional<Path> credentials = r.optionalString("credentials").map(Path::of);
    if (credentials.isPresent() && !Files.isReadable(credentials.get())) {
      r.problem("credentials", "must be the path of a readable service-account JSON key file");
    }
    Optional<String> endpoint = r.optionalHttpUrl("endpoint", "https://compute.googleapis.com").map(URI::toString);
    long attempts = r.longValue("retry_attempts", DEFAULT_RETRY_ATTEMPTS);
    if (attempts < 1 || attempts > 100) {
      r.problem("retry_attempts", "must be between 1 and 100");
    }
    Duration retryDelay = r.positiveDuration("retry_delay", DEFAULT_RETRY_DELAY);
    Duration maxRetryDelay = r.positiveDuration("max_retry_delay", DEFAULT_MAX_RETRY_DELAY);
    if (config.containsKey("max_retry_delay") && maxRetryDelay.compareTo(retryDelay) < 0) {
      r.problem("max_retry_delay", "must be at least retry_delay");
    }
    Duration requestTimeout = r.positiveDuration("request_timeout", DEFAULT_REQUEST_TIMEOUT);
    Duration operationTimeout = r.positiveDuration("operation_timeout", DEFAULT_OPERATION_TIMEOUT);
    Duration pollInterval = r.positiveDuration("poll_interval", DEFAULT_POLL_INTERVAL);
    r.rejectUnknownKeys();
    r.validate();
    return new GceMigConfig(project, credentials, endpoint, (int) attempts, retryDelay,
        maxRetryDelay.compareTo(retryDelay) < 0 ? retryDelay : maxRetryDelay, requestTimeout,
        operationTimeout, pollInterval);
  }
}
