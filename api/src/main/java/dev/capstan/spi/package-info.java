/**
 * The three service-provider interfaces of Capstan and the values they exchange.
 *
 * <p>A {@link dev.capstan.spi.MetricSource} answers a query with a {@link dev.capstan.spi.MetricSeries}, a
 * {@link dev.capstan.spi.Strategy} turns it into a desired count, and a {@link dev.capstan.spi.Target}
 * applies a {@link dev.capstan.spi.ScalingAction}. Each is created once from its provider's typed
 * configuration; providers are found by name through {@link java.util.ServiceLoader} (see
 * {@link dev.capstan.Plugins}).
 */
package dev.capstan.spi;
