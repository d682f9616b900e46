package dev.capstan.target.azure;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import java.util.Map;

/**
 * The scale set a policy's {@code target "azure-vmss"} block names.
 *
 * @param resourceGroup the resource group holding the scale set
 * @param name the scale set's name
 */
record AzureVmssGroup(String resourceGroup, String name) {

  static final String RESOURCE_GROUP = "resource_group";
  static final String VM_SCALE_SET = "vm_scale_set";

  /**
   * Parses a policy's target block: {@code resource_group} and {@code vm_scale_set} are required, the
   * cluster scale-in keys ({@link InstanceGroup#CLUSTER_KEYS}) are accepted, anything else is an error.
   *
   * @param config the policy's target attributes
   * @return the group
   * @throws ConfigException naming every missing, blank or unknown key
   */
  static AzureVmssGroup parse(Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "azure-vmss policy target");
    String resourceGroup = r.requiredString(RESOURCE_GROUP);
    String name = r.requiredString(VM_SCALE_SET);
    r.allow(InstanceGroup.CLUSTER_KEYS.toArray(String[]::new));
    r.rejectUnknownKeys();
    r.validate();
    return new AzureVmssGroup(resourceGroup, name);
  }

  @Override
  public String toString() {
    return "scale set '" + name + "' in resource group '" + resourceGroup + "'";
  }
}
