/**
 * The {@code azure-vmss} target: Azure virtual machine scale sets through the Azure Resource Manager
 * compute SDK. {@link dev.capstan.target.azure.AzureVmssTargetProvider} is the only public type.
 */
package dev.capstan.target.azure;
