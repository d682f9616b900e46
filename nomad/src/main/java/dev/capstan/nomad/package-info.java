/**
 * Capstan's Nomad integration over Nomad's HTTP API: the {@code nomad} node pool
 * ({@link dev.capstan.nomad.NomadNodePoolProvider}), the {@code nomad} job task-group target
 * ({@link dev.capstan.nomad.NomadTargetProvider}, alias {@code nomad-target}), the {@code nomad} metric
 * source ({@link dev.capstan.nomad.NomadMetricSourceProvider}, alias {@code nomad-apm}), the jobs'
 * scaling policies ({@link dev.capstan.nomad.NomadPolicySource}), the expansion of short {@code nomad}
 * queries ({@link dev.capstan.nomad.NomadShortQueries}) and the agent's {@code nomad {}} block that
 * Nomad plug-ins inherit ({@link dev.capstan.nomad.NomadAgentBlock}).
 */
package dev.capstan.nomad;
