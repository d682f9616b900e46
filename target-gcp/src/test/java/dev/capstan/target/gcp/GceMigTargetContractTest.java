package dev.capstan.target.gcp;

import dev.capstan.spi.Target;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.TargetContract;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The {@code gce-mig} target honours the Target contract against the fake Compute Engine API. */
final class GceMigTargetContractTest extends TargetContract {
  private LocalHttpServer server;
  private FakeComputeApi api;

  @Override
  protected Target createTarget() {
    api = new FakeComputeApi();
    api.addGroup("proj", "zones/us-central1-a", "web", 3);
    server = LocalHttpServer.start(api);
    return GceMigTargetTest.target(server, Map.of());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected Map<String, String> groupConfig() {
    return Map.of("mig_name", "web", "zone", "us-central1-a");
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of("mig_name", "nope", "zone", "us-central1-a");
  }

  @Override
  protected String missingGroupName() {
    return "projects/proj/zones/us-central1-a/instanceGroupManagers/nope";
  }

  @Override
  protected java.util.Optional<Target> targetLeavingTerminationsUnconfirmed() {
    // The operation is not seen to end and the per-instance read-back fails: nothing can be confirmed.
    api.pollsUntilDone(Integer.MAX_VALUE);
    api.fail("POST", "/listManagedInstances", 403, "Required 'compute.instanceGroupManagers.get' permission", 100);
    return java.util.Optional.of(GceMigTargetTest.target(server, Map.of("operation_timeout", "100ms")));
  }

  @Override
  protected long requestsMade() {
    return server.requests().size();
  }

  @Override
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, Map<String, String>> bad = new HashMap<>(super.badConfigs());
    bad.put("mig_name", Map.of("mig_name", "Not_A_Name", "zone", "us-central1-a"));
    bad.put("region", Map.of("mig_name", "web", "zone", "us-central1-a", "region", "us-central1"));
    return bad;
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected List<String> initialInstanceIds() {
    return List.of("web-1", "web-2", "web-3");
  }
}
