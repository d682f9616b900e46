package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class FakeEntraIdTest {
  private final FakeEntraId entra = new FakeEntraId("tenant-1", "client-1", "the-secret");

  private static RecordedRequest token(String tenant, String form) {
    return new RecordedRequest("POST", "/" + tenant + "/oauth2/v2.0/token", "",
        Map.of("content-type", "application/x-www-form-urlencoded"), form);
  }

  @Test
  void rightSecret_issuesABearerToken() {
    Response r = entra.apply(token("tenant-1", "grant_type=client_credentials&client_id=client-1"
        + "&client_secret=the-secret&scope=https%3A%2F%2Fmanagement.core.windows.net%2F.default"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"token_type\":\"Bearer\"", "\"expires_in\":3599",
        "\"access_token\":\"fake-entra-token-1\"");
    assertThat(entra.issuedTokens()).containsExactly("fake-entra-token-1");
  }

  @Test
  void wrongSecret_401InvalidClientWithAadsts7000215AndNotTheSecret() {
    Response r = entra.apply(token("tenant-1", "grant_type=client_credentials&client_id=client-1&client_secret=oops"));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("\"error\":\"invalid_client\"", "AADSTS7000215: Invalid client secret provided",
        "\"error_codes\":[7000215]", "\"trace_id\"", "\"correlation_id\"").doesNotContain("oops");
    assertThat(entra.issuedTokens()).isEmpty();
    assertThat(entra.tokenRequests()).hasSize(1);
  }

  @Test
  void unknownTenantOrClient_400WithTheirCodes() {
    assertThat(entra.apply(token("tenant-2", "grant_type=client_credentials&client_id=client-1&client_secret=x")))
        .satisfies(r -> {
          assertThat(r.status()).isEqualTo(400);
          assertThat(r.body()).contains("AADSTS90002");
        });
    assertThat(entra.apply(token("tenant-1", "grant_type=client_credentials&client_id=nobody&client_secret=x")))
        .satisfies(r -> {
          assertThat(r.status()).isEqualTo(400);
          assertThat(r.body()).contains("\"unauthorized_client\"", "AADSTS700016");
        });
  }

  @Test
  void instanceDiscovery_answersMetadataForTheAskedHost() {
    Response r = entra.apply(new RecordedRequest("GET", "/common/discovery/instance",
        "api-version=1.1&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.us%2Ftenant-1%2Foauth2%2Fv2.0%2Fauthorize",
        Map.of(), ""));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"tenant_discovery_endpoint\":\"https://login.microsoftonline.us/tenant-1/v2.0/"
        + ".well-known/openid-configuration\"", "\"preferred_network\":\"login.microsoftonline.us\"");
  }

  @Test
  void correlationId_echoedWhenAskedAsTheServiceDoes() {
    Response r = entra.apply(new RecordedRequest("POST", "/tenant-1/oauth2/v2.0/token", "",
        Map.of("client-request-id", "abc", "return-client-request-id", "true"),
        "grant_type=client_credentials&client_id=client-1&client_secret=the-secret"));

    assertThat(r.headers()).containsEntry("client-request-id", "abc");
  }
}
