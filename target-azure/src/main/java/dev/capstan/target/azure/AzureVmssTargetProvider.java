package dev.capstan.target.azure;

import com.google.auto.service.AutoService;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.util.Map;

/**
 * Provides the {@code azure-vmss} target: Azure virtual machine scale sets, through the Azure SDK.
 *
 * <p>Agent keys: {@code subscription_id} (else {@code AZURE_SUBSCRIPTION_ID}), {@code tenant_id},
 * {@code client_id}, {@code secret_access_key} (a client secret; without it the default Azure
 * credential chain), {@code environment}, {@code authority_host}, {@code endpoint},
 * {@code operation_timeout} (default 10m), {@code poll_interval} (default 15s), {@code retry_attempts}
 * (default 4; {@code max_retries} = attempts - 1 is an alias), {@code retry_delay} (default 800ms),
 * {@code max_retry_delay} (default 8s, also the cap of a {@code Retry-After}). Policy keys: {@code resource_group} and {@code vm_scale_set}
 * (required) plus the cluster scale-in keys.
 */
@AutoService(TargetProvider.class)
public final class AzureVmssTargetProvider implements TargetProvider {

  /** The name policies use: {@code target "azure-vmss" { ... }}. */
  public static final String NAME = "azure-vmss";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public AzureVmssTargetProvider() {}

  /**
   * Returns {@value #NAME}.
   *
   * @return the provider name
   */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the agent configuration and returns a target that authenticates with the configured
   * credential. No call reaches Azure until the first status or scale.
   *
   * @param agentConfig the agent-level keys listed on this class
   * @return a new target; the caller closes it
   * @throws ConfigException naming every bad, missing or unknown key at once
   */
  @Override
  public Target create(Map<String, String> agentConfig) {
    AzureVmssConfig config = AzureVmssConfig.parse(agentConfig, System::getenv);
    return AzureVmssTarget.open(config, AzureVmssClients.defaultHttpClient());
  }
}
