/**
 * Capstan's Nomad integration over Nomad's HTTP API: the {@code nomad} node pool
 * ({@link dev.capstan.nomad.NomadNodePoolProvider}) and the {@code nomad} job task-group target
 * ({@link dev.capstan.nomad.NomadTargetProvider}, alias {@code nomad-target}).
 */
package dev.capstan.nomad;
