/**
 * The {@code prometheus} metric source: PromQL over the Prometheus HTTP API, on the JDK's HTTP client
 * with a streaming JSON parser. Register-free use: {@code new PrometheusSourceProvider().create(config)}.
 */
package dev.capstan.source.prometheus;
