package dev.capstan.target.aws;

import dev.capstan.config.ConfigReader;
import dev.capstan.config.Durations;
import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The agent-level configuration of the {@code aws-asg} target, parsed and validated once.
 *
 * <p>Keys: {@code aws_region} (optional; the SDK's region chain when absent),
 * {@code aws_access_key_id} and {@code aws_secret_access_key} (optional, together; the SDK's default
 * credential chain when absent), {@code aws_session_token} (optional, only with the two keys),
 * {@code retry_attempts} (default {@value #DEFAULT_RETRY_ATTEMPTS}, the SDK's total attempts per call),
 * {@code retry_delay} and {@code max_retry_delay} (the exponential back-off's first delay and cap, as
 * for every Capstan target; the SDK's own back-off when neither is set),
 * {@code scale_in_protection} (default true: instances protected from scale-in are never terminated;
 * a policy's target block may override it, as in nomad-autoscaler),
 * {@code endpoint} (optional http(s) URI, for LocalStack and tests), {@code operation_timeout} (default
 * 5m, how long a targeted scale-in waits for its activities) and {@code poll_interval} (default 5s,
 * how often it asks).
 *
 * <p>{@link #toString()} never shows the credentials.
 */
public final class AwsAsgConfig {

  /** Default total attempts per API call, the SDK's own default for the standard retry mode. */
  public static final int DEFAULT_RETRY_ATTEMPTS = 3;

  /** Default bound on waiting for termination activities to finish. */
  public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMinutes(5);

  /** Default interval between polls of termination activities. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

  /** The SDK standard mode's first back-off, used when only {@code max_retry_delay} is set. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(100);

  /** The SDK standard mode's back-off cap, used when only {@code retry_delay} is set. */
  public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofSeconds(20);

  static final String RETRY_DELAY = "retry_delay";
  static final String MAX_RETRY_DELAY = "max_retry_delay";
  static final String SCALE_IN_PROTECTION = "scale_in_protection";

  private static final int MAX_RETRY_ATTEMPTS = 20;

  private final Optional<String> region;
  private final Optional<StaticKeys> credentials;
  private final int retryAttempts;
  private final Optional<URI> endpoint;
  private final Duration operationTimeout;
  private final Duration pollInterval;
  private final Optional<Duration> retryDelay;
  private final Optional<Duration> maxRetryDelay;
  private final boolean scaleInProtection;

  /** Static credentials; kept out of every string this class produces. */
  record StaticKeys(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
    @Override
    public String toString() {
      return "StaticKeys[redacted]";
    }
  }

  private AwsAsgConfig(Optional<String> region, Optional<StaticKeys> credentials, int retryAttempts,
      Optional<URI> endpoint, Duration operationTimeout, Duration pollInterval, Optional<Duration> retryDelay,
      Optional<Duration> maxRetryDelay, boolean scaleInProtection) {
    this.retryDelay = retryDelay;
    this.maxRetryDelay = maxRetryDelay;
    this.scaleInProtection = scaleInProtection;
    this.region = region;
    this.credentials = credentials;
    this.retryAttempts = retryAttempts;
    this.endpoint = endpoint;
    this.operationTimeout = operationTimeout;
    this.pollInterval = pollInterval;
  }

  /**
   * Parses an agent configuration, reporting every problem at once.
   *
   * @param config the raw agent configuration of the {@code aws-asg} target
   * @return the validated configuration
   * @throws ConfigException naming every bad, missing or unknown key; secret values are never quoted
   */
  public static AwsAsgConfig parse(Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "aws-asg target");
    Optional<String> region = r.optionalString("aws_region");

    Optional<String> keyId = secret(r, config, "aws_access_key_id");
    Optional<String> secretKey = secret(r, config, "aws_secret_access_key");
    Optional<String> token = secret(r, config, "aws_session_token");
    Optional<StaticKeys> credentials = Optional.empty();
    if (keyId.isPresent() != secretKey.isPresent()) {
      r.problem("aws_access_key_id and aws_secret_access_key must be set together or not at all");
    } else if (keyId.isPresent()) {
      credentials = Optional.of(new StaticKeys(keyId.get(), secretKey.get(), token));
    } else if (token.isPresent()) {
      r.problem("aws_session_token needs aws_access_key_id and aws_secret_access_key");
    }

    long attempts = r.longValue("retry_attempts", DEFAULT_RETRY_ATTEMPTS);
    if (attempts < 1 || attempts > MAX_RETRY_ATTEMPTS) {
      r.problem("retry_attempts", "must be between 1 and " + MAX_RETRY_ATTEMPTS);
      attempts = DEFAULT_RETRY_ATTEMPTS;
    }

    Optional<Duration> retryDelay = r.has(RETRY_DELAY)
        ? Optional.of(r.positiveDuration(RETRY_DELAY, DEFAULT_RETRY_DELAY)) : Optional.empty();
    Optional<Duration> maxRetryDelay = r.has(MAX_RETRY_DELAY)
        ? Optional.of(r.positiveDuration(MAX_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY)) : Optional.empty();
    if (retryDelay.orElse(DEFAULT_RETRY_DELAY).compareTo(maxRetryDelay.orElse(DEFAULT_MAX_RETRY_DELAY)) > 0) {
      r.problem(MAX_RETRY_DELAY, "must be at least " + RETRY_DELAY);
    }
    boolean protection = r.booleanValue(SCALE_IN_PROTECTION, true);
    Optional<URI> endpoint = r.optionalHttpUrl("endpoint", "http://127.0.0.1:4566");
    Duration timeout = r.positiveDuration("operation_timeout", DEFAULT_OPERATION_TIMEOUT);
    Duration poll = r.positiveDuration("poll_interval", DEFAULT_POLL_INTERVAL);
    r.rejectUnknownKeys();
    r.validate();
    return new AwsAsgConfig(region, credentials, (int) attempts, endpoint, timeout, poll, retryDelay,
        maxRetryDelay, protection);
  }

  // ConfigReader quotes values in its problems; a secret must never be quoted, so blank checks are ours.
  private static Optional<String> secret(ConfigReader r, Map<String, String> config, String key) {
    if (!r.has(key)) {
      return Optional.empty();
    }
    String value = config.get(key);
    if (value == null || value.isBlank()) {
      r.problem(key + " must not be blank");
      return Optional.empty();
    }
    return Optional.of(value.strip());
  }

  /**
   * Returns the region, if set.
   *
   * @return the region id such as {@code eu-west-1}; empty means the SDK's region provider chain
   */
  public Optional<String> region() {
    return region;
  }

  /**
   * Returns whether static credentials were configured.
   *
   * @return {@code false} when the SDK's default credential chain is used
   */
  public boolean hasStaticCredentials() {
    return credentials.isPresent();
  }

  Optional<StaticKeys> staticKeys() {
    return credentials;
  }

  /**
   * Returns the total attempts per API call, first try included.
   *
   * @return between 1 and 20; default {@value #DEFAULT_RETRY_ATTEMPTS}
   */
  public int retryAttempts() {
    return retryAttempts;
  }

  /**
   * Returns the endpoint override, if set.
   *
   * @return the URI the client talks to instead of the regional AWS endpoint
   */
  public Optional<URI> endpoint() {
    return endpoint;
  }

  /**
   * Returns how long a targeted scale-in waits for its termination activities to finish.
   *
   * @return a positive duration; default 5 minutes
   */
  public Duration operationTimeout() {
    return operationTimeout;
  }

  /**
   * Returns how often a targeted scale-in polls its termination activities.
   *
   * @return a positive duration; default 5 seconds
   */
  public Duration pollInterval() {
    return pollInterval;
  }

  /**
   * Returns the first back-off delay, if configured.
   *
   * @return empty when neither {@code retry_delay} nor {@code max_retry_delay} is set (the SDK's own
   *     back-off); else the value, default {@link #DEFAULT_RETRY_DELAY}
   */
  public Optional<Duration> retryDelay() {
    return retryDelay.isPresent() || maxRetryDelay.isPresent()
        ? Optional.of(retryDelay.orElse(DEFAULT_RETRY_DELAY)) : Optional.empty();
  }

  /**
   * Returns the back-off cap, if configured.
   *
   * @return empty when neither back-off key is set; else the value, default {@link #DEFAULT_MAX_RETRY_DELAY}
   */
  public Optional<Duration> maxRetryDelay() {
    return retryDelay.isPresent() || maxRetryDelay.isPresent()
        ? Optional.of(maxRetryDelay.orElse(DEFAULT_MAX_RETRY_DELAY)) : Optional.empty();
  }

  /**
   * Returns whether instances protected from scale-in are kept out of terminations, unless a policy
   * says otherwise.
   *
   * @return default {@code true}
   */
  public boolean scaleInProtection() {
    return scaleInProtection;
  }

  @Override
  public String toString() {
    return "AwsAsgConfig[region=" + region.orElse("(sdk default)")
        + ", credentials=" + (credentials.isPresent() ? "static (redacted)" : "(sdk default chain)")
        + ", retry_attempts=" + retryAttempts
        + retryDelay().map(d -> ", retry_delay=" + Durations.format(d)).orElse("")
        + maxRetryDelay().map(d -> ", max_retry_delay=" + Durations.format(d)).orElse("")
        + ", scale_in_protection=" + scaleInProtection
        + ", endpoint=" + endpoint.map(URI::toString).orElse("(aws)")
        + ", operation_timeout=" + Durations.format(operationTimeout)
        + ", poll_interval=" + Durations.format(pollInterval) + "]";
  }
}
