package dev.capstan.target.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.Direction;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.FakeEntraId;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The production pipeline, credential included: azure-identity's ClientSecretCredential asks a local
 * HTTPS Entra ID for a token and the bearer policy signs every request to a local HTTPS Resource
 * Manager. Nothing is bypassed but the network: {@link LoopbackRouter} sends each host to its fake.
 */
final class AzureProductionPipelineTest {
  private static final String TENANT = "72f988bf-0000-4000-8000-000000000001";
  private static final String CLIENT = "3c1b0f7e-0000-4000-8000-000000000002";
  private static final String SECRET = "s3cr3t~value-that-must-never-be-shown";
  private static final String RG = "rg-web";
  private static final Map<String, String> WEB = Map.of("resource_group", RG, "vm_scale_set", "web");

  private final FakeEntraId entra = new FakeEntraId(TENANT, CLIENT, SECRET);
  private final FakeVmssApi api = new FakeVmssApi().addUniform(RG, "web", 2);
  private final LocalHttpServer login = LocalHttpServer.startHttps(entra);
  private final LocalHttpServer arm = LocalHttpServer.startHttps(api);
  private AzureVmssTarget target;

  @AfterEach
  void stop() {
    if (target != null) {
      target.close();
    }
    login.close();
    arm.close();
  }

  private static String hostOf(LocalHttpServer server) {
    return server.uri().getHost() + ":" + server.uri().getPort();
  }

  private AzureVmssTarget open(Map<String, String> overrides, LoopbackRouter router) {
    Map<String, String> config = new HashMap<>(Map.of("subscription_id", FakeVmssApi.SUBSCRIPTION,
        "tenant_id", TENANT, "client_id", CLIENT, "secret_access_key", SECRET,
        "poll_interval", "5ms", "operation_timeout", "5s", "retry_attempts", "3", "retry_delay", "5ms",
        "max_retry_delay", "20ms"));
    config.putAll(overrides);
    target = AzureVmssTarget.open(AzureVmssConfig.parse(config, name -> null), router);
    return target;
  }

  private AzureVmssTarget openLocal() {
    return openLocal(Map.of());
  }

  private AzureVmssTarget openLocal(Map<String, String> overrides) {
    api.baseUrl(arm.uri().toString());
    Map<String, String> config = new HashMap<>(Map.of("authority_host", login.uri().toString(),
        "endpoint", arm.uri().toString()));
    config.putAll(overrides);
    return open(config, new LoopbackRouter(Map.of(hostOf(login), login, hostOf(arm), arm)));
  }

  private static String stackTraceOf(Throwable e) {
    java.io.StringWriter out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  @Test
  void tokenRequest_carriesClientIdSecretAndTheResourceManagerScope() {
    openLocal().status(WEB);

    assertThat(entra.tokenRequests()).hasSize(1);
    RecordedRequest token = entra.tokenRequests().get(0);
    assertThat(token.path()).isEqualTo("/" + TENANT + "/oauth2/v2.0/token");
    assertThat(token.formParams()).containsEntry("grant_type", "client_credentials")
        .containsEntry("client_id", CLIENT).containsEntry("client_secret", SECRET);
    // MSAL adds the OpenID scopes to every request; the resource's scope is the one that matters.
    assertThat(token.formParams().get("scope").split(" ")).contains("https://management.core.windows.net/.default");
    assertThat(login.requests()).as("instance discovery is off for a configured authority")
        .extracting(RecordedRequest::path).containsExactly("/" + TENANT + "/oauth2/v2.0/token");
  }

  @Test
  void everyResourceManagerRequest_carriesTheIssuedBearerToken() {
    AzureVmssTarget t = openLocal();
    t.status(WEB);
    t.scale(new ScalingAction(4, Direction.UP, "test", Map.of(), false), WEB);
    t.status(WEB);

    assertThat(entra.issuedTokens()).containsExactly("fake-entra-token-1");
    assertThat(arm.requests()).hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer fake-entra-token-1"));
    assertThat(t.status(WEB).count()).isEqualTo(4);
  }

  @Test
  void refusedSecret_failsOnceWithTheAadstsCodeAndNeverTheSecret() {
    String wrong = "wr0ng~secret-value";
    AzureVmssTarget t = openLocal(Map.of("secret_access_key", wrong));
    assertThatThrownBy(() -> t.status(WEB)).isInstanceOf(TargetException.class)
        .hasMessageContaining("AADSTS7000215: Invalid client secret provided")
        .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain(wrong).doesNotContain(SECRET));
    assertThat(entra.tokenRequests()).as("a refused credential is not asked again").hasSize(1);
    assertThat(arm.requests()).as("nothing unsigned reaches Resource Manager").isEmpty();
  }

  @Test
  void sovereignEnvironment_setsAuthorityResourceManagerAndAudienceTogether() {
    api.baseUrl("https://management.usgovcloudapi.net");
    LoopbackRouter router = new LoopbackRouter(Map.of("login.microsoftonline.us", login,
        "management.usgovcloudapi.net", arm));
    open(Map.of("environment", "AzureUSGovernment"), router).status(WEB);

    assertThat(router.sent()).filteredOn(s -> s.url().getPath().endsWith("/oauth2/v2.0/token"))
        .as("the authority").singleElement()
        .satisfies(s -> assertThat(s.url().toString())
            .isEqualTo("https://login.microsoftonline.us/" + TENANT + "/oauth2/v2.0/token"));
    assertThat(entra.tokenRequests().get(0).formParams().get("scope").split(" ")).as("the audience")
        .contains("https://management.core.usgovcloudapi.net/.default");
    assertThat(router.sent()).filteredOn(s -> s.url().getPath().startsWith("/subscriptions/"))
        .as("the resource manager").isNotEmpty()
        .allSatisfy(s -> assertThat(s.url().getHost()).isEqualTo("management.usgovcloudapi.net"));
  }
}
