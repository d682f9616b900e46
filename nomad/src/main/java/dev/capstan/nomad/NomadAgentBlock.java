package dev.capstan.nomad;

import dev.capstan.spi.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The agent file's {@code nomad {}} block and how Nomad plug-ins inherit it, as nomad-autoscaler's
 * agent merges its Nomad configuration into every plug-in's: key by key, a key the plug-in sets itself
 * (in either spelling, {@code address} or {@code nomad_address}) wins, every other key of the block is
 * added. A plug-in whose config says {@code nomad_config_inherit = "false"} inherits nothing; the key
 * itself is always removed, so the plug-in never sees it. Stateless.
 */
public final class NomadAgentBlock {
  /** The keys of the {@code nomad {}} block, in the agent block's spelling. */
  public static final List<String> KEYS = NomadConfig.KEYS.stream().map(NomadConfig.Key::agent).toList();
  /** The plug-in key that turns inheritance off, as nomad-autoscaler's. */
  public static final String INHERIT = "nomad_config_inherit";
  /** The driver names of Capstan's Nomad plug-ins: node pool, target and metric source, with the peer's aliases. */
  public static final Set<String> DRIVERS = Set.of(NomadTargetProvider.NAME, NomadTargetProvider.Alias.ALIAS,
      NomadMetricSourceProvider.Alias.ALIAS);

  private NomadAgentBlock() {}

  /**
   * Returns a Nomad plug-in's configuration with the agent's {@code nomad {}} block merged in.
   *
   * @param plugin the plug-in's own configuration
   * @param agent the agent's {@code nomad {}} block, in either spelling
   * @return a new map: the plug-in's keys (without {@link #INHERIT}) and the block's keys it does not set
   * @throws ConfigException if {@link #INHERIT} is neither {@code true} nor {@code false}
   */
  public static Map<String, String> inherit(Map<String, String> plugin, Map<String, String> agent) {
    Map<String, String> merged = new LinkedHashMap<>(plugin);
    String inherit = merged.remove(INHERIT);
    if (inherit != null) {
      switch (inherit.strip().toLowerCase(Locale.ROOT)) {
        case "true":
          break;
        case "false":
          return merged;
        default:
          throw new ConfigException("nomad plug-in", List.of(INHERIT + " was '" + inherit
              + "' but it must be true or false"));
      }
    }
    for (NomadConfig.Key key : NomadConfig.KEYS) {
      if (merged.containsKey(key.agent()) || merged.containsKey(key.plugin())) {
        continue;
      }
      String value = agent.containsKey(key.agent()) ? agent.get(key.agent()) : agent.get(key.plugin());
      if (value != null) {
        merged.put(key.agent(), value);
      }
    }
    return merged;
  }
}
