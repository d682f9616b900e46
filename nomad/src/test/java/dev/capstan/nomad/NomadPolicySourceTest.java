package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Check;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class NomadPolicySourceTest {
  /** A job's {@code scaling { policy { ... } }} as Nomad stores it from a jobspec. */
  private static final String CPU_POLICY = """
      {"cooldown": "1m", "evaluation_interval": "30s",
       "check": [{"cpu": [{"query": "avg_cpu", "query_window": "2m",
                           "strategy": [{"target-value": [{"target": 70}]}]}]}]}""";

  private final FakeNomad nomad = new FakeNomad();
  private final List<NomadPolicySource.Snapshot> snapshots = new ArrayList<>();
  private LocalHttpServer server;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp() {
    nomad.addJob("apps", "web", Map.of("frontend", 2L, "api", 1L));
    nomad.addJob("ops", "tools", Map.of("worker", 1L));
    server = LocalHttpServer.start(nomad);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    server.close();
  }

  private NomadPolicySource source(Map<String, String> config) {
    Map<String, String> c = new java.util.HashMap<>(config);
    c.put("address", server.uri().toString());
    NomadPolicySource s = NomadPolicySource.builder(c).env(name -> null).parser(Policies::parse)
        .listener(snapshots::add).build();
    closing.add(s);
    return s;
  }

  private static ScalingPolicy only(NomadPolicySource s) {
    assertThat(s.snapshot().policies()).hasSize(1);
    return s.snapshot().policies().values().iterator().next();
  }

  private List<RecordedRequest> requests(String path) {
    return server.requests().stream().filter(r -> r.path().startsWith(path)).toList();
  }

  @Test
  void firstRound_readsEveryPolicy_asAPolicyFileWithNomadDefaults() {
    String id = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));

    assertThat(source.poll()).isTrue();

    ScalingPolicy p = only(source);
    assertThat(p.name()).isEqualTo("apps/web/frontend");
    assertThat(p.origin()).isEqualTo("nomad scaling policy " + id);
    assertThat(p.id()).isEqualTo(ScalingPolicy.idOf("nomad scaling policy " + id, "apps/web/frontend"));
    assertThat(p.enabled()).isTrue();
    assertThat(p.min()).isEqualTo(1);
    assertThat(p.max()).isEqualTo(10);
    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.evaluationInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.target().name()).isEqualTo("nomad");
    assertThat(p.target().config()).containsExactlyInAnyOrderEntriesOf(
        Map.of("Namespace", "apps", "Job", "web", "Group", "frontend"));
    Check check = p.checks().get(0);
    assertThat(check.source()).isEqualTo("nomad");
    assertThat(check.query()).isEqualTo("taskgroup_avg_cpu/frontend/web@apps");
    assertThat(check.queryWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(check.strategy().config()).containsEntry("target", "70");
    assertThat(source.snapshot().problems()).isEmpty();
    assertThat(requests("/v1/scaling/policies")).singleElement()
        .satisfies(r -> assertThat(r.queryParams()).containsEntry("namespace", "apps").containsEntry("index", "0"));
    assertThat(requests("/v1/scaling/policy/" + id)).singleElement()
        .satisfies(r -> assertThat(r.queryParams()).containsEntry("namespace", "apps"));
  }

  @Test
  void floats_wholeOnesWorkWhereAWholeNumberIsExpected_othersStayFractional() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, """
        {"check": [{"fixed": [{"strategy": [{"fixed-value": [{"value": 3}]}]}]},
                   {"cpu": [{"query": "avg_cpu", "strategy": [{"target-value": [{"target": 70.5}]}],
                             "fallback": [{"failures": 2, "count": 4}]}]}]}""");
    NomadPolicySource source = source(Map.of("namespace", "apps"));

    // Nomad answers 3.0, as a Go float: the document the parser reads must still say 3.
    source.poll();

    ScalingPolicy p = only(source);
    assertThat(p.checks()).extracting(c -> c.strategy().config())
        .containsExactly(Map.of("value", "3"), Map.of("target", "70.5"));
    assertThat(p.checks().get(1).fallback()).hasValueSatisfying(f -> assertThat(f.failures()).isEqualTo(2));
    assertThat(p.checks()).extracting(Check::source).as("a check without a query reads no metric")
        .containsExactly("", "nomad");
  }

  @Test
  void fake_answersPolicyNumbersAsFloats_asNomadDoes() throws Exception {
    String id = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    Map<String, String> config = Map.of("address", server.uri().toString());
    NomadClient client = new NomadClient(NomadConfig.read(dev.capstan.config.ConfigReader.of(config, "t"), config,
        name -> null));

    String raw = client.get("/v1/scaling/policy/" + id, Map.of()).body().toString();

    assertThat(raw).contains("\"target\":70.0").contains("\"Min\":1").contains("\"Max\":10");
  }

  @Test
  void change_isPickedUpInOneBlockingRound_keepingTheId() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));
    source.poll();
    String before = only(source).id();
    long index = Long.parseLong(requests("/v1/scaling/policies").get(0).queryParams().get("index"));
    server.clearRequests();

    nomad.setScalingPolicy("apps", "web", "frontend", 2, 20, true, CPU_POLICY.replace("70", "60"));

    assertThat(source.poll()).isTrue();
    ScalingPolicy after = only(source);
    assertThat(after.id()).isEqualTo(before);
    assertThat(after.min()).isEqualTo(2);
    assertThat(after.max()).isEqualTo(20);
    assertThat(after.checks().get(0).strategy().config()).containsEntry("target", "60");
    assertThat(index).isZero();
    assertThat(requests("/v1/scaling/policies")).singleElement().satisfies(r -> {
      assertThat(Long.parseLong(r.queryParams().get("index"))).isPositive();
      assertThat(r.queryParams()).containsEntry("wait", "300s");
    });
  }

  @Test
  void unchangedPolicies_areNotReadAgain() {
    String web = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));
    source.poll();
    server.clearRequests();

    String api = nomad.setScalingPolicy("apps", "web", "api", 1, 3, true, CPU_POLICY);
    source.poll();

    assertThat(source.snapshot().policies()).hasSize(2);
    assertThat(requests("/v1/scaling/policy/")).extracting(RecordedRequest::path)
        .containsExactly("/v1/scaling/policy/" + api).doesNotContain("/v1/scaling/policy/" + web);
  }

  @Test
  void deletion_removedBlock_purgedJob_andStoppedJob_eachDropTheirPolicy() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    nomad.setScalingPolicy("apps", "web", "api", 1, 3, true, CPU_POLICY);
    nomad.addJob("apps", "batch", Map.of("run", 1L));
    nomad.setScalingPolicy("apps", "batch", "run", 0, 3, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));
    source.poll();
    assertThat(source.snapshot().policies()).hasSize(3);

    nomad.removeScalingPolicy("apps", "web", "api");
    assertThat(source.poll()).isTrue();
    assertThat(source.snapshot().policies().values()).extracting(ScalingPolicy::name)
        .containsExactlyInAnyOrder("apps/web/frontend", "apps/batch/run");

    nomad.purgeJob("apps", "batch");
    source.poll();
    assertThat(source.snapshot().policies().values()).extracting(ScalingPolicy::name)
        .containsExactly("apps/web/frontend");

    nomad.setStopped("apps", "web", true);
    source.poll();
    assertThat(source.snapshot().policies()).isEmpty();
  }

  @Test
  void invalidNewVersion_keepsTheOldOne_reportsItsProblemsOnce_untilFixed() {
    String id = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));
    source.poll();
    ScalingPolicy good = only(source);

    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY.replace("\"1m\"", "\"soon\""));
    source.poll();

    assertThat(only(source)).isEqualTo(good);
    assertThat(source.snapshot().problems()).containsOnlyKeys("nomad scaling policy " + id);
    assertThat(source.snapshot().problems().get("nomad scaling policy " + id)).singleElement().asString()
        .contains("policy 'apps/web/frontend'").contains("cooldown").contains("soon");
    server.clearRequests();
    nomad.setScalingPolicy("apps", "web", "api", 1, 3, true, CPU_POLICY);
    source.poll();
    assertThat(requests("/v1/scaling/policy/" + id)).as("the same bad version is not read again").isEmpty();

    nomad.setScalingPolicy("apps", "web", "frontend", 1, 12, true, CPU_POLICY);
    source.poll();
    assertThat(source.snapshot().problems()).isEmpty();
    assertThat(source.snapshot().policies().get(good.id()).max()).isEqualTo(12);
  }

  @Test
  void invalidFirstVersion_isAProblemAndNoPolicy() {
    String id = nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, """
        {"check": [{"cpu": [{"query": "avg_cpu"}]}]}""");
    NomadPolicySource source = source(Map.of("namespace", "apps"));

    source.poll();

    assertThat(source.snapshot().policies()).isEmpty();
    assertThat(source.snapshot().problems().get("nomad scaling policy " + id)).singleElement().asString()
        .contains("check 'cpu'").contains("strategy");
  }

  @Test
  void namespaces_oneIsAsked_severalAreListedAsStarAndFiltered_starKeepsAll() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    nomad.setScalingPolicy("ops", "tools", "worker", 1, 10, true, CPU_POLICY);
    nomad.addJob("dev", "toy", Map.of("g", 1L));
    nomad.setScalingPolicy("dev", "toy", "g", 1, 10, true, CPU_POLICY);

    NomadPolicySource one = source(Map.of("namespace", "ops"));
    one.poll();
    assertThat(one.snapshot().policies().values()).extracting(ScalingPolicy::name).containsExactly("ops/tools/worker");

    NomadPolicySource several = source(Map.of("namespace", "apps,ops"));
    several.poll();
    assertThat(several.snapshot().policies().values()).extracting(ScalingPolicy::name)
        .containsExactlyInAnyOrder("apps/web/frontend", "ops/tools/worker");
    assertThat(several.snapshot().policies().values()).extracting(p -> p.checks().get(0).query())
        .containsExactlyInAnyOrder("taskgroup_avg_cpu/frontend/web@apps", "taskgroup_avg_cpu/worker/tools@ops");

    NomadPolicySource all = source(Map.of("namespace", "*"));
    all.poll();
    assertThat(all.snapshot().policies()).hasSize(3);
    assertThat(requests("/v1/scaling/policies")).extracting(r -> r.queryParams().get("namespace"))
        .containsExactly("ops", "*", "*");
  }

  @Test
  void forbidden_failsTheRoundNamingNomadsAnswer_neverTheToken() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    nomad.acl("s3cret-ops-only", false, "ops");
    NomadPolicySource source = source(Map.of("namespace", "apps", "token", "s3cret-ops-only"));

    assertThatThrownBy(source::poll).hasMessageContaining("403 Permission denied")
        .hasMessageContaining("/v1/scaling/policies").hasMessageNotContaining("s3cret");
    assertThat(source.toString()).doesNotContain("s3cret");
  }

  @Test
  void rounds_reportAFailureOnce_retryAfterTheDelay_andRecover() throws Exception {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    nomad.acl("reader", false, "ops");
    ManualClock clock = ManualClock.startingAtEpochOf2026();
    ManualScheduler scheduler = new ManualScheduler(clock);
    ExecutorService worker = Executors.newSingleThreadExecutor();
    BlockingQueue<NomadPolicySource.Snapshot> received = new LinkedBlockingQueue<>();
    NomadPolicySource source = NomadPolicySource.builder(Map.of("address", server.uri().toString(),
            "namespace", "apps", "token", "reader")).env(name -> null).parser(Policies::parse)
        .listener(received::add).executor(worker, scheduler).build();
    closing.add(worker::shutdownNow);
    closing.add(source);

    source.start();

    NomadPolicySource.Snapshot failed = received.poll(30, TimeUnit.SECONDS);
    assertThat(failed).isNotNull();
    assertThat(failed.problems().get(NomadPolicySource.SOURCE_PROBLEM_KEY)).singleElement().asString()
        .contains("403 Permission denied");
    nomad.acl("reader", false, "apps");
    scheduler.advance(Duration.ofSeconds(9));
    assertThat(received).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));

    NomadPolicySource.Snapshot recovered = received.poll(30, TimeUnit.SECONDS);
    assertThat(recovered).isNotNull();
    assertThat(recovered.problems()).isEmpty();
    assertThat(recovered.policies().values()).extracting(ScalingPolicy::name).containsExactly("apps/web/frontend");
  }

  @Test
  void aTargetBlockOfItsOwn_keepsItsNameAndValues_andGetsTheMissingTargetKeys() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, """
        {"check": [{"cpu": [{"source": "prometheus", "query": "avg_cpu",
                             "strategy": [{"target-value": [{"target": 70}]}]}]}],
         "target": [{"nomad-target": [{"Namespace": "apps", "dry-run": "true"}]}]}""");
    NomadPolicySource source = source(Map.of("namespace", "apps"));

    source.poll();

    ScalingPolicy p = only(source);
    assertThat(p.target().name()).isEqualTo("nomad-target");
    assertThat(p.target().config()).containsExactlyInAnyOrderEntriesOf(
        Map.of("Namespace", "apps", "Job", "web", "Group", "frontend", "dry-run", "true"));
    assertThat(p.checks().get(0).source()).isEqualTo("prometheus");
    assertThat(p.checks().get(0).query()).as("not a nomad source: left as written").isEqualTo("avg_cpu");
  }

  @Test
  void twoGroups_haveDistinctIds_unlikeAFilePolicyOfTheSameName() {
    nomad.setScalingPolicy("apps", "web", "frontend", 1, 10, true, CPU_POLICY);
    nomad.setScalingPolicy("apps", "web", "api", 1, 10, true, CPU_POLICY);
    NomadPolicySource source = source(Map.of("namespace", "apps"));

    source.poll();

    assertThat(source.snapshot().policies().keySet()).hasSize(2)
        .doesNotContain(ScalingPolicy.idOf("policies/web.hcl", "apps/web/frontend"));
  }
}
