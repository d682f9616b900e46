package dev.capstan.nomad;

import com.google.auto.service.AutoService;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolProvider;
import dev.capstan.config.ConfigReader;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Provides the {@code nomad} node pool: Nomad's client nodes, drained, made eligible and purged
 * through Nomad's HTTP API.
 *
 * <p>Keys: those of nomad-autoscaler's {@code nomad {}} block ({@code address}, {@code region},
 * {@code namespace}, {@code token}, {@code http_auth}, {@code ca_cert}, {@code ca_path},
 * {@code client_cert}, {@code client_key}, {@code skip_verify}, {@code block_query_wait_time}; also
 * spelled {@code nomad_address}, {@code nomad_http-auth}, ...), with Nomad's environment variables
 * ({@code NOMAD_ADDR}, {@code NOMAD_TOKEN}, ...) for keys not set; plus {@code node_id_attribute},
 * the node attribute that holds the cloud instance id when the default per-cloud attributes do not.
 * When the agent runs as a Nomad task ({@code NOMAD_ALLOC_ID} is set), the pool reports that
 * allocation's node as {@link NodePool#localNodeId}, so scale-in never drains the agent's own node.
 */
@AutoService(NodePoolProvider.class)
public final class NomadNodePoolProvider implements NodePoolProvider {
  /** The name an agent file's {@code node_pool} block uses as its driver. */
  public static final String NAME = "nomad";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public NomadNodePoolProvider() {}

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
   * Parses the configuration, falling back to the process environment, and returns a pool; nothing
   * is sent until the first call.
   *
   * @param config the pool's configuration, see the class description
   * @return a thread-safe pool
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key at once; the token and
   *     {@code http_auth} are never quoted
   */
  @Override
  public NodePool create(Map<String, String> config) {
    return create(config, System::getenv);
  }

  static NomadNodePool create(Map<String, String> config, Function<String, String> env) {
    ConfigReader r = ConfigReader.of(config, "nomad node pool");
    NomadConfig nomad = NomadConfig.read(r, config, env);
    Optional<String> idAttribute = r.optionalString(NomadNodePool.NODE_ID_ATTRIBUTE);
    r.rejectUnknownKeys();
    r.validate();
    Optional<String> allocId = Optional.ofNullable(env.apply(NomadNodePool.ALLOC_ID_ENV)).map(String::strip)
        .filter(s -> !s.isEmpty());
    return new NomadNodePool(new NomadClient(nomad), idAttribute, allocId);
  }
}
