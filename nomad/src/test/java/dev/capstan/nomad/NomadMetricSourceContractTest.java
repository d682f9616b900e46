package dev.capstan.nomad;

import dev.capstan.spi.MetricSource;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

final class NomadMetricSourceContractTest extends MetricSourceContract {
  private static final ManualClock CLOCK = ManualClock.startingAtEpochOf2026();
  private LocalHttpServer server;

  @Override
  protected MetricSource createSource() {
    FakeNomad nomad = new FakeNomad();
    nomad.addNode(FakeNomad.NodeSpec.of("n1"));
    nomad.addJob("default", "web", Map.of("frontend", 1L));
    String alloc = nomad.addAllocation("n1", "default", "web", "frontend", 500, 256);
    nomad.setAllocationStats(alloc, 42.5, 212.5, 64L << 20);
    server = LocalHttpServer.start(nomad);
    return NomadMetricSourceProvider.create(Map.of("address", server.uri().toString()), name -> null, CLOCK);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected String queryWithData() {
    return "taskgroup_avg_cpu/frontend/web@default";
  }

  @Override
  protected Instant from() {
    return CLOCK.instant().minus(Duration.ofMinutes(1));
  }

  @Override
  protected Instant to() {
    return CLOCK.instant();
  }
}
