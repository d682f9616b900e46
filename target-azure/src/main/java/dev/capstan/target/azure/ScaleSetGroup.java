package dev.capstan.target.azure;

import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One scale set bound by {@link AzureVmssTarget#bind}: its target block parsed once into an
 * {@link AzureVmssGroup}; every call goes to the target that bound it.
 */
final class ScaleSetGroup implements InstanceTargetGroup {
  private final AzureVmssTarget target;
  private final AzureVmssGroup group;
  private final String id;

  ScaleSetGroup(AzureVmssTarget target, String subscriptionId, AzureVmssGroup group) {
    this.target = target;
    this.group = group;
    // Azure resource group and resource names are case-insensitive: "RG-Web" and "rg-web" are one group.
    this.id = ("azure-vmss:" + subscriptionId + "/" + group.resourceGroup() + "/" + group.name()).toLowerCase(Locale.ROOT);
  }

  AzureVmssGroup group() {
    return group;
  }

  /** Returns whether {@code target} bound this group, so its batched read may include it. */
  boolean boundBy(AzureVmssTarget target) {
    return this.target == target;
  }

  /** Returns {@code azure-vmss:<subscription>/<resource group>/<scale set>}, lower case. */
  @Override
  public String id() {
    return id;
  }

  @Override
  public TargetStatus status() {
    return target.read(group);
  }

  @Override
  public void scale(ScalingAction action) {
    target.setCapacity(group, action);
  }

  @Override
  public void terminate(List<String> instanceIds) {
    target.remove(group, instanceIds);
  }

  @Override
  public Optional<List<String>> instanceIds() {
    return target.liveInstances(group);
  }

  @Override
  public String toString() {
    return id;
  }
}
