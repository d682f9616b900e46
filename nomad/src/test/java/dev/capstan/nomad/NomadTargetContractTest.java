package dev.capstan.nomad;

import dev.capstan.spi.Target;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.TargetContract;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

final class NomadTargetContractTest extends TargetContract {
  private LocalHttpServer server;

  @Override
  protected Target createTarget() {
    FakeNomad nomad = new FakeNomad();
    nomad.addJob("default", "web", Map.of("frontend", 3L));
    server = LocalHttpServer.start(nomad);
    return NomadTargetProvider.create(Map.of("address", server.uri().toString()), name -> null);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected Map<String, String> groupConfig() {
    return Map.of("Job", "web", "Group", "frontend");
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of("Job", "web", "Group", "backend");
  }

  @Override
  protected String missingGroupName() {
    return "backend";
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected long requestsMade() {
    return server.requests().size();
  }

  @Override
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, Map<String, String>> bad = new java.util.HashMap<>(super.badConfigs());
    bad.put("Group", Map.of("Job", "web"));
    bad.put("Job", Map.of("Group", "frontend"));
    return bad;
  }
}
