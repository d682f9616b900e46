package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class NomadAgentBlockTest {
  private static final Map<String, String> AGENT = Map.of("address", "https://nomad:4646", "token", "agent-token",
      "namespace", "apps");

  @Test
  void inherit_pluginWithoutConfig_getsTheWholeBlock() {
    assertThat(NomadAgentBlock.inherit(Map.of(), AGENT)).isEqualTo(AGENT);
  }

  @Test
  void inherit_keyByKey_thePluginsOwnValueWinsInEitherSpelling() {
    Map<String, String> merged = NomadAgentBlock.inherit(Map.of("nomad_address", "http://other:4646",
        "node_id_attribute", "unique.id"), AGENT);

    assertThat(merged).containsEntry("nomad_address", "http://other:4646").doesNotContainKey("address")
        .containsEntry("token", "agent-token").containsEntry("namespace", "apps")
        .containsEntry("node_id_attribute", "unique.id");
  }

  @Test
  void inherit_peerSpellingInTheBlock_isInheritedToo() {
    assertThat(NomadAgentBlock.inherit(Map.of(), Map.of("nomad_http-auth", "u:p"))).containsEntry("http_auth", "u:p");
  }

  @Test
  void inherit_false_inheritsNothing_andTheKeyNeverReachesThePlugin() {
    assertThat(NomadAgentBlock.inherit(Map.of("nomad_config_inherit", "false", "address", "http://x:1"), AGENT))
        .isEqualTo(Map.of("address", "http://x:1"));
    assertThat(NomadAgentBlock.inherit(Map.of("nomad_config_inherit", "true"), AGENT)).isEqualTo(AGENT);
  }

  @Test
  void inherit_badSwitch_namesTheKeyAndTheValue() {
    assertThatThrownBy(() -> NomadAgentBlock.inherit(Map.of("nomad_config_inherit", "maybe"), AGENT))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nomad_config_inherit was 'maybe' but it must be true or false");
  }

  @Test
  void keys_areThePeersNomadBlockKeys() {
    assertThat(NomadAgentBlock.KEYS).containsExactly("address", "region", "namespace", "token", "http_auth",
        "ca_cert", "ca_path", "client_cert", "client_key", "tls_server_name", "skip_verify", "block_query_wait_time");
  }
}
