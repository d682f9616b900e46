package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import dev.capstan.spi.MetricSourceProvider;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.FakeNomad.NodeSpec;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class NomadMetricSourceTest {
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final FakeNomad nomad = new FakeNomad();
  private LocalHttpServer server;

  @BeforeEach
  void start() {
    server = LocalHttpServer.start(nomad);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private NomadMetricSource source(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(extra);
    config.put("address", server.uri().toString());
    return NomadMetricSourceProvider.create(config, name -> null, clock);
  }

  /** A client for changes the fake only takes over HTTP (eligibility, drain). */
  private NomadClient client() {
    Map<String, String> config = Map.of("address", server.uri().toString());
    return new NomadClient(NomadConfig.read(dev.capstan.config.ConfigReader.of(config, "test"), config, name -> null));
  }

  private double query(String q) {
    try (NomadMetricSource s = source(Map.of())) {
      return s.query(q, clock.instant().minus(Duration.ofMinutes(1)), clock.instant()).latest();
    }
  }

  private String queryError(String q) {
    return queryError(q, Map.of());
  }

  private String queryError(String q, Map<String, String> config) {
    try (NomadMetricSource s = source(config)) {
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(
          () -> s.query(q, clock.instant().minus(Duration.ofMinutes(1)), clock.instant()));
      assertThat(t).isInstanceOf(MetricSourceException.class);
      return t.getMessage();
    }
  }

  /** web/frontend: two running allocations (20 % and 60 %), one pending; web/backend: one at 99 %. */
  private void webJob() {
    nomad.addNode(NodeSpec.of("n1"));
    nomad.addJob("default", "web", Map.of("frontend", 3L, "backend", 1L));
    nomad.setTaskResources("default", "web", "frontend", "app", 300, 200);
    nomad.setTaskResources("default", "web", "frontend", "sidecar", 200, 56);
    String a = nomad.addAllocation("n1", "default", "web", "frontend", 500, 256);
    String b = nomad.addAllocation("n1", "default", "web", "frontend", 500, 256);
    String pending = nomad.addAllocation("n1", "default", "web", "frontend", 500, 256);
    String other = nomad.addAllocation("n1", "default", "web", "backend", 500, 256);
    nomad.setAllocationStats(a, 20, 100, (64L << 20) + 500_000);
    nomad.setAllocationStats(b, 60, 400, (192L << 20) + 900_000);
    nomad.setAllocationStats(pending, 95, 500, 250L << 20);
    nomad.setAllocationClientStatus(pending, "pending");
    nomad.setAllocationStats(other, 99, 500, 250L << 20);
  }

  @ParameterizedTest
  @CsvSource({
      "taskgroup_avg_cpu/frontend/web@default, 40",
      "taskgroup_sum_cpu/frontend/web@default, 80",
      "taskgroup_min_cpu/frontend/web@default, 20",
      "taskgroup_max_cpu/frontend/web@default, 60",
      // TotalTicks over the group's 500 MHz: 100 -> 20 %, 400 -> 80 %
      "taskgroup_avg_cpu-allocated/frontend/web@default, 50",
      "taskgroup_max_cpu-allocated/frontend/web@default, 80",
      // whole MiB (the peer's integer division) over the group's 256 MiB: 64 -> 25 %, 192 -> 75 %
      "taskgroup_avg_memory-allocated/frontend/web@default, 50",
      "taskgroup_min_memory-allocated/frontend/web@default, 25",
  })
  void query_taskGroup_combinesRunningAllocationsOfTheGroupOnly(String query, double expected) {
    webJob();

    assertThat(query(query)).isEqualTo(expected);
  }

  @Test
  void query_taskGroupMemory_averagesUsageInBytes() {
    webJob();

    assertThat(query("taskgroup_avg_memory/frontend/web@default"))
        .isEqualTo(((64L << 20) + 500_000 + (192L << 20) + 900_000) / 2.0);
  }

  @Test
  void query_anyForm_returnsOnePointAtNow() {
    webJob();
    clock.advance(Duration.ofSeconds(90));

    try (NomadMetricSource s = source(Map.of())) {
      MetricSeries series = s.query("taskgroup_avg_cpu/frontend/web@default", Instant.EPOCH, clock.instant());

      assertThat(series.size()).isEqualTo(1);
      assertThat(series.timestamp(0)).isEqualTo(clock.millis());
    }
  }

  @Test
  void query_taskGroupInNamespace_readsThatNamespace() {
    nomad.addNode(NodeSpec.of("n1"));
    nomad.addJob("apps", "web", Map.of("frontend", 1L));
    nomad.setAllocationStats(nomad.addAllocation("n1", "apps", "web", "frontend", 500, 256), 33, 0, 0);

    assertThat(query("taskgroup_avg_cpu/frontend/web@apps")).isEqualTo(33);
    assertThat(queryError("taskgroup_avg_cpu/frontend/web@default"))
        .contains("taskgroup_avg_cpu/frontend/web@default", "404", "job not found");
  }

  @Test
  void query_taskGroupWithoutRunningAllocations_isMetricNotFound() {
    webJob();

    assertThat(queryError("taskgroup_avg_cpu/nosuch/web@default"))
        .contains("metric not found: taskgroup_avg_cpu/nosuch/web@default");
  }

  @Test
  void query_allocatedOfGroupMissingFromJob_namesGroupAndJob() {
    webJob();
    nomad.addAllocation("n1", "default", "web", "ghost", 500, 256);

    assertThat(queryError("taskgroup_avg_cpu-allocated/ghost/web@default"))
        .contains("task group 'ghost' not found in job 'web'");
  }

  @Test
  void query_nomadRefuses_namesQueryAndNomadsAnswer() {
    webJob();
    nomad.acl("secret", false);

    assertThat(queryError("taskgroup_avg_cpu/frontend/web@default"))
        .contains("nomad query 'taskgroup_avg_cpu/frontend/web@default' failed", "403", "Permission denied");
  }

  /** Two cloud nodes (3900 MHz, 7936 MiB allocatable each) and an rpi node. */
  private void pool() {
    nomad.addNode(NodeSpec.of("c1").withClass("cloud"));
    nomad.addNode(NodeSpec.of("c2").withClass("cloud").in("dc2", "burst"));
    nomad.addNode(NodeSpec.of("pi").withClass("hashistack-rpi"));
    nomad.addAllocation("c1", "web", "service", 1950, 1984);
    nomad.addAllocation("c2", "web", "service", 1950, 1984);
    nomad.addAllocation("pi", "web", "service", 3000, 5000);
    String done = nomad.addAllocation("c1", "batch", "batch", 3000, 3000);
    nomad.setAllocationClientStatus(done, "complete");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "node_percentage-allocated_cpu/node_class=cloud | 50",
      "node_percentage-allocated_memory/node_class=cloud | 25",
      "node_percentage-allocated_cpu/cloud | 50",
      "node_percentage-allocated_cpu/node_class=cloud,datacenter=dc2,node_pool=burst | 50",
      "node_percentage-allocated_cpu/datacenter=dc1 | 63.46153846153846",
  })
  void query_nodePool_dividesLiveAllocatedByAllocatable(String query, double expected) {
    pool();

    assertThat(query(query)).isEqualTo(expected);
  }

  @Test
  void query_defaultPoolClass_selectsNodesWithoutClass() {
    pool();
    nomad.addNode(NodeSpec.of("plain"));
    nomad.addAllocation("plain", "web", "service", 390, 0);

    assertThat(query("node_percentage-allocated_cpu/node_class=autoscaler-default-pool")).isEqualTo(10);
  }

  @Test
  void query_poolWithIneligibleNode_leavesItOut() {
    pool();
    client()
        .write("POST", "/v1/node/c2/eligibility", Map.of(), Map.of("Eligibility", "ineligible", "NodeID", "c2"));

    assertThat(query("node_percentage-allocated_cpu/node_class=cloud")).isEqualTo(50);
    assertThat(query("node_percentage-allocated_memory/node_class=cloud")).isEqualTo(25);
  }

  @Test
  void query_poolWithDrainingNode_failsUnlessIgnored() {
    pool();
    nomad.addNode(NodeSpec.of("c3").withClass("cloud"));
    client()
        .write("POST", "/v1/node/c3/drain", Map.of(), Map.of("DrainSpec", Map.of("Deadline", 0)));

    assertThat(queryError("node_percentage-allocated_cpu/node_class=cloud")).contains("node c3 is draining");
    try (NomadMetricSource s = source(Map.of("node_filter_ignore_drain", "true"))) {
      assertThat(s.query("node_percentage-allocated_cpu/node_class=cloud", clock.instant(), clock.instant())
          .latest()).isEqualTo(50);
    }
  }

  @Test
  void query_poolWithInitializingNode_failsUnlessIgnored() {
    pool();
    nomad.addNode(NodeSpec.of("c3").withClass("cloud").withStatus("initializing"));

    assertThat(queryError("node_percentage-allocated_cpu/node_class=cloud")).contains("node c3 is initializing");
    try (NomadMetricSource s = source(Map.of("node_filter_ignore_init", "true"))) {
      assertThat(s.query("node_percentage-allocated_cpu/node_class=cloud", clock.instant(), clock.instant())
          .latest()).isEqualTo(50);
    }
  }

  @Test
  void query_poolWithoutNodes_saysSo() {
    pool();

    assertThat(queryError("node_percentage-allocated_cpu/node_class=gpu"))
        .contains("no nodes identified within pool node_class=gpu");
  }

  @Test
  void query_poolWithZeroAllocatable_saysSo() {
    nomad.addNode(NodeSpec.of("z").withClass("tiny").withResources(100, 100, 100, 100));

    assertThat(queryError("node_percentage-allocated_memory/node_class=tiny"))
        .contains("zero allocatable memory found in pool node_class=tiny");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "avg_cpu | unsupported query type \"avg\"",
      "prometheus_up | unsupported query type \"prometheus\"",
      "taskgroup_avg_cpu/frontend | expected <query>/<group>/<job>@<namespace>, received taskgroup_avg_cpu/frontend",
      "taskgroup_avg_cpu/frontend/web | missing namespace from query taskgroup_avg_cpu/frontend/web",
      "taskgroup_avg_cpu/frontend/web@ | missing namespace from query",
      "taskgroup_avg_cpu/frontend/@default | missing job from query",
      "taskgroup_cpu/frontend/web@default | expected taskgroup_<operation>_<metric>, received \"taskgroup_cpu\"",
      "taskgroup_avg_disk/frontend/web@default | invalid metric \"disk\", allowed values are: cpu, cpu-allocated, memory, memory-allocated",
      "taskgroup_median_cpu/frontend/web@default | invalid operation \"median\", allowed values are sum, avg, min or max",
      "node_percentage-allocated_cpu | expected <query>/<key>=<value>[,<key>=<value>...], received \"node_percentage-allocated_cpu\"",
      "node_percentage-allocated_cpu/ | expected <query>/<key>=<value>",
      "node_percentage-allocated_cpu/node_class=a,dc | invalid pool identifier \"dc\": expected key=value",
      "node_percentage-allocated_cpu/node_class= | invalid pool identifier \"node_class=\": expected key=value",
      "node_percentage-allocated_cpu/rack=a | unknown pool key \"rack\": must be node_class, datacenter, or node_pool",
      "node_percentage-allocated_cpu/node_class=%zz | failed to decode value in \"node_class=%zz\"",
      "node_cpu/node_class=a | expected node_<operation>_<metric>, received node_cpu",
      "node_percentage-allocated_disk/node_class=a | invalid metric \"disk\", allowed values are: cpu, memory",
      "node_avg_cpu/node_class=a | invalid operation \"avg\", allowed value is percentage-allocated",
  })
  void query_malformed_namesQueryProblemAndAcceptedForms(String query, String problem) {
    assertThat(queryError(query))
        .startsWith("nomad query '" + query + "': ")
        .contains(problem)
        .contains("accepted forms are taskgroup_<avg|sum|min|max>_<cpu|cpu-allocated|memory|memory-allocated>"
            + "/<group>/<job>@<namespace> and node_percentage-allocated_<cpu|memory>/<key>=<value>");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void query_fromAfterTo_throwsIllegalArgumentWithoutCallingNomad() {
    try (NomadMetricSource s = source(Map.of())) {
      assertThatThrownBy(() -> s.query("taskgroup_avg_cpu/a/b@c", clock.instant(), clock.instant().minusSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void create_unknownKeyOrBadFilterOption_namesEveryKey() {
    assertThatThrownBy(() -> source(Map.of("bogus", "1", "node_filter_ignore_drain", "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bogus")
        .hasMessageContaining("node_filter_ignore_drain was 'maybe'");
  }

  @Test
  void serviceLoader_findsNomadAndPeersAlias() {
    List<String> names = ServiceLoader.load(MetricSourceProvider.class).stream()
        .map(p -> p.get().name()).toList();

    assertThat(names).contains("nomad", "nomad-apm");
  }
}
