package dev.capstan.target.azure;

import dev.capstan.spi.Target;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.TargetContract;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

final class AzureVmssTargetContractTest extends TargetContract {
  private LocalHttpServer server;
  private FakeVmssApi api;

  @Override
  protected Target createTarget() {
    api = new FakeVmssApi().addUniform("rg-web", "web", 3);
    server = FakeVmssApi.serve(api);
    return AzureVmssTargets.local(server, Map.of());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected Map<String, String> groupConfig() {
    return Map.of("resource_group", "rg-web", "vm_scale_set", "web");
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of("resource_group", "rg-web", "vm_scale_set", "no-such-vmss");
  }

  @Override
  protected String missingGroupName() {
    return "no-such-vmss";
  }

  @Override
  protected java.util.Optional<Target> targetLeavingTerminationsUnconfirmed() {
    api.neverFinish();
    return java.util.Optional.of(AzureVmssTargets.local(server, Map.of("operation_timeout", "100ms")));
  }

  @Override
  protected long requestsMade() {
    return server.requests().size();
  }

  @Override
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, Map<String, String>> bad = new HashMap<>(super.badConfigs());
    bad.put("vm_scale_set", Map.of("resource_group", "rg-web"));
    bad.put("resource_group", Map.of("resource_group", "rg/web", "vm_scale_set", "web"));
    return bad;
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected List<String> initialInstanceIds() {
    return List.of("0", "1", "2");
  }
}
