package dev.capstan.target.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.spi.Direction;
import dev.capstan.spi.ScalingAction;
import dev.capstan.testkit.FakeEntraId;
import dev.capstan.testkit.LocalHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an evaluation writes to the log through the production pipeline, with the SDK's and MSAL's
 * loggers at INFO (test resources' simplelogger.properties), as an embedder's backend would have them.
 */
final class AzureLogVolumeTest {
  private static final String TENANT = "72f988bf-0000-4000-8000-000000000001";
  private static final String CLIENT = "3c1b0f7e-0000-4000-8000-000000000002";
  private static final String SECRET = "s3cr3t~value";
  private static final Map<String, String> WEB = Map.of("resource_group", "rg", "vm_scale_set", "web");

  private static List<String> logged(Runnable evaluation) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      evaluation.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text.lines().filter(l -> l.contains(" INFO ") || l.contains(" WARN ") || l.contains(" ERROR ")).toList();
  }

  @Test
  void anEvaluation_logsAtMostOneLine() {
    FakeVmssApi api = new FakeVmssApi().addUniform("rg", "web", 2);
    try (LocalHttpServer login = LocalHttpServer.startHttps(new FakeEntraId(TENANT, CLIENT, SECRET));
        LocalHttpServer arm = LocalHttpServer.startHttps(api)) {
      api.baseUrl(arm.uri().toString());
      Map<String, String> config = new HashMap<>(Map.of("subscription_id", FakeVmssApi.SUBSCRIPTION,
          "tenant_id", TENANT, "client_id", CLIENT, "secret_access_key", SECRET, "authority_host",
          login.uri().toString(), "endpoint", arm.uri().toString(), "poll_interval", "5ms"));
      LoopbackRouter router = new LoopbackRouter(Map.of(login.uri().getAuthority(), login,
          arm.uri().getAuthority(), arm));
      try (AzureVmssTarget target = AzureVmssTarget.open(AzureVmssConfig.parse(config, name -> null), router)) {
        List<String> lines = logged(() -> {
          long count = target.status(WEB).count();
          target.scale(new ScalingAction(count + 1, Direction.UP, "test", Map.of(), false), WEB);
        });
        assertThat(lines).hasSizeLessThanOrEqualTo(1);
        List<String> failing = logged(() -> {
          try {
            target.status(Map.of("resource_group", "rg", "vm_scale_set", "missing"));
          } catch (RuntimeException expected) {
            // the caller reports it
          }
        });
        assertThat(failing).hasSizeLessThanOrEqualTo(1);
        api.script("GET", "/virtualMachineScaleSets/web",
            FakeVmssApi.armError(429, "TooManyRequests", "slow down").withHeader("Retry-After", "0"));
        List<String> throttled = logged(() -> target.status(WEB));
        assertThat(throttled).hasSizeLessThanOrEqualTo(1);
      }
    }
  }
}
