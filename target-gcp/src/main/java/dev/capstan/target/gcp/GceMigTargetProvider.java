package dev.capstan.target.gcp;

import com.google.auto.service.AutoService;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.util.Map;

/**
 * Provides the {@value #NAME} target: Google Compute Engine managed instance groups, zonal or
 * regional, driven through the {@code google-cloud-compute} REST client.
 *
 * <p>Agent keys: {@code project}, {@code credentials}, {@code endpoint}, {@code retry_attempts},
 * {@code retry_delay}, {@code request_timeout}, {@code operation_timeout}, {@code poll_interval}.
 * Policy keys: {@code mig_name}, exactly one of {@code zone} or {@code region}, optionally
 * {@code project}, and the cluster scale-in keys. See {@link GceMigTarget}.
 */
@AutoService(TargetProvider.class)
public final class GceMigTargetProvider implements TargetProvider {

  /** The name policies use: {@code target "gce-mig" { ... }}. */
  public static final String NAME = "gce-mig";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public GceMigTargetProvider() {
    // Nothing to set up: every target gets its own clients in create().
  }

  /**
   * Returns {@value #NAME}.
   *
   * @return the provider's name
   */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Creates a target; see {@link GceMigTarget#create(Map)}.
   *
   * @param agentConfig the agent-level configuration
   * @return a new target; the caller closes it
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key, or when no credentials
   *     can be found
   */
  @Override
  public Target create(Map<String, String> agentConfig) {
    return GceMigTarget.create(agentConfig);
  }
}
