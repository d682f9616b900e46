package dev.capstan.target.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.LocalHttpServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AzureVmssTargetProviderTest {
  private static final String SECRET = "not-a-real-secret-42";

  @Test
  void plugins_azureVmss_findsTheProvider() {
    assertThat(Plugins.targetNames()).contains("azure-vmss");
    assertThat(Plugins.targetProvider("azure-vmss")).isInstanceOf(AzureVmssTargetProvider.class);
  }

  @Test
  void create_badConfig_throwsNamingTheKey() {
    assertThatThrownBy(() -> new AzureVmssTargetProvider().create(Map.of("subscription_id", "s", "max_retries", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max_retries was 'x' but it must be a whole number");
  }

  @Test
  void create_httpEndpoint_refusedAtLoadWithNothingSent() {
    try (LocalHttpServer server = LocalHttpServer.start(new FakeVmssApi().addUniform("rg", "web", 2))) {
      assertThatThrownBy(() -> Plugins.target("azure-vmss", Map.of("subscription_id", FakeVmssApi.SUBSCRIPTION,
          "tenant_id", "tenant", "client_id", "client", "secret_access_key", SECRET,
          "endpoint", server.uri().toString())))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("endpoint was '" + server.uri() + "' but it must be https")
          .message().doesNotContain(SECRET);
      assertThat(server.requests()).isEmpty();
    }
  }
}
