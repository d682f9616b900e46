/**
 * The policy model ({@link dev.capstan.policy.ScalingPolicy}, {@link dev.capstan.policy.Check},
 * {@link dev.capstan.policy.PluginRef}) and the parsing of nomad-autoscaler policy files.
 */
package dev.capstan.policy;
