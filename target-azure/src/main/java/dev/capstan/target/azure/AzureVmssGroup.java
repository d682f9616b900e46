package dev.capstan.target.azure;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The scale set a policy's {@code target "azure-vmss"} block names.
 *
 * @param resourceGroup the resource group holding the scale set
 * @param name the scale set's name
 */
record AzureVmssGroup(String resourceGroup, String name) {

  static final String RESOURCE_GROUP = "resource_group";
  static final String VM_SCALE_SET = "vm_scale_set";
  private static final Pattern RESOURCE_GROUP_NAME = Pattern.compile("[-\\w.()]{0,89}[-\\w()]",
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern SCALE_SET_NAME = Pattern.compile("[A-Za-z0-9](?:[-\\w.]{0,62}\\w)?");

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
    if (!resourceGroup.isEmpty() && !RESOURCE_GROUP_NAME.matcher(resourceGroup).matches()) {
      r.problem(RESOURCE_GROUP, "must be an Azure resource group name: 1 to 90 letters, digits, underscores,"
          + " hyphens, periods or parentheses, not ending in a period");
    }
    String name = r.requiredString(VM_SCALE_SET);
    if (!name.isEmpty() && !SCALE_SET_NAME.matcher(name).matches()) {
      r.problem(VM_SCALE_SET, "must be an Azure scale set name: 1 to 64 letters, digits, underscores, hyphens"
          + " or periods, starting with a letter or digit and ending with a letter, digit or underscore");
    }
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
