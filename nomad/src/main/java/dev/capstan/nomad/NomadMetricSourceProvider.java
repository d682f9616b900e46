package dev.capstan.nomad;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceProvider;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * Provides the {@code nomad} metric source: nomad-autoscaler's {@code nomad-apm} queries over Nomad's
 * own API, answered with the current value. {@link Alias} provides it under the peer's name,
 * {@code nomad-apm}.
 *
 * <p>Agent keys: those of nomad-autoscaler's {@code nomad {}} block (see {@link NomadNodePoolProvider}),
 * with Nomad's environment variables for keys not set, plus the peer's node filter options
 * {@code node_filter_ignore_init} and {@code node_filter_ignore_drain} (default {@code false}: an
 * initializing or draining node in a queried pool fails the query). Queries: see the module's docs
 * ({@code docs/nomad.md}).
 */
@AutoService(MetricSourceProvider.class)
public class NomadMetricSourceProvider implements MetricSourceProvider {
  /** The name checks and agent files use: {@code source = "nomad"}. */
  public static final String NAME = "nomad";
  static final String IGNORE_INIT = "node_filter_ignore_init";
  static final String IGNORE_DRAIN = "node_filter_ignore_drain";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public NomadMetricSourceProvider() {}

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
   * Parses the configuration, falling back to the process environment, and returns a source;
   * nothing is sent until the first query.
   *
   * @param config the source's configuration, see the class description
   * @return a thread-safe source
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key at once; the token and
   *     {@code http_auth} are never quoted
   */
  @Override
  public MetricSource create(Map<String, String> config) {
    return create(config, System::getenv, Clock.systemUTC());
  }

  static NomadMetricSource create(Map<String, String> config, Function<String, String> env, Clock clock) {
    ConfigReader r = ConfigReader.of(config, "nomad metric source");
    NomadConfig nomad = NomadConfig.read(r, config, env);
    boolean ignoreInit = r.booleanValue(IGNORE_INIT, false);
    boolean ignoreDrain = r.booleanValue(IGNORE_DRAIN, false);
    r.rejectUnknownKeys();
    r.validate();
    return new NomadMetricSource(new NomadClient(nomad), clock, ignoreInit, ignoreDrain);
  }

  /** The {@code nomad} metric source under nomad-autoscaler's plug-in name, {@code nomad-apm}. */
  @AutoService(MetricSourceProvider.class)
  public static final class Alias extends NomadMetricSourceProvider {
    /** nomad-autoscaler's name of its Nomad APM plug-in. */
    public static final String ALIAS = "nomad-apm";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public Alias() {}

    /**
     * Returns {@value #ALIAS}.
     *
     * @return the provider name
     */
    @Override
    public String name() {
      return ALIAS;
    }
  }
}
