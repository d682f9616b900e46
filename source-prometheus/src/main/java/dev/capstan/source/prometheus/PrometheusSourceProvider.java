package dev.capstan.source.prometheus;

import com.google.auto.service.AutoService;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceProvider;
import java.util.Map;

/**
 * Provides the {@code prometheus} metric source: PromQL queries against a Prometheus server.
 *
 * <p>Keys: {@code address} (default {@code http://127.0.0.1:9090}), {@code basic_auth_user} and
 * {@code basic_auth_password}, {@code header.<Name>} for extra request headers, {@code ca_file} (a
 * PEM file of CAs to trust for https) and {@code timeout} (a Go duration, default {@code 10s}).
 */
@AutoService(MetricSourceProvider.class)
public final class PrometheusSourceProvider implements MetricSourceProvider {
  /** The name checks use: {@code source = "prometheus"}. */
  public static final String NAME = "prometheus";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public PrometheusSourceProvider() {}

  /**
   * Returns {@value #NAME}.
   *
   * @return the provider name
   */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the configuration and returns a source connected to the configured server; nothing is
   * sent until the first query.
   *
   * @param config the source's configuration, see the class description
   * @return a thread-safe source; the caller closes it
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key at once; passwords and
   *     header values are never quoted
   */
  @Override
  public MetricSource create(Map<String, String> config) {
    return new PrometheusSource(PrometheusConfig.parse(config));
  }
}
