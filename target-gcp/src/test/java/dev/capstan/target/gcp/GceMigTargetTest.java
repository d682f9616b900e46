package dev.capstan.target.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.NoCredentialsProvider;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TerminationException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real google-cloud-compute client against {@link FakeComputeApi}: requests sent, answers handled. */
final class GceMigTargetTest {
  private static final String ZONE = "us-central1-a";
  private static final String REGION = "us-central1";
  private static final String ZONAL_PATH = "/compute/v1/projects/proj/zones/us-central1-a/instanceGroupManagers/web";
  private static final String REGIONAL_PATH = "/compute/v1/projects/proj/regions/us-central1/instanceGroupManagers/api";
  private static final Map<String, String> ZONAL = Map.of("mig_name", "web", "zone", ZONE);
  private static final Map<String, String> REGIONAL = Map.of("mig_name", "api", "region", REGION);

  private final FakeComputeApi api = new FakeComputeApi();
  private LocalHttpServer server;
  private GceMigTarget target;

  /** A target with tiny retry and poll intervals, talking to {@code server} without credentials. */
  static GceMigTarget target(LocalHttpServer server, Map<String, String> overrides) {
    Map<String, String> config = new HashMap<>(Map.of("project", "proj", "endpoint", server.uri().toString(),
        "retry_attempts", "3", "retry_delay", "1ms", "poll_interval", "1ms", "operation_timeout", "10s",
        "request_timeout", "5s"));
    config.putAll(overrides);
    return GceMigTarget.create(GceMigConfig.parse(config), NoCredentialsProvider.create());
  }

  @BeforeEach
  void start() {
    api.addGroup("proj", "zones/" + ZONE, "web", 3);
    api.addGroup("proj", "regions/" + REGION, "api", 4);
    server = LocalHttpServer.start(api);
    target = target(server, Map.of());
  }

  @AfterEach
  void stop() {
    target.close();
    server.close();
  }

  private static ScalingAction resizeTo(long count) {
    return ScalingAction.to(3, count, "test");
  }

  private List<String> requestLines() {
    return server.requests().stream()
        .map(r -> r.method() + " " + r.path() + (r.rawQuery().isEmpty() ? "" : "?" + r.rawQuery()))
        .toList();
  }

  @Test
  void status_zonalGroup_readsTargetSizeWithOneGet() {
    TargetStatus status = target.status(ZONAL);

    assertThat(status).isEqualTo(new TargetStatus(true, 3, Map.of()));
    assertThat(requestLines()).containsExactly("GET " + ZONAL_PATH);
  }

  @Test
  void status_regionalGroup_readsTheRegionalResource() {
    TargetStatus status = target.status(REGIONAL);

    assertThat(status.count()).isEqualTo(4);
    assertThat(requestLines()).containsExactly("GET " + REGIONAL_PATH);
  }

  @Test
  void status_policyProject_overridesTheAgentProject() {
    api.addGroup("other", "zones/" + ZONE, "web", 7);

    TargetStatus status = target.status(Map.of("mig_name", "web", "zone", ZONE, "project", "other"));

    assertThat(status.count()).isEqualTo(7);
    assertThat(requestLines()).containsExactly("GET /compute/v1/projects/other/zones/us-central1-a/instanceGroupManagers/web");
  }

  @Test
  void status_unstableGroup_notReadyWithReason() {
    api.group("proj", "zones/" + ZONE, "web").stable = false;

    TargetStatus status = target.status(ZONAL);

    assertThat(status.ready()).isFalse();
    assertThat(status.count()).isEqualTo(3);
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("web").contains("not stable");
  }

  @Test
  void status_missingGroup_throwsNamingTheGroup() {
    assertThatThrownBy(() -> target.status(Map.of("mig_name", "gone", "region", REGION)))
        .isInstanceOf(TargetException.class)
        .hasMessage("GCE managed instance group projects/proj/regions/us-central1/instanceGroupManagers/gone"
            + " was not found");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void status_throttledTwice_retriesUntilItSucceeds() {
    api.fail("GET", "/instanceGroupManagers/web", 429, "Rate Limit Exceeded", 2);

    TargetStatus status = target.status(ZONAL);

    assertThat(status.count()).isEqualTo(3);
    assertThat(requestLines()).containsExactly("GET " + ZONAL_PATH, "GET " + ZONAL_PATH, "GET " + ZONAL_PATH);
  }

  @Test
  void status_unavailableOnEveryAttempt_givesUpAfterRetryAttempts() {
    api.fail("GET", "/instanceGroupManagers/web", 503, "Backend Error", 100);

    assertThatThrownBy(() -> target.status(ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("reading GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/web")
        .hasMessageContaining("failed after 3 attempts")
        .hasMessageContaining("UNAVAILABLE")
        .hasMessageContaining("Backend Error");
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void status_forbidden_isNotRetried() {
    api.fail("GET", "/instanceGroupManagers/web", 403, "Required 'compute.instanceGroupManagers.get' permission", 100);

    assertThatThrownBy(() -> target.status(ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("compute.instanceGroupManagers.get")
        .hasMessageNotContaining("attempts");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void scale_zonalGroup_resizesAndPollsTheZoneOperationUntilDone() {
    api.pollsUntilDone(3);

    target.scale(resizeTo(5), ZONAL);

    assertThat(requestLines()).containsExactly(
        "POST " + ZONAL_PATH + "/resize?size=5",
        "GET /compute/v1/projects/proj/zones/us-central1-a/operations/operation-1",
        "GET /compute/v1/projects/proj/zones/us-central1-a/operations/operation-1",
        "GET /compute/v1/projects/proj/zones/us-central1-a/operations/operation-1");
    assertThat(target.status(ZONAL).count()).isEqualTo(5);
  }

  @Test
  void scale_regionalGroup_resizesAndPollsTheRegionOperation() {
    target.scale(resizeTo(2), REGIONAL);

    assertThat(requestLines()).containsExactly(
        "POST " + REGIONAL_PATH + "/resize?size=2",
        "GET /compute/v1/projects/proj/regions/us-central1/operations/operation-1");
    assertThat(api.group("proj", "regions/" + REGION, "api").targetSize).isEqualTo(2);
  }

  @Test
  void scale_dryRun_sendsNoRequest() {
    target.scale(new ScalingAction(9, dev.capstan.spi.Direction.UP, "test", Map.of(), true), ZONAL);

    assertThat(server.requests()).isEmpty();
  }

  @Test
  void scale_throttledResize_retriesTheInitialCall() {
    api.fail("POST", "/resize", 429, "Rate Limit Exceeded", 1);

    target.scale(resizeTo(6), ZONAL);

    assertThat(requestLines()).startsWith("POST " + ZONAL_PATH + "/resize?size=6", "POST " + ZONAL_PATH + "/resize?size=6");
    assertThat(api.group("proj", "zones/" + ZONE, "web").targetSize).isEqualTo(6);
  }

  @Test
  void scale_operationEndsInError_surfacesTheCloudMessage() {
    api.pollsUntilDone(2);
    api.failNextOperation("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded. Limit: 24.0 in region us-central1.");

    assertThatThrownBy(() -> target.scale(resizeTo(50), ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("resizing GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/web to 50 failed")
        .hasMessageContaining("QUOTA_EXCEEDED: Quota 'CPUS' exceeded. Limit: 24.0 in region us-central1.")
        .hasMessageContaining("operation-1");
    assertThat(api.group("proj", "zones/" + ZONE, "web").targetSize).isEqualTo(3);
  }

  @Test
  void scale_operationVanishesWhilePolling_blamesTheOperationNotTheGroup() {
    api.pollsUntilDone(5);
    api.fail("GET", "/operations/operation-1", 404, "The resource 'operation-1' was not found", 100);

    assertThatThrownBy(() -> target.scale(resizeTo(4), ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("resizing GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/web to 4"
            + " failed while polling operation operation-1: NOT_FOUND: The resource 'operation-1' was not found");
  }

  @Test
  void scale_pollThrottledOnce_retriesThePollAndSucceeds() {
    api.pollsUntilDone(2);
    api.fail("GET", "/operations/operation-1", 429, "Rate Limit Exceeded", 1);

    target.scale(resizeTo(4), ZONAL);

    assertThat(api.group("proj", "zones/" + ZONE, "web").targetSize).isEqualTo(4);
  }

  @Test
  void scale_regionalPollThrottledOnce_retriesThePollAndSucceeds() {
    api.pollsUntilDone(2);
    api.fail("GET", "/regions/" + REGION + "/operations/operation-1", 429, "Rate Limit Exceeded", 1);

    target.scale(resizeTo(2), REGIONAL);

    assertThat(api.group("proj", "regions/" + REGION, "api").targetSize).isEqualTo(2);
  }

  @Test
  void scale_missingGroup_throwsNamingTheGroup() {
    assertThatThrownBy(() -> target.scale(resizeTo(4), Map.of("mig_name", "gone", "zone", ZONE)))
        .isInstanceOf(TargetException.class)
        .hasMessage("GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/gone"
            + " was not found");
  }

  @Test
  void scale_operationNeverDone_failsAfterOperationTimeout() {
    target.close();
    target = target(server, Map.of("operation_timeout", "50ms"));
    api.pollsUntilDone(Integer.MAX_VALUE);
    long start = System.nanoTime();

    assertThatThrownBy(() -> target.scale(resizeTo(4), ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessage("resizing GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/web"
            + " to 4 did not finish within 50ms (operation_timeout)");
    // Bounded by operation_timeout, not by the per-poll request budget (which is 15 s here).
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void scale_everyPollAnswersDeadlineExceeded_operationTimeoutStillWins() {
    // What a loaded machine produced: polls ending DEADLINE_EXCEEDED (here a 504 from the fake), each
    // retried by the poll's own settings. The wait must still end at operation_timeout, reported as such.
    target.close();
    target = target(server, Map.of("operation_timeout", "200ms"));
    api.pollsUntilDone(Integer.MAX_VALUE);
    api.fail("GET", "/operations/operation-1", 504, "Deadline exceeded", Integer.MAX_VALUE);

    assertThatThrownBy(() -> target.scale(resizeTo(4), ZONAL))
        .isInstanceOf(TargetException.class)
        .hasMessage("resizing GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/web"
            + " to 4 did not finish within 200ms (operation_timeout)");
  }

  @Test
  void scale_pollNeverAnswered_operationTimeoutStillWins() {
    target.close();
    target = target(server, Map.of("operation_timeout", "200ms"));
    api.pollsUntilDone(Integer.MAX_VALUE);
    CountDownLatch polls = api.holdPolls();
    try {
      assertThatThrownBy(() -> target.scale(resizeTo(4), ZONAL))
          .isInstanceOf(TargetException.class)
          .hasMessageEndingWith("did not finish within 200ms (operation_timeout)");
    } finally {
      polls.countDown();
    }
  }

  @Test
  void terminate_zonalNamesAndSelfLinks_deletesExactlyThoseInstances() {
    target.terminate(ZONAL, List.of("web-1",
        "https://www.googleapis.com/compute/v1/projects/proj/zones/us-central1-a/instances/web-3"));

    RecordedRequest delete = server.requests().get(0);
    assertThat(delete.method() + " " + delete.path()).isEqualTo("POST " + ZONAL_PATH + "/deleteInstances");
    assertThat(delete.body()).contains("\"zones/us-central1-a/instances/web-1\"", "\"zones/us-central1-a/instances/web-3\"")
        .doesNotContain("web-2");
    assertThat(api.group("proj", "zones/" + ZONE, "web").instances).containsExactly("zones/us-central1-a/instances/web-2");
    assertThat(target.status(ZONAL).count()).isEqualTo(1);
  }

  @Test
  void instanceIds_zonalAndRegional_listManagedInstances() {
    assertThat(target.instanceIds(ZONAL)).hasValueSatisfying(ids -> assertThat(ids).contains("web-1").hasSize(
        (int) api.group("proj", "zones/" + ZONE, "web").targetSize));
    assertThat(target.instanceIds(REGIONAL)).hasValueSatisfying(ids -> assertThat(ids).contains("api-2", "api-3"));
    assertThat(requestLines()).containsExactly("POST " + ZONAL_PATH + "/listManagedInstances",
        "POST " + REGIONAL_PATH + "/listManagedInstances");
  }

  @Test
  void instanceIds_instancesBeingDeletedOrAbandoned_notListedAsLive() {
    FakeComputeApi.Mig web = api.group("proj", "zones/" + ZONE, "web");
    web.currentActions.put("zones/" + ZONE + "/instances/web-1", "DELETING");
    web.currentActions.put("zones/" + ZONE + "/instances/web-2", "ABANDONING");

    assertThat(target.instanceIds(ZONAL)).hasValueSatisfying(ids -> assertThat(ids)
        .doesNotContain("web-1", "web-2").hasSize(web.instances.size() - 2));
  }

  @Test
  void terminate_regionalNames_looksUpEachInstanceZone() {
    target.terminate(REGIONAL, List.of("api-2", "api-3"));

    assertThat(requestLines()).containsExactly(
        "POST " + REGIONAL_PATH + "/listManagedInstances",
        "POST " + REGIONAL_PATH + "/deleteInstances",
        "GET /compute/v1/projects/proj/regions/us-central1/operations/operation-1");
    assertThat(server.requests().get(1).body())
        .contains("\"zones/us-central1-b/instances/api-2\"", "\"zones/us-central1-a/instances/api-3\"");
    assertThat(api.group("proj", "regions/" + REGION, "api").targetSize).isEqualTo(2);
  }

  @Test
  void terminate_regionalUnknownName_deletesNothing() {
    assertThatThrownBy(() -> target.terminate(REGIONAL, List.of("api-1", "stranger")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("[stranger]")
        .hasMessageContaining("nothing was deleted");
    assertThat(requestLines()).containsExactly("POST " + REGIONAL_PATH + "/listManagedInstances");
    assertThat(api.group("proj", "regions/" + REGION, "api").targetSize).isEqualTo(4);
  }

  @Test
  void terminate_instanceOutsideTheGroup_surfacesTheRejection() {
    assertThatThrownBy(() -> target.terminate(ZONAL, List.of("web-1", "db-1")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("deleting instances [web-1, db-1] from GCE managed instance group")
        .hasMessageContaining("is not a member of");
    assertThat(api.group("proj", "zones/" + ZONE, "web").targetSize).isEqualTo(3);
  }

  @Test
  void terminate_operationEndsInError_surfacesTheCloudMessage() {
    api.failNextOperation("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "The instance is being used by another operation.");

    assertThatThrownBy(() -> target.terminate(ZONAL, List.of("web-2")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE: The instance is being used by another operation.");
  }

  @Test
  void terminate_operationEndsInErrorPartway_reportsEachInstanceFromTheGroup() {
    String zone = "zones/" + ZONE + "/instances/";
    api.failNextDeletePartway("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "Some instances could not be deleted.",
        List.of(zone + "web-1"), Map.of(zone + "web-2", new String[] {"RESOURCE_IN_USE", "web-2 is used by disk-7"}));
    api.group("proj", "zones/" + ZONE, "web").currentActions.put(zone + "web-3", "DELETING");
    api.group("proj", "zones/" + ZONE, "web").instances.add(zone + "web-4");

    assertThatThrownBy(() -> target.terminate(ZONAL, List.of("web-1", "web-2", "web-3", "web-4")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("web-1", "web-3");
          assertThat(e.failed()).containsOnlyKeys("web-2", "web-4");
          assertThat(e.failed().get("web-2")).isEqualTo("RESOURCE_IN_USE: web-2 is used by disk-7");
          assertThat(e.failed().get("web-4")).contains("still in the group (NONE)")
              .contains("Some instances could not be deleted.");
          assertThat(e.unconfirmed()).isEmpty();
        });
  }

  @Test
  void terminate_operationNeverFinishesAndListFails_reportsAllUnconfirmed() {
    api.pollsUntilDone(Integer.MAX_VALUE);
    api.fail("POST", "/listManagedInstances", 403, "Required 'compute.instanceGroupManagers.get' permission", 100);

    target.close();
    target = target(server, Map.of("operation_timeout", "200ms"));

    assertThatThrownBy(() -> target.terminate(ZONAL, List.of("web-2")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).isEmpty();
          assertThat(e.failed()).isEmpty();
          assertThat(e.unconfirmed()).containsOnlyKeys("web-2");
          assertThat(e.unconfirmed().get("web-2")).contains("did not finish within 200ms")
              .contains("could not be read");
        });
  }

  @Test
  void terminate_malformedLink_throwsBeforeAnyRequest() {
    assertThatThrownBy(() -> target.terminate(ZONAL, List.of("projects/proj/global/images/web-1")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("'projects/proj/global/images/web-1'");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void statusAll_severalGroupsOfOneProject_oneAggregatedListInOrder() {
    List<TargetStatus> statuses = target.statusAll(List.of(REGIONAL, ZONAL, REGIONAL));

    assertThat(statuses).extracting(TargetStatus::count).containsExactly(4L, 3L, 4L);
    assertThat(server.requests()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/compute/v1/projects/proj/aggregated/instanceGroupManagers");
      assertThat(r.queryParams()).containsEntry("filter", "name eq \"api|web\"")
          .containsEntry("returnPartialSuccess", "true").containsEntry("maxResults", "500");
    });
  }

  @Test
  void statusAll_groupMissingFromTheList_throwsNamingItWithoutAnotherCall() {
    assertThatThrownBy(() -> target.statusAll(List.of(ZONAL, Map.of("mig_name", "gone", "zone", ZONE))))
        .isInstanceOf(TargetException.class)
        .hasMessage("GCE managed instance group projects/proj/zones/us-central1-a/instanceGroupManagers/gone was not found");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_groupsInDifferentProjects_oneGetEach() {
    api.addGroup("other", "zones/" + ZONE, "web", 7);

    List<GroupStatus> statuses = target.statusOf(List.of(
        target.bind(Map.of("mig_name", "web", "zone", ZONE, "project", "other")), target.bind(ZONAL)));

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(7L, 3L);
    assertThat(requestLines()).containsExactlyInAnyOrder(
        "GET /compute/v1/projects/other/zones/us-central1-a/instanceGroupManagers/web", "GET " + ZONAL_PATH);
  }

  @Test
  void statusOf_manyGroupsAcrossZonesRegionsAndProjects_oneAggregatedListPerProject() {
    List<TargetGroup> groups = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String scope = switch (i % 3) {
        case 0 -> "zones/us-central1-a";
        case 1 -> "zones/europe-west4-b";
        default -> "regions/asia-east1";
      };
      api.addGroup("proj", scope, "g" + i, i);
      groups.add(target.bind(Map.of("mig_name", "g" + i, scope.startsWith("zones/") ? "zone" : "region",
          scope.substring(scope.indexOf('/') + 1))));
    }
    api.addGroup("other", "regions/us-east1", "a", 1);
    api.addGroup("other", "zones/us-east1-c", "b", 2);
    groups.add(target.bind(Map.of("mig_name", "a", "region", "us-east1", "project", "other")));
    groups.add(target.bind(Map.of("mig_name", "b", "zone", "us-east1-c", "project", "other")));

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).hasSize(32).allSatisfy(s -> assertThat(s.isOk()).isTrue());
    assertThat(statuses.subList(0, 30)).extracting(s -> s.status().orElseThrow().count())
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 30).boxed().toList());
    assertThat(statuses.subList(30, 32)).extracting(s -> s.status().orElseThrow().count()).containsExactly(1L, 2L);
    assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly(
        "/compute/v1/projects/proj/aggregated/instanceGroupManagers",
        "/compute/v1/projects/other/aggregated/instanceGroupManagers");
  }

  @Test
  void statusOf_answerSpansPages_followsPageTokens() {
    api.pageSize(2);
    List<TargetGroup> groups = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      api.addGroup("proj", "zones/" + ZONE, "p" + i, i + 1);
      groups.add(target.bind(Map.of("mig_name", "p" + i, "zone", ZONE)));
    }

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(server.requests()).extracting(r -> r.queryParams().getOrDefault("pageToken", ""))
        .containsExactly("", "page-2", "page-4");
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.queryParams())
        .containsEntry("filter", "name eq \"p0|p1|p2|p3|p4\""));
  }

  @Test
  void statusOf_missingGroup_failsOnlyItsEntryWithoutAnotherCall() {
    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(ZONAL),
        target.bind(Map.of("mig_name", "gone", "region", REGION)), target.bind(REGIONAL)));

    assertThat(statuses.get(0).status()).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(3));
    assertThat(statuses.get(1).error()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(TargetException.class)
        .hasMessage("GCE managed instance group projects/proj/regions/us-central1/instanceGroupManagers/gone was not found"));
    assertThat(statuses.get(2).status()).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(4));
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_unreachableZone_failsItsGroupsNamingTheZone() {
    api.unreachable("zones/" + ZONE);

    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(ZONAL), target.bind(REGIONAL)));

    assertThat(statuses.get(0).error()).hasValueSatisfying(e -> assertThat(e)
        .hasMessageContaining("instanceGroupManagers/web")
        .hasMessageContaining("could not list zones/us-central1-a (UNREACHABLE: zones/us-central1-a is unreachable.)"));
    assertThat(statuses.get(1).isOk()).isTrue();
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_listForbidden_failsThatProjectsGroupsOnly() {
    api.addGroup("other", "zones/" + ZONE, "web", 7);
    api.fail("GET", "/projects/proj/aggregated/instanceGroupManagers", 403, "Required 'compute.instanceGroupManagers.list' permission", 100);

    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(ZONAL), target.bind(REGIONAL),
        target.bind(Map.of("mig_name", "web", "zone", ZONE, "project", "other"))));

    assertThat(statuses.subList(0, 2)).allSatisfy(s -> assertThat(s.error()).hasValueSatisfying(e -> assertThat(e)
        .hasMessageContaining("listing the groups of project proj failed: PERMISSION_DENIED")
        .hasMessageContaining("compute.instanceGroupManagers.list")));
    assertThat(statuses.get(0).error().orElseThrow()).hasMessageContaining("instanceGroupManagers/web");
    assertThat(statuses.get(1).error().orElseThrow()).hasMessageContaining("instanceGroupManagers/api");
    assertThat(statuses.get(2).status()).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(7));
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void statusOf_namesTooLongForOneFilter_listsTheWholeProjectUnfiltered() {
    List<TargetGroup> groups = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String name = "a-rather-long-managed-instance-group-name-" + i;
      api.addGroup("proj", "zones/" + ZONE, name, 1);
      groups.add(target.bind(Map.of("mig_name", name, "zone", ZONE)));
    }

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).hasSize(100).allSatisfy(s -> assertThat(s.isOk()).isTrue());
    assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.queryParams()).doesNotContainKey("filter"));
  }

  @Test
  void statusOf_unstableGroupInTheList_notReadyNamingItsCurrentActions() {
    FakeComputeApi.Mig web = api.group("proj", "zones/" + ZONE, "web");
    web.stable = false;
    web.creating = 2;

    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(ZONAL), target.bind(REGIONAL)));

    TargetStatus status = statuses.get(0).status().orElseThrow();
    assertThat(status.ready()).isFalse();
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON)).isEqualTo("GCE managed instance group "
        + "projects/proj/zones/us-central1-a/instanceGroupManagers/web is not stable: instances 2 creating");
  }

  @Test
  void statusOf_groupBoundByAnotherTarget_failsOnlyItsEntry() {
    try (GceMigTarget other = target(server, Map.of())) {
      List<GroupStatus> statuses = target.statusOf(List.of(other.bind(ZONAL), target.bind(REGIONAL)));

      assertThat(statuses.get(0).error()).hasValueSatisfying(e -> assertThat(e)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gce-mig:proj/us-central1-a/web"));
      assertThat(statuses.get(1).isOk()).isTrue();
    }
  }

  @Test
  void bind_zonalAndRegional_idsNameProjectLocationAndGroupWithoutAnyRequest() {
    assertThat(target.bind(ZONAL).id()).isEqualTo("gce-mig:proj/us-central1-a/web");
    assertThat(target.bind(REGIONAL).id()).isEqualTo("gce-mig:proj/us-central1/api");
    assertThat(target.bind(Map.of("mig_name", "web", "zone", ZONE, "project", "other", "node_drain_deadline", "5m")).id())
        .isEqualTo("gce-mig:other/us-central1-a/web");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void bind_unknownKeys_namesEachAndListsKnownKeysOnce() {
    assertThatThrownBy(() -> target.bind(Map.of("mig_name", "web", "zone", ZONE, "zonee", "x", "mig", "y")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid gce-mig target config: 'mig', 'zonee' are not known keys; known keys are datacenter, "
            + "mig_name, node_class, node_drain_deadline, node_drain_ignore_system_jobs, node_filter_ignore_drain, node_filter_ignore_ineligible, node_filter_ignore_init, node_pool, node_purge, "
            + "node_ready_check, node_selector_strategy, project, region, zone");
  }

  @Test
  void bind_closedTarget_throwsIllegalState() {
    target.close();

    assertThatThrownBy(() -> target.bind(ZONAL)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void close_thenStatus_throwsIllegalState() {
    target.close();

    assertThatThrownBy(() -> target.status(ZONAL)).isInstanceOf(IllegalStateException.class);
  }
}
