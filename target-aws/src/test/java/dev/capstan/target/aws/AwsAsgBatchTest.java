package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Direction;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.ManualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/** Binding once and reading many groups per call. */
final class AwsAsgBatchTest {
  private final FakeAutoScaling fake = new FakeAutoScaling();
  private final LocalHttpServer server = LocalHttpServer.start(fake);
  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private final AwsAsgTarget target = new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
      "aws_access_key_id", "AKIDBATCH", "aws_secret_access_key", "batch-secret",
      "endpoint", server.uri().toString())), Optional.of(BackoffStrategy.retryImmediately()), clock);

  @AfterEach
  void tearDown() {
    target.close();
    server.close();
  }

  private TargetGroup bind(String name) {
    return target.bind(Map.of("aws_asg_name", name));
  }

  private List<Map<String, String>> calls(String action) {
    return server.requests().stream().map(RecordedRequest::formParams)
        .filter(p -> action.equals(p.get("Action"))).toList();
  }

  private List<TargetGroup> fleet(int n) {
    List<TargetGroup> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fake.group("g" + i, 2);
      groups.add(bind("g" + i));
    }
    return groups;
  }

  // The first read of a group also looks for its last event and a running refresh; later reads are cheap.
  private List<GroupStatus> readTwice(List<TargetGroup> groups) {
    target.statusOf(groups);
    server.clearRequests();
    return target.statusOf(groups);
  }

  private static TargetStatus ok(GroupStatus s) {
    return s.status().orElseThrow(() -> new AssertionError("read failed: " + s));
  }

  @Test
  void bind_unknownKeys_oneProblemListingThemAndTheKnownKeysOnce() {
    assertThatThrownBy(() -> target.bind(Map.of("aws_asg_nme", "web", "asg", "x", "node_class", "c")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid aws-asg policy target: aws_asg_name is required but was missing; 'asg', 'aws_asg_nme' "
            + "are not known keys; known keys are aws_asg_name, datacenter, ignore_asg_events, node_class, "
            + "node_drain_deadline, node_drain_ignore_system_jobs, node_pool, node_purge, node_ready_check, "
            + "node_selector_strategy, scale_in_protection");
  }

  @Test
  void bind_blankName_rejectedNamingTheKey() {
    assertThatThrownBy(() -> target.bind(Map.of("aws_asg_name", " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws_asg_name");
  }

  @Test
  void bind_validBlocks_makeNoCall() {
    fake.group("web", 2);

    bind("web");
    target.bind(Map.of("aws_asg_name", "no-such-group", "node_class", "x", "node_drain_deadline", "5m"));

    assertThat(server.requests()).isEmpty();
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void bind_id_namesRegionAndGroup_stableAcrossClusterKeys_distinctAcrossGroups() {
    TargetGroup web = bind("web");

    assertThat(web.id()).isEqualTo("aws-asg:eu-west-1/web");
    assertThat(target.bind(Map.of("aws_asg_name", "web", "node_drain_deadline", "9m", "node_purge", "true")).id())
        .isEqualTo(web.id());
    assertThat(bind("db").id()).isNotEqualTo(web.id());
  }

  @Test
  void statusOf_250SteadyGroups_threeDescribeCallsAndNothingElse() {
    List<TargetGroup> groups = fleet(250);

    List<GroupStatus> statuses = readTwice(groups);

    assertThat(statuses).hasSize(250).allSatisfy(s -> assertThat(ok(s).ready()).isTrue());
    assertThat(server.requests()).hasSize(3);
    List<Map<String, String>> describes = calls("DescribeAutoScalingGroups");
    assertThat(describes).hasSize(3).allSatisfy(p -> assertThat(p).containsEntry("MaxRecords", "100"));
    assertThat(describes.get(0)).containsEntry("AutoScalingGroupNames.member.100", "g99")
        .doesNotContainKey("AutoScalingGroupNames.member.101");
    assertThat(describes.get(2)).containsEntry("AutoScalingGroupNames.member.50", "g249")
        .doesNotContainKey("AutoScalingGroupNames.member.51");
  }

  @Test
  void statusOf_firstRead_addsOneAccountWideActivityPage() {
    List<TargetGroup> groups = fleet(120);

    target.statusOf(groups);

    assertThat(calls("DescribeAutoScalingGroups")).hasSize(2);
    assertThat(calls("DescribeScalingActivities")).singleElement().satisfies(p -> assertThat(p)
        .doesNotContainKey("AutoScalingGroupName").containsEntry("MaxRecords", "100"));
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void statusOf_pagesOfSixty_followsNextTokenWithinEachChunk() {
    fake.groupsPerPage(60);
    List<TargetGroup> groups = fleet(150);

    List<GroupStatus> statuses = readTwice(groups);

    assertThat(statuses).allSatisfy(s -> assertThat(ok(s).count()).isEqualTo(2));
    assertThat(calls("DescribeAutoScalingGroups")).extracting(p -> p.get("NextToken"))
        .containsExactly(null, "60", null);
  }

  @Test
  void statusOf_missingGroup_failsOnlyItsOwnEntryNamingIt() {
    fake.group("web", 2);
    fake.group("db", 1);

    List<GroupStatus> statuses = target.statusOf(List.of(bind("web"), bind("gone"), bind("db")));

    assertThat(ok(statuses.get(0)).count()).isEqualTo(2);
    assertThat(statuses.get(1).error()).hasValueSatisfying(e -> assertThat(e)
        .hasMessage("Auto Scaling group gone not found in region eu-west-1 at " + server.uri()));
    assertThat(ok(statuses.get(2)).count()).isEqualTo(1);
  }

  @Test
  void statusOf_sameGroupTwice_answersBothFromOneRead() {
    fake.group("web", 2);
    TargetGroup a = bind("web");
    TargetGroup b = target.bind(Map.of("aws_asg_name", "web", "node_class", "x"));

    List<GroupStatus> statuses = readTwice(List.of(a, b));

    assertThat(statuses).extracting(s -> ok(s).count()).containsExactly(2L, 2L);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_oneGroupLaunching_asksOnlyItsActivities_andIsNotReady() {
    List<TargetGroup> groups = fleet(30);
    target.statusOf(groups);
    server.clearRequests();
    FakeAutoScaling.Group g7 = fake.get("g7");
    g7.desired = 3;
    g7.instances.put("g7-i-3", false);
    g7.lifecycle.put("g7-i-3", "Pending:Wait");
    g7.activities.add(0, new FakeAutoScaling.Activity("g7", "Launching a new EC2 instance: g7-i-3",
        Instant.parse("2026-11-25T12:00:00Z"), "MidLifecycleAction"));

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(calls("DescribeScalingActivities")).singleElement().satisfies(p -> assertThat(p)
        .containsEntry("AutoScalingGroupName", "g7").containsEntry("MaxRecords", "10"));
    TargetStatus busy = ok(statuses.get(7));
    assertThat(busy.ready()).isFalse();
    assertThat(busy.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("MidLifecycleAction", "g7-i-3");
    assertThat(statuses).filteredOn(s -> ok(s).ready()).hasSize(29);
  }

  @Test
  void statusOf_severalBusyGroups_shareOneAccountWidePage() {
    List<TargetGroup> groups = fleet(30);
    target.statusOf(groups);
    server.clearRequests();
    for (String name : List.of("g1", "g2", "g3")) {
      fake.get(name).lifecycle.put(name + "-i-1", "Terminating");
      fake.get(name).activities.add(0, new FakeAutoScaling.Activity(name, "Terminating EC2 instance: " + name + "-i-1",
          Instant.parse("2026-11-25T12:00:00Z"), "InProgress"));
    }

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(calls("DescribeScalingActivities")).singleElement()
        .satisfies(p -> assertThat(p).doesNotContainKey("AutoScalingGroupName"));
    assertThat(calls("DescribeInstanceRefreshes")).isEmpty();
    assertThat(statuses.subList(1, 4)).allSatisfy(s -> assertThat(ok(s).meta().get(TargetStatus.META_NOT_READY_REASON))
        .contains("is InProgress: Terminating EC2 instance"));
  }

  @Test
  void statusOf_afterBusy_looksForARefreshOnce_andFollowsOneThatRuns() {
    List<TargetGroup> groups = fleet(3);
    target.statusOf(groups);
    FakeAutoScaling.Group g1 = fake.get("g1");
    g1.lifecycle.put("g1-i-1", "Terminating");
    assertThat(ok(target.statusOf(groups).get(1)).ready()).isTrue(); // busy, but no activity and no refresh
    g1.lifecycle.remove("g1-i-1");
    g1.refreshes.add(new String[] {"refresh-7", "InProgress"});
    server.clearRequests();

    TargetStatus between = ok(target.statusOf(groups).get(1));
    TargetStatus still = ok(target.statusOf(groups).get(1));
    g1.refreshes.set(0, new String[] {"refresh-7", "Successful"});
    TargetStatus done = ok(target.statusOf(groups).get(1));
    TargetStatus steady = ok(target.statusOf(groups).get(1));

    assertThat(between.ready()).isFalse();
    assertThat(between.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("refresh-7", "InProgress");
    assertThat(still.ready()).isFalse();
    assertThat(done.ready()).isTrue();
    assertThat(steady.ready()).isTrue();
    assertThat(calls("DescribeInstanceRefreshes")).hasSize(3)
        .allSatisfy(p -> assertThat(p).containsEntry("AutoScalingGroupName", "g1"));
  }

  @Test
  void statusOf_groupBeingDeleted_notReadyWithoutFurtherCalls() {
    List<TargetGroup> groups = fleet(2);
    target.statusOf(groups);
    fake.get("g0").status = "Delete in progress";
    server.clearRequests();

    TargetStatus deleting = ok(target.statusOf(groups).get(0));

    assertThat(deleting.ready()).isFalse();
    assertThat(deleting.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("g0", "Delete in progress");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_warmPoolActivityInProgress_ignoredAsThePeerDoes() {
    List<TargetGroup> groups = fleet(2);
    fake.get("g1").warmPool = true;
    target.statusOf(groups);
    fake.get("g1").activities.add(0, new FakeAutoScaling.Activity("g1",
        "Launching a new EC2 instance into warm pool: g1-i-warm", Instant.parse("2026-11-25T12:00:00Z"), "InProgress"));
    fake.get("g1").warmPoolInstances.put("g1-i-warm", "Warmed:Pending");
    server.clearRequests();

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(ok(statuses.get(1)).ready()).as("a warm pool filling is not a scaling activity").isTrue();
    assertThat(ok(statuses.get(1)).count()).as("warm-pool instances are not counted").isEqualTo(2);
    assertThat(calls("DescribeScalingActivities")).as("a settled group with a warm pool is not busy").isEmpty();
  }

  @Test
  void statusOf_warmPoolActivityOnFirstRead_isNotTheLastEvent() {
    fake.group("g0", 1).activities.add(new FakeAutoScaling.Activity("g0",
        "Terminating EC2 instance from warm pool: g0-i-old", Instant.parse("2026-11-25T12:00:00Z"), "Successful"));
    fake.get("g0").activities.get(0).end = Instant.parse("2026-11-25T12:01:00Z");
    fake.get("g0").activities.add(new FakeAutoScaling.Activity("g0", "Launching a new EC2 instance: g0-i-1",
        Instant.parse("2026-11-25T11:00:00Z"), "Successful"));
    fake.get("g0").activities.get(1).end = Instant.parse("2026-11-25T11:01:00Z");

    TargetStatus first = ok(target.statusOf(List.of(target.bind(Map.of("aws_asg_name", "g0")))).get(0));

    assertThat(first.meta()).containsEntry(TargetStatus.META_LAST_EVENT,
        Long.toString(Instant.parse("2026-11-25T11:01:00Z").toEpochMilli()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Pending:Wait", "Pending:Proceed", "Terminating:Wait", "Terminating:Proceed"})
  void statusOf_instanceHeldByALifecycleHook_notReadyEvenWithoutARunningActivity(String state) {
    List<TargetGroup> groups = fleet(2);
    target.statusOf(groups);
    fake.get("g1").lifecycle.put(fake.get("g1").instances.keySet().iterator().next(), state);

    TargetStatus held = ok(target.statusOf(groups).get(1));

    assertThat(held.ready()).isFalse();
    assertThat(held.meta().get(TargetStatus.META_NOT_READY_REASON)).contains(state, "lifecycle hook");
  }

  @Test
  void statusOf_ignoreAsgEvents_readinessFromStatusAloneWithOneCall() {
    fake.group("g0", 2).lifecycle.put(fake.get("g0").instances.keySet().iterator().next(), "Terminating:Wait");
    fake.get("g0").activities.add(new FakeAutoScaling.Activity("g0", "Terminating EC2 instance: x",
        Instant.parse("2026-11-25T12:00:00Z"), "InProgress"));
    TargetGroup ignoring = target.bind(Map.of("aws_asg_name", "g0", "ignore_asg_events", "true"));

    TargetStatus status = ok(target.statusOf(List.of(ignoring)).get(0));

    assertThat(status.ready()).isTrue();
    assertThat(status.meta()).doesNotContainKey(TargetStatus.META_LAST_EVENT);
    assertThat(server.requests()).extracting(r -> r.formParams().get("Action"))
        .containsExactly("DescribeAutoScalingGroups");
    fake.get("g0").status = "Delete in progress";
    assertThat(ok(target.statusOf(List.of(ignoring)).get(0)).ready()).isFalse();
  }

  @Test
  void bind_badIgnoreAsgEventsOrScaleInProtection_namesTheKey() {
    assertThatThrownBy(() -> target.bind(Map.of("aws_asg_name", "g", "ignore_asg_events", "maybe",
        "scale_in_protection", "sometimes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ignore_asg_events was 'maybe'")
        .hasMessageContaining("scale_in_protection was 'sometimes'");
  }

  @Test
  void statusOf_desiredMovedOutOfBand_reportsItsActivityEndUntilWeScale() {
    List<TargetGroup> groups = fleet(5);
    readTwice(groups);
    assertThat(ok(target.statusOf(groups).get(2)).meta()).doesNotContainKey(TargetStatus.META_LAST_EVENT);
    FakeAutoScaling.Activity console = fake.setDesiredOutOfBand("g2", 4);
    String end = Long.toString(console.end.toEpochMilli());
    server.clearRequests();

    TargetStatus moved = ok(target.statusOf(groups).get(2));
    TargetStatus later = ok(target.statusOf(groups).get(2));

    assertThat(moved.count()).isEqualTo(4);
    assertThat(moved.meta()).containsEntry(TargetStatus.META_LAST_EVENT, end);
    assertThat(later.meta()).containsEntry(TargetStatus.META_LAST_EVENT, end);
    assertThat(calls("DescribeScalingActivities")).singleElement()
        .satisfies(p -> assertThat(p).containsEntry("AutoScalingGroupName", "g2"));

    groups.get(2).scale(new ScalingAction(5, Direction.UP, "test", Map.of(), false));
    TargetStatus afterOurs = ok(target.statusOf(groups).get(2));

    assertThat(afterOurs.count()).isEqualTo(5);
    assertThat(afterOurs.meta()).doesNotContainKey(TargetStatus.META_LAST_EVENT);
  }

  @Test
  void statusOf_ourOwnScale_isNotAnOutOfBandEvent() {
    List<TargetGroup> groups = fleet(3);
    readTwice(groups);

    groups.get(0).scale(new ScalingAction(6, Direction.UP, "test", Map.of(), false));
    server.clearRequests();
    TargetStatus status = ok(target.statusOf(groups).get(0));

    assertThat(status.count()).isEqualTo(6);
    assertThat(status.meta()).doesNotContainKey(TargetStatus.META_LAST_EVENT);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_firstRead_reportsTheNewestFinishedActivityAsLastEvent() {
    fake.group("web", 2);
    FakeAutoScaling.Activity old = new FakeAutoScaling.Activity("web", "Launching", Instant.parse("2026-11-25T10:00:00Z"),
        "Successful");
    old.end = Instant.parse("2026-11-25T10:03:00Z");
    fake.get("web").activities.add(old);
    fake.group("db", 1);

    List<GroupStatus> statuses = target.statusOf(List.of(bind("web"), bind("db")));

    assertThat(ok(statuses.get(0)).meta()).containsEntry(TargetStatus.META_LAST_EVENT,
        Long.toString(old.end.toEpochMilli()));
    assertThat(ok(statuses.get(1)).meta()).doesNotContainKey(TargetStatus.META_LAST_EVENT);
  }

  @Test
  void statusOf_describeThrottledOnce_retriedAndEveryGroupRead() {
    List<TargetGroup> groups = fleet(150);
    target.statusOf(groups);
    server.clearRequests();
    fake.script("DescribeAutoScalingGroups", FakeAutoScaling.throttling());

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).allSatisfy(s -> assertThat(s.isOk()).isTrue());
    assertThat(calls("DescribeAutoScalingGroups")).hasSize(3);
  }

  @Test
  void statusOf_chunkFailsOnEveryAttempt_failsOnlyThatChunksGroups() {
    List<TargetGroup> groups = fleet(150);
    target.statusOf(groups);
    LocalHttpServer.Response denied = FakeAutoScaling.error(403, "Sender", "AccessDenied", "not authorized");
    fake.script("DescribeAutoScalingGroups", denied);

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses.subList(0, 100)).allSatisfy(s -> assertThat(s.error()).hasValueSatisfying(e ->
        assertThat(e).hasMessageContaining("AccessDenied: not authorized").hasMessageContaining("g0")));
    assertThat(statuses.subList(100, 150)).allSatisfy(s -> assertThat(s.isOk()).isTrue());
  }

  @Test
  void statusOf_groupOfAnotherTarget_refused() {
    AwsAsgTarget other = new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "endpoint", server.uri().toString(), "aws_access_key_id", "A", "aws_secret_access_key", "B")),
        Optional.empty());
    try (other) {
      TargetGroup foreign = other.bind(Map.of("aws_asg_name", "web"));
      assertThatThrownBy(() -> target.statusOf(List.of(foreign)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("aws-asg:eu-west-1/web");
    }
  }
}
