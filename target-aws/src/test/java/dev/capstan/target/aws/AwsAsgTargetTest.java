package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Direction;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.retries.api.BackoffStrategy;

final class AwsAsgTargetTest {
  private static final Map<String, String> WEB = Map.of("aws_asg_name", "web");
  private static final String KEY_ID = "AKIDEXAMPLE7TESTKEY";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private final FakeAutoScaling fake = new FakeAutoScaling();
  private final LocalHttpServer server = LocalHttpServer.start(fake);
  private final List<AwsAsgTarget> targets = new ArrayList<>();

  @AfterEach
  void tearDown() {
    targets.forEach(AwsAsgTarget::close);
    server.close();
  }

  private AwsAsgTarget target(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", KEY_ID, "aws_secret_access_key", SECRET,
        "endpoint", server.uri().toString(), "poll_interval", "1ms"));
    config.putAll(extra);
    AwsAsgTarget target = new AwsAsgTarget(AwsAsgConfig.parse(config),
        Optional.of(BackoffStrategy.retryImmediately()));
    targets.add(target);
    return target;
  }

  private AwsAsgTarget target() {
    return target(Map.of());
  }

  private List<Map<String, String>> calls(String action) {
    return server.requests().stream().map(RecordedRequest::formParams)
        .filter(p -> action.equals(p.get("Action"))).toList();
  }

  private List<String> actions() {
    return server.requests().stream().map(r -> r.formParams().get("Action")).toList();
  }

  private static ScalingAction to(long count) {
    return new ScalingAction(count, Direction.UP, "test", Map.of(), false);
  }

  @Test
  void instanceIds_listsTheGroupsInstances() {
    FakeAutoScaling.Group web = fake.group("web", 3);
    assertThat(target().instanceIds(WEB)).hasValueSatisfying(ids ->
        assertThat(ids).containsExactlyElementsOf(web.instances.keySet()).hasSize(3));
  }

  @Test
  void instanceIds_terminatingInstances_notListedAsLive() {
    FakeAutoScaling.Group web = fake.group("web", 4);
    web.lifecycle.put("web-i-2", "Terminating");
    web.lifecycle.put("web-i-3", "Terminating:Wait");
    web.lifecycle.put("web-i-4", "Terminated");

    assertThat(target().instanceIds(WEB)).hasValue(List.of("web-i-1"));
  }

  @Test
  void status_readyGroup_reportsDesiredCapacityAndLastActivityEnd() {
    FakeAutoScaling.Group web = fake.group("web", 4);
    FakeAutoScaling.Activity old = new FakeAutoScaling.Activity("web", "Launching",
        Instant.parse("2026-11-25T10:00:00Z"), "Successful");
    old.end = Instant.parse("2026-11-25T10:03:00Z");
    web.activities.add(old);

    TargetStatus status = target().status(WEB);

    assertThat(status.ready()).isTrue();
    assertThat(status.count()).isEqualTo(4);
    assertThat(status.meta()).containsEntry(TargetStatus.META_LAST_EVENT,
        Long.toString(old.end.toEpochMilli()));
    // A first read asks for activities (the last event); a settled group needs no refresh check.
    assertThat(actions()).containsExactly("DescribeAutoScalingGroups", "DescribeScalingActivities");
    RecordedRequest describe = server.requests().get(0);
    assertThat(describe.method()).isEqualTo("POST");
    assertThat(describe.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
    assertThat(describe.header("Authorization")).contains("Credential=" + KEY_ID + "/");
    assertThat(describe.formParams()).containsEntry("Version", "2011-01-01")
        .containsEntry("AutoScalingGroupNames.member.1", "web");
    assertThat(calls("DescribeScalingActivities").get(0)).containsEntry("AutoScalingGroupName", "web");
  }

  @Test
  void status_groupBeingDeleted_notReadyWithReason() {
    fake.group("web", 2).status = "Delete in progress";

    TargetStatus status = target().status(WEB);

    assertThat(status.ready()).isFalse();
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("web", "Delete in progress");
  }

  @Test
  void status_scalingActivityInProgress_notReady() {
    FakeAutoScaling.Group web = fake.group("web", 2);
    FakeAutoScaling.Activity done = new FakeAutoScaling.Activity("web", "Launching a new EC2 instance",
        Instant.parse("2026-11-25T10:00:00Z"), "Successful");
    done.end = Instant.parse("2026-11-25T10:02:00Z");
    web.activities.add(done);
    web.activities.add(0, new FakeAutoScaling.Activity("web", "Launching a new EC2 instance: i-9",
        Instant.parse("2026-11-25T11:00:00Z"), "MidLifecycleAction"));

    TargetStatus status = target().status(WEB);

    assertThat(status.ready()).isFalse();
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("MidLifecycleAction");
    assertThat(status.meta()).containsEntry(TargetStatus.META_LAST_EVENT,
        Long.toString(done.end.toEpochMilli()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Pending", "InProgress", "Cancelling", "RollbackInProgress"})
  void status_instanceRefreshRunning_notReady(String refreshStatus) {
    FakeAutoScaling.Group web = fake.group("web", 2);
    web.refreshes.add(new String[] {"refresh-1", refreshStatus});
    web.lifecycle.put("web-i-1", "Terminating"); // the refresh is replacing it

    TargetStatus status = target().status(WEB);

    assertThat(status.ready()).isFalse();
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON)).contains("refresh-1", refreshStatus);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Successful", "Failed", "Cancelled", "RollbackSuccessful"})
  void status_instanceRefreshFinished_ready(String refreshStatus) {
    FakeAutoScaling.Group web = fake.group("web", 2);
    web.refreshes.add(new String[] {"refresh-1", refreshStatus});
    web.lifecycle.put("web-i-1", "Terminating"); // the refresh is replacing it

    assertThat(target().status(WEB).ready()).isTrue();
  }

  @Test
  void statusAll_201Groups_oneDescribePer100NamesFollowingNextToken() {
    fake.groupsPerPage(60);
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 200; i >= 0; i--) {
      fake.group("g" + i, i % 7);
      configs.add(Map.of("aws_asg_name", "g" + i));
    }

    List<TargetStatus> statuses = target().statusAll(configs);

    assertThat(statuses).extracting(TargetStatus::count)
        .containsExactlyElementsOf(IntStream.iterate(200, i -> i >= 0, i -> i - 1).mapToObj(i -> (long) (i % 7)).toList());
    List<Map<String, String>> describes = calls("DescribeAutoScalingGroups");
    // 100 names → pages of 60 and 40, twice; then one page for the last name.
    assertThat(describes).hasSize(5);
    assertThat(describes).extracting(p -> p.get("NextToken")).containsExactly(null, "60", null, "60", null);
    assertThat(describes.get(0)).containsEntry("AutoScalingGroupNames.member.1", "g200")
        .containsEntry("AutoScalingGroupNames.member.100", "g101")
        .doesNotContainKey("AutoScalingGroupNames.member.101");
    assertThat(describes.get(1)).containsEntry("AutoScalingGroupNames.member.100", "g101");
    assertThat(describes.get(2)).containsEntry("AutoScalingGroupNames.member.1", "g100");
    assertThat(describes.get(4)).containsEntry("AutoScalingGroupNames.member.1", "g0")
        .doesNotContainKey("AutoScalingGroupNames.member.2");
  }

  @Test
  void statusAll_missingGroups_throwsNamingEach() {
    fake.group("web", 2);

    assertThatThrownBy(() -> target().statusAll(List.of(WEB, Map.of("aws_asg_name", "gone-a"),
        Map.of("aws_asg_name", "gone-b"))))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("gone-a")
        .hasMessageContaining("gone-b")
        .hasMessageNotContaining("web,");
  }

  @Test
  void scale_up_setsDesiredCapacityWithoutCooldown() {
    fake.group("web", 2);

    target().scale(to(5), WEB);

    assertThat(calls("SetDesiredCapacity")).singleElement().satisfies(p -> assertThat(p)
        .containsEntry("AutoScalingGroupName", "web")
        .containsEntry("DesiredCapacity", "5")
        .containsEntry("HonorCooldown", "false"));
    assertThat(fake.get("web").desired).isEqualTo(5);
  }

  @Test
  void scale_dryRun_sendsNoRequest() {
    fake.group("web", 2);

    target().scale(new ScalingAction(9, Direction.UP, "test", Map.of(), true), WEB);

    assertThat(server.requests()).isEmpty();
  }

  @Test
  void scale_downWhileTerminateSuspended_throwsAndLeavesGroup() {
    fake.group("web", 3).suspended.put("Terminate", "User suspended at 2026-11-25T09:00:00Z");

    assertThatThrownBy(() -> target().scale(to(1), WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("web")
        .hasMessageContaining("Terminate process is suspended");
    assertThat(calls("SetDesiredCapacity")).isEmpty();
    assertThat(fake.get("web").desired).isEqualTo(3);
  }

  @Test
  void scale_upWhileTerminateSuspended_isAllowed() {
    fake.group("web", 3).suspended.put("Terminate", "User suspended");

    target().scale(to(4), WEB);

    assertThat(fake.get("web").desired).isEqualTo(4);
  }

  @Test
  void scale_unknownGroup_throwsNamingGroupWithoutSettingCapacity() {
    assertThatThrownBy(() -> target().scale(to(4), Map.of("aws_asg_name", "nope")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("Auto Scaling group nope not found");
    assertThat(calls("SetDesiredCapacity")).isEmpty();
  }

  @Test
  void scale_awsRefuses_throwsWithAwsReason() {
    fake.group("web", 2);
    fake.script("SetDesiredCapacity", FakeAutoScaling.error(400, "Sender", "ValidationError",
        "New SetDesiredCapacity value 2000 is above max value 1000 for the AutoScalingGroup."));

    assertThatThrownBy(() -> target().scale(to(2000), WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("web")
        .hasMessageContaining("ValidationError: New SetDesiredCapacity value 2000 is above max value 1000");
    assertThat(calls("SetDesiredCapacity")).hasSize(1);
  }

  @Test
  void status_throttledOnce_retriesAndSucceeds() {
    fake.group("web", 2);
    fake.script("DescribeAutoScalingGroups", FakeAutoScaling.throttling());

    TargetStatus status = target().status(WEB);

    assertThat(status.count()).isEqualTo(2);
    assertThat(calls("DescribeAutoScalingGroups")).hasSize(2)
        .allSatisfy(p -> assertThat(p).containsEntry("AutoScalingGroupNames.member.1", "web"));
  }

  @Test
  void status_throttled_waitsTheConfiguredRetryDelayInsteadOfTheSdks() {
    fake.group("web", 2);
    fake.script("DescribeAutoScalingGroups", FakeAutoScaling.throttling());
    List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (LocalHttpServer timed = LocalHttpServer.start(r -> {
      arrivals.add(System.nanoTime());
      return fake.apply(r);
    }); AwsAsgTarget t = new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", KEY_ID, "aws_secret_access_key", SECRET, "endpoint", timed.uri().toString(),
        "retry_delay", "3s", "max_retry_delay", "3s")), Optional.empty())) {
      assertThat(t.status(WEB).count()).isEqualTo(2);
    }
    // Half jitter waits between 1.5 s and 3 s; the SDK's own throttling back-off waits at most 1 s.
    assertThat((arrivals.get(1) - arrivals.get(0)) / 1_000_000).isGreaterThanOrEqualTo(1400);
  }

  @Test
  void status_serverErrorOnEveryAttempt_throwsClearErrorAfterConfiguredAttempts() {
    fake.group("web", 2);
    LocalHttpServer.Response boom = FakeAutoScaling.error(500, "Receiver", "InternalFailure",
        "An internal error occurred");
    fake.script("DescribeAutoScalingGroups", boom, boom, boom, boom);

    assertThatThrownBy(() -> target(Map.of("retry_attempts", "3")).status(WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("describe Auto Scaling group(s) web")
        .hasMessageContaining("InternalFailure: An internal error occurred")
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("after 3 attempts");
    assertThat(calls("DescribeAutoScalingGroups")).hasSize(3);
  }

  @Test
  void status_unknownGroup_throwsNamingGroup() {
    fake.group("web", 2);

    assertThatThrownBy(() -> target().status(Map.of("aws_asg_name", "nope")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("Auto Scaling group nope not found in region eu-west-1");
  }

  @Test
  void status_awsErrorEchoingCredentials_messageRedactsThem() {
    fake.group("web", 2);
    fake.script("DescribeAutoScalingGroups", FakeAutoScaling.error(403, "Sender", "InvalidClientTokenId",
        "The security token included in the request is invalid: " + KEY_ID + " " + SECRET));

    assertThatThrownBy(() -> target().status(WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("InvalidClientTokenId")
        .hasMessageNotContaining(KEY_ID)
        .hasMessageNotContaining(SECRET)
        .satisfies(e -> {
          StringWriter trace = new StringWriter();
          e.printStackTrace(new PrintWriter(trace));
          assertThat(trace.toString()).doesNotContain(KEY_ID).doesNotContain(SECRET);
        });
  }

  @Test
  void status_awsErrorWithoutCredentials_keepsSdkCause() {
    fake.group("web", 2);
    fake.script("DescribeAutoScalingGroups", FakeAutoScaling.error(403, "Sender", "AccessDenied",
        "User is not authorized to perform: autoscaling:DescribeAutoScalingGroups"));

    assertThatThrownBy(() -> target().status(WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("AccessDenied: User is not authorized")
        .cause().isInstanceOf(AwsServiceException.class);
  }

  @Test
  void toString_staticCredentials_neverShowsThem() {
    assertThat(target().toString()).doesNotContain(KEY_ID).doesNotContain(SECRET).contains("redacted");
  }

  @Test
  void status_policyConfigWithClusterKeys_accepted_unknownKeyRejected() {
    fake.group("web", 2);
    AwsAsgTarget target = target();

    assertThat(target.status(Map.of("aws_asg_name", "web", "node_class", "hashistack",
        "node_drain_deadline", "5m", "node_purge", "true", "node_selector_strategy", "empty")).count())
        .isEqualTo(2);
    assertThatThrownBy(() -> target.status(Map.of("aws_asg_name", "web", "asg_name", "web")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'asg_name' is not a known key");
    assertThatThrownBy(() -> target.status(Map.of("node_class", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws_asg_name is required");
  }

  @Test
  void terminate_instances_terminatesWithDecrementThenPollsActivitiesUntilDone() {
    fake.group("web", 4);
    fake.pollsBeforeDone(2);

    target().terminate(WEB, List.of("web-i-2", "web-i-3"));

    assertThat(calls("TerminateInstanceInAutoScalingGroup"))
        .extracting(p -> p.get("InstanceId"), p -> p.get("ShouldDecrementDesiredCapacity"))
        .containsExactly(tuple("web-i-2", "true"), tuple("web-i-3", "true"));
    List<Map<String, String>> polls = calls("DescribeScalingActivities");
    assertThat(polls).hasSize(3).allSatisfy(p -> assertThat(p)
        .containsEntry("AutoScalingGroupName", "web")
        .containsKey("ActivityIds.member.1")
        .containsKey("ActivityIds.member.2"));
    assertThat(fake.get("web").desired).isEqualTo(2);
    assertThat(fake.get("web").instances).containsOnlyKeys("web-i-1", "web-i-4");
  }

  @Test
  void terminate_oneRefusedByAws_throwsListingTerminatedAndNot() {
    fake.group("web", 3);
    fake.rejectTerminate("web-i-2", "The instance web-i-2 is not in service");

    assertThatThrownBy(() -> target().terminate(WEB, List.of("web-i-1", "web-i-2", "web-i-3")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("web-i-1", "web-i-3");
          assertThat(e.failed()).containsOnlyKeys("web-i-2");
          assertThat(e.failed().get("web-i-2")).contains("ValidationError", "not in service");
        })
        .hasMessageContaining("terminated 2 of 3 instances in web");
    assertThat(fake.get("web").desired).isEqualTo(1);
  }

  @Test
  void terminate_activityFails_reportsItsStatusMessage() {
    fake.group("web", 3);
    fake.failTermination("web-i-1");

    assertThatThrownBy(() -> target().terminate(WEB, List.of("web-i-1", "web-i-2")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("web-i-2");
          assertThat(e.failed().get("web-i-1")).contains("Failed", "lifecycle hook abandoned");
        });
  }

  @Test
  void terminate_protectedInstance_refusedAndNeverTerminated() {
    FakeAutoScaling.Group web = fake.group("web", 3);
    web.instances.put("web-i-1", true);

    assertThatThrownBy(() -> target().terminate(WEB, List.of("web-i-1", "web-i-2")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("web-i-2");
          assertThat(e.failed().get("web-i-1")).contains("protected from scale-in");
        });
    assertThat(calls("TerminateInstanceInAutoScalingGroup")).extracting(p -> p.get("InstanceId"))
        .containsExactly("web-i-2");
    assertThat(web.instances).containsKey("web-i-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "policy"})
  void terminate_scaleInProtectionFalse_terminatesAProtectedInstanceAsThePeerDoes(String where) {
    FakeAutoScaling.Group web = fake.group("web", 3);
    web.instances.put("web-i-1", true);
    AwsAsgTarget target = where.equals("agent") ? target(Map.of("scale_in_protection", "false")) : target();
    Map<String, String> policy = where.equals("agent") ? WEB
        : Map.of("aws_asg_name", "web", "scale_in_protection", "false");

    target.terminate(policy, List.of("web-i-1"));

    assertThat(calls("TerminateInstanceInAutoScalingGroup")).extracting(p -> p.get("InstanceId"))
        .containsExactly("web-i-1");
    assertThat(web.instances).doesNotContainKey("web-i-1");
  }

  @Test
  void terminate_policyScaleInProtectionTrue_overridesTheAgentsFalse() {
    fake.group("web", 3).instances.put("web-i-1", true);

    assertThatThrownBy(() -> target(Map.of("scale_in_protection", "false"))
        .terminate(Map.of("aws_asg_name", "web", "scale_in_protection", "true"), List.of("web-i-1")))
        .isInstanceOfSatisfying(TerminationException.class,
            e -> assertThat(e.failed().get("web-i-1")).contains("protected from scale-in"));
    assertThat(calls("TerminateInstanceInAutoScalingGroup")).isEmpty();
  }

  @Test
  void terminate_instanceNotInGroup_refusedWithoutCall() {
    fake.group("web", 2);
    fake.group("db", 2);

    assertThatThrownBy(() -> target().terminate(WEB, List.of("db-i-1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).isEmpty();
          assertThat(e.failed().get("db-i-1")).contains("not an instance of Auto Scaling group web");
        });
    assertThat(calls("TerminateInstanceInAutoScalingGroup")).isEmpty();
  }

  @Test
  void terminate_terminateProcessSuspended_throwsAndTerminatesNothing() {
    fake.group("web", 3).suspended.put("Terminate", "User suspended at 2026-11-25T09:00:00Z");

    assertThatThrownBy(() -> target().terminate(WEB, List.of("web-i-1")))
        .isInstanceOf(TargetException.class)
        .isNotInstanceOf(TerminationException.class)
        .hasMessageContaining("web")
        .hasMessageContaining("Terminate process is suspended (User suspended at 2026-11-25T09:00:00Z)");
    assertThat(calls("TerminateInstanceInAutoScalingGroup")).isEmpty();
  }

  @Test
  void terminate_activityNeverFinishes_reportsUnconfirmedAfterOperationTimeout() {
    fake.group("web", 2);
    fake.pollsBeforeDone(Integer.MAX_VALUE);

    assertThatThrownBy(() -> target(Map.of("operation_timeout", "50ms")).terminate(WEB, List.of("web-i-1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).isEmpty();
          assertThat(e.failed()).isEmpty();
          assertThat(e.unconfirmed().get("web-i-1")).contains("still InProgress after 50ms");
          assertThat(e).hasMessageContaining("requested but not confirmed (may be gone)");
        });
    // At least one poll: on a loaded machine the first poll alone can outlast 50 ms.
    assertThat(calls("DescribeScalingActivities")).isNotEmpty();
  }

  @Test
  void terminate_pollRefused_reportsUnconfirmedNotFailed() {
    fake.group("web", 2);
    fake.script("DescribeScalingActivities",
        FakeAutoScaling.error(403, "Sender", "AccessDenied", "not authorized to perform: autoscaling:DescribeScalingActivities"));

    assertThatThrownBy(() -> target().terminate(WEB, List.of("web-i-1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.failed()).isEmpty();
          assertThat(e.unconfirmed()).containsOnlyKeys("web-i-1");
          assertThat(e.unconfirmed().get("web-i-1")).contains("could not be confirmed").contains("AccessDenied");
        });
  }

  @Test
  void terminate_pollThrottled_retriesAndConfirms() {
    fake.group("web", 2);
    fake.script("DescribeScalingActivities", FakeAutoScaling.throttling());

    target().terminate(WEB, List.of("web-i-1"));

    assertThat(fake.get("web").desired).isEqualTo(1);
    assertThat(calls("DescribeScalingActivities")).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void terminate_noIds_sendsNothing() {
    fake.group("web", 2);

    target().terminate(WEB, List.of());

    assertThat(server.requests()).isEmpty();
  }
}
