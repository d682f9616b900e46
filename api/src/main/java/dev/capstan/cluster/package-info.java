/**
 * Cluster scale-in: choose nodes, drain them in the scheduler, terminate exactly those instances,
 * and purge them from the scheduler afterwards.
 *
 * <p>The scheduler side is the {@link dev.capstan.cluster.NodePool} SPI, implemented by the
 * embedder's scheduler. {@code dev.capstan.cluster.ClusterTarget} (in capstan-core) wraps a cloud
 * {@link dev.capstan.spi.Target} that is also an {@link dev.capstan.spi.InstanceGroup} so that a
 * scale-down becomes select → drain → terminate → purge, journaled so a crash in between is
 * reconciled on restart.
 */
package dev.capstan.cluster;
