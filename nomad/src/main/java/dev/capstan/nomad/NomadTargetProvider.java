package dev.capstan.nomad;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.util.Map;
import java.util.function.Function;

/**
 * Provides the {@code nomad} target: a Nomad job's task group count. {@link Alias} provides the same
 * target under nomad-autoscaler's own name, {@code nomad-target}.
 *
 * <p>Agent keys: those of nomad-autoscaler's {@code nomad {}} block (see
 * {@link NomadNodePoolProvider}), with Nomad's environment variables for keys not set. Policy keys:
 * {@code Job}, {@code Group}, optional {@code Namespace}.
 */
@AutoService(TargetProvider.class)
public class NomadTargetProvider implements TargetProvider {
  /** The name policies and agent files use: {@code target "nomad"}. */
  public static final String NAME = "nomad";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public NomadTargetProvider() {}

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
   * Parses the configuration, falling back to the process environment, and returns a target;
   * nothing is sent until the first call.
   *
   * @param agentConfig the target's configuration, see the class description
   * @return a thread-safe target
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key at once; the token and
   *     {@code http_auth} are never quoted
   */
  @Override
  public Target create(Map<String, String> agentConfig) {
    return create(agentConfig, System::getenv);
  }

  static NomadTarget create(Map<String, String> config, Function<String, String> env) {
    ConfigReader r = ConfigReader.of(config, "nomad target");
    NomadConfig nomad = NomadConfig.read(r, config, env);
    r.rejectUnknownKeys();
    r.validate();
    return new NomadTarget(new NomadClient(nomad));
  }

  /** The {@code nomad} target under nomad-autoscaler's plug-in name, {@code nomad-target}. */
  @AutoService(TargetProvider.class)
  public static final class Alias extends NomadTargetProvider {
    /** nomad-autoscaler's name of its Nomad target plug-in. */
    public static final String ALIAS = "nomad-target";

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
