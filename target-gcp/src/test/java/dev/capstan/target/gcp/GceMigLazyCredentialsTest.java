package dev.capstan.target.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.CredentialsProvider;
import com.google.auth.Credentials;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.LocalHttpServer;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Credentials are resolved at the first request: creating a target never asks for them. */
final class GceMigLazyCredentialsTest {
  private static final Map<String, String> WEB = Map.of("mig_name", "web", "zone", "us-central1-a");

  private static GceMigConfig config(LocalHttpServer server) {
    return GceMigConfig.parse(Map.of("project", "proj", "endpoint", server.uri().toString(),
        "retry_attempts", "1", "request_timeout", "5s"));
  }

  @Test
  void create_asksNoCredentials_theFirstRequestDoesAndSignsWithThem() throws Exception {
    FakeComputeApi api = new FakeComputeApi();
    api.addGroup("proj", "zones/us-central1-a", "web", 3);
    AtomicInteger asked = new AtomicInteger();
    Credentials token = GoogleCredentials.create(new AccessToken("ya29.test-token",
        Date.from(Instant.now().plusSeconds(3600))));
    CredentialsProvider counting = () -> {
      asked.incrementAndGet();
      return token;
    };
    try (LocalHttpServer server = LocalHttpServer.start(api);
        GceMigTarget target = GceMigTarget.create(config(server), counting)) {
      target.bind(WEB);
      assertThat(asked).as("create and bind").hasValue(0);
      assertThat(server.requests()).isEmpty();

      assertThat(target.status(WEB).count()).isEqualTo(3);
      target.status(WEB);

      assertThat(asked).as("resolved once, at the first request").hasValue(1);
      assertThat(server.requests()).allSatisfy(r ->
          assertThat(r.header("Authorization")).isEqualTo("Bearer ya29.test-token"));
    }
  }

  @Test
  void firstRequest_credentialsUnavailable_clearErrorNamingTheKey() throws Exception {
    CredentialsProvider none = () -> {
      throw new IOException("Your default credentials were not found");
    };
    try (LocalHttpServer server = LocalHttpServer.start(new FakeComputeApi());
        GceMigTarget target = GceMigTarget.create(config(server), none)) {
      assertThatThrownBy(() -> target.status(WEB)).isInstanceOf(TargetException.class)
          .hasMessageContaining("no Google credentials could be loaded (set credentials")
          .hasMessageContaining("Your default credentials were not found");
      assertThat(server.requests()).as("nothing unsigned was sent").isEmpty();
    }
  }
}
