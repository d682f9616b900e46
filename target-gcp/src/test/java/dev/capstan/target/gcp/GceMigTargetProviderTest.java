package dev.capstan.target.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Target;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class GceMigTargetProviderTest {

  @Test
  void plugins_gceMigWithBadConfig_findsTheProviderAndReportsTheKey() {
    assertThatThrownBy(() -> Plugins.target("gce-mig", Map.of("retry_attempts", "many")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("retry_attempts was 'many' but it must be a whole number");
  }

  @Test
  void create_serviceAccountKeyFile_fetchesATokenAndSendsIt(@TempDir Path dir) throws Exception {
    FakeComputeApi api = new FakeComputeApi();
    api.addGroup("proj", "zones/us-central1-a", "web", 2);
    try (LocalHttpServer server = LocalHttpServer.start(request -> request.path().equals("/token")
        ? Response.json(200, "{\"access_token\": \"ya29.test-token\", \"expires_in\": 3600, \"token_type\": \"Bearer\"}")
        : api.apply(request))) {
      Path key = serviceAccountKey(dir, server.uri() + "/token");
      try (Target target = Plugins.target("gce-mig", Map.of("credentials", key.toString(),
          "endpoint", server.uri().toString(), "project", "proj"))) {

        assertThat(target.status(Map.of("mig_name", "web", "zone", "us-central1-a")).count()).isEqualTo(2);
      }
      assertThat(server.requests()).extracting(LocalHttpServer.RecordedRequest::path)
          .containsExactly("/token", "/compute/v1/projects/proj/zones/us-central1-a/instanceGroupManagers/web");
      assertThat(server.requests().get(0).formParams()).containsKey("assertion");
      assertThat(server.requests().get(1).header("Authorization")).isEqualTo("Bearer ya29.test-token");
    }
  }

  @Test
  void create_unreadableKeyFile_isAConfigProblemWithoutTheContent(@TempDir Path dir) throws IOException {
    Path key = Files.writeString(dir.resolve("key.json"), "{\"type\": \"service_account\", \"secret\": \"s3cr3t\"}");

    assertThatThrownBy(() -> Plugins.target("gce-mig", Map.of("credentials", key.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("credentials was '" + key + "' but it could not be read as a service-account JSON key")
        .hasMessageNotContaining("s3cr3t");
  }

  /** Writes a service-account key with a fresh RSA key whose token endpoint is {@code tokenUri}. */
  private static Path serviceAccountKey(Path dir, String tokenUri) throws IOException, NoSuchAlgorithmException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\\n"
        + Base64.getEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\\n-----END PRIVATE KEY-----\\n";
    return Files.writeString(dir.resolve("key.json"), "{\"type\": \"service_account\", \"project_id\": \"proj\","
        + " \"private_key_id\": \"k1\", \"private_key\": \"" + pem + "\","
        + " \"client_email\": \"capstan@proj.iam.gserviceaccount.com\", \"client_id\": \"1\","
        + " \"token_uri\": \"" + tokenUri + "\"}");
  }
}
