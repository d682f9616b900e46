package dev.capstan.target.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Direction;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class AzureVmssTargetTest {
  private static final String RG = "rg-web";
  private static final String VMSS_PATH = "/subscriptions/" + FakeVmssApi.SUBSCRIPTION + "/resourceGroups/" + RG
      + "/providers/Microsoft.Compute/virtualMachineScaleSets/web";
  private static final String RG_PATH = "/subscriptions/" + FakeVmssApi.SUBSCRIPTION + "/resourceGroups/" + RG
      + "/providers/Microsoft.Compute/virtualMachineScaleSets";
  private static final Map<String, String> WEB = Map.of("resource_group", RG, "vm_scale_set", "web");
  private static final Map<String, String> FLEX = Map.of("resource_group", RG, "vm_scale_set", "flex");

  private final FakeVmssApi api = new FakeVmssApi().addUniform(RG, "web", 3).addFlexible(RG, "flex", 3);
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private LocalHttpServer server;
  private AzureVmssTarget target;

  @BeforeEach
  void start() {
    server = LocalHttpServer.start(request -> {
      arrivals.add(System.nanoTime());
      return api.apply(request);
    });
    api.baseUrl(server.uri().toString());
    target = AzureVmssTargets.local(server, Map.of());
  }

  @AfterEach
  void stop() {
    target.close();
    server.close();
  }

  private static ScalingAction to(long count) {
    return new ScalingAction(count, Direction.UP, "test", Map.of(), false);
  }

  private List<String> calls() {
    return server.requests().stream().map(r -> r.method() + " " + r.path()).toList();
  }

  @Test
  void status_existingScaleSet_getsItWithApiVersionAndReportsCapacity() {
    TargetStatus status = target.status(WEB);

    assertThat(status.ready()).isTrue();
    assertThat(status.count()).isEqualTo(3);
    assertThat(status.meta()).containsEntry("azure.orchestration_mode", "Uniform");
    RecordedRequest get = server.requests().get(0);
    assertThat(server.requests()).hasSize(1);
    assertThat(get.method()).isEqualTo("GET");
    assertThat(get.path()).isEqualTo(VMSS_PATH);
    assertThat(get.queryParams()).containsEntry("api-version", "2025-04-01");
    assertThat(get.header("Authorization")).as("no credential in tests").isNull();
    assertThat(get.header("User-Agent")).contains("capstan-target-azure");
  }

  @Test
  void status_provisioningNotSucceeded_notReadyWithReason() {
    api.provisioningState("web", "Updating");

    TargetStatus status = target.status(WEB);

    assertThat(status.ready()).isFalse();
    assertThat(status.count()).isEqualTo(3);
    assertThat(status.meta()).containsEntry(TargetStatus.META_NOT_READY_REASON,
        "provisioning state is Updating, not Succeeded");
  }

  @Test
  void scale_asyncOperationHeader_patchesCapacityAndPollsUntilSucceeded() {
    api.lro(FakeVmssApi.Lro.ASYNC_OPERATION, 2);

    target.scale(to(5), WEB);

    String operation = "/subscriptions/" + FakeVmssApi.SUBSCRIPTION
        + "/providers/Microsoft.Compute/locations/westeurope/operations/op-0";
    assertThat(calls()).containsExactly("PATCH " + VMSS_PATH, "GET " + operation, "GET " + operation,
        "GET " + operation, "GET " + VMSS_PATH);
    RecordedRequest patch = server.requests().get(0);
    assertThat(patch.queryParams()).containsEntry("api-version", "2025-04-01");
    assertThat(patch.body().replace(" ", "")).isEqualTo("{\"sku\":{\"capacity\":5}}");
    assertThat(api.capacity("web")).isEqualTo(5);
    assertThat(target.status(WEB)).isEqualTo(new TargetStatus(true, 5,
        Map.of("azure.provisioning_state", "Succeeded", "azure.orchestration_mode", "Uniform")));
  }

  @Test
  void scale_patchAnsweredWithLocationOnly_pollsTheScaleSetUntilProvisioned() {
    // The SDK polls a PATCH answered 200 without Azure-AsyncOperation through the resource's
    // provisioningState, not through its Location header.
    api.lro(FakeVmssApi.Lro.LOCATION, 2);

    target.scale(to(1), WEB);

    assertThat(calls()).startsWith("PATCH " + VMSS_PATH, "GET " + VMSS_PATH, "GET " + VMSS_PATH, "GET " + VMSS_PATH);
    assertThat(calls()).noneMatch(c -> c.contains("/operationResults/"));
    assertThat(api.capacity("web")).isEqualTo(1);
    assertThat(api.instances("web")).hasSize(1);
  }

  @Test
  void terminate_deleteAnsweredWithLocation_pollsLocationUntilDone() {
    api.lro(FakeVmssApi.Lro.LOCATION, 2);

    target.terminate(WEB, List.of("0"));

    String result = "GET /subscriptions/" + FakeVmssApi.SUBSCRIPTION
        + "/providers/Microsoft.Compute/locations/westeurope/operationResults/op-0";
    assertThat(calls()).endsWith("POST " + VMSS_PATH + "/delete", result, result, result);
    assertThat(api.instances("web")).containsExactly("1", "2");
    assertThat(api.capacity("web")).isEqualTo(2);
  }

  @Test
  void scale_dryRun_sendsNothing() {
    target.scale(new ScalingAction(9, Direction.UP, "test", Map.of(), true), WEB);

    assertThat(server.requests()).isEmpty();
    assertThat(api.capacity("web")).isEqualTo(3);
  }

  @Test
  void scale_missingScaleSet_notFoundNamesGroupAndCloudReason() {
    Map<String, String> missing = Map.of("resource_group", RG, "vm_scale_set", "gone");

    assertThatThrownBy(() -> target.scale(to(4), missing))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("scale set 'gone' in resource group 'rg-web'")
        .hasMessageContaining("does not exist")
        .hasMessageContaining("HTTP 404 ResourceNotFound");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void status_throttledWithRetryAfter_retriesAfterTheGivenDelay() {
    api.script("GET", "/virtualMachineScaleSets/web",
        FakeVmssApi.armError(429, "TooManyRequests", "slow down").withHeader("Retry-After", "1"));
    AzureVmssTarget patient = AzureVmssTargets.local(server, Map.of("max_retry_delay", "5s"));

    TargetStatus status = patient.status(WEB);

    assertThat(status.count()).isEqualTo(3);
    assertThat(calls()).containsExactly("GET " + VMSS_PATH, "GET " + VMSS_PATH);
    // The configured back-off is 5 ms, so a gap of a second can only come from Retry-After.
    assertThat(arrivals.get(1) - arrivals.get(0)).isGreaterThanOrEqualTo(950_000_000L);
  }

  @Test
  void status_retryAfterLongerThanMaxRetryDelay_waitsOnlyMaxRetryDelay() {
    // An hour asked, 20 ms allowed (max_retry_delay in AzureVmssTargets): the retry comes at once.
    api.script("GET", "/virtualMachineScaleSets/web",
        FakeVmssApi.armError(429, "TooManyRequests", "slow down").withHeader("Retry-After", "3600"));

    assertThat(target.status(WEB).count()).isEqualTo(3);

    assertThat(calls()).containsExactly("GET " + VMSS_PATH, "GET " + VMSS_PATH);
    assertThat(arrivals.get(1) - arrivals.get(0)).isLessThan(30_000_000_000L);
  }

  @Test
  void status_badRequest_isNotRetried() {
    api.script("GET", "/virtualMachineScaleSets/web", FakeVmssApi.armError(400, "InvalidParameter", "no"));

    assertThatThrownBy(() -> target.status(WEB)).hasMessageContaining("HTTP 400 InvalidParameter: no");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void status_serverErrorsOutlastRetries_clearErrorAfterEveryAttempt() {
    Response unavailable = FakeVmssApi.armError(503, "ServiceUnavailable", "The service is busy.");
    api.script("GET", "/virtualMachineScaleSets/web", unavailable, unavailable, unavailable, unavailable);

    assertThatThrownBy(() -> target.status(WEB))
        .isInstanceOf(TargetException.class)
        .hasMessage("azure-vmss: reading scale set 'web' in resource group 'rg-web' failed: "
            + "HTTP 503 ServiceUnavailable: The service is busy.");
    assertThat(server.requests()).as("first try and max_retries = 2").hasSize(3);
  }

  @Test
  void scale_operationEndsFailed_errorCarriesCloudMessage() {
    api.lro(FakeVmssApi.Lro.ASYNC_OPERATION, 1)
        .failNextOperation("AllocationFailed", "Allocation failed. Please try another VM size.");

    assertThatThrownBy(() -> target.scale(to(8), WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("setting the capacity to 8 of scale set 'web' in resource group 'rg-web' failed")
        .hasMessageContaining("AllocationFailed")
        .hasMessageContaining("Allocation failed. Please try another VM size.");
    assertThat(api.capacity("web")).isEqualTo(3);
  }

  @Test
  void scale_operationNeverEnds_failsAfterOperationTimeout() {
    AzureVmssTarget impatient = AzureVmssTargets.local(server, Map.of("operation_timeout", "300ms"));
    api.neverFinish();

    long started = System.nanoTime();
    assertThatThrownBy(() -> impatient.scale(to(4), WEB))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("scale set 'web' in resource group 'rg-web' did not finish within 300 ms");
    assertThat(System.nanoTime() - started).isLessThan(3_000_000_000L);
  }

  @Test
  void terminate_uniform_deletesExactlyTheGivenInstances() {
    target.terminate(WEB, List.of("1", "web_2"));

    assertThat(calls()).startsWith("GET " + VMSS_PATH, "GET " + VMSS_PATH + "/virtualMachines/1",
        "GET " + VMSS_PATH + "/virtualMachines/2", "POST " + VMSS_PATH + "/delete");
    RecordedRequest delete = server.requests().get(3);
    assertThat(delete.queryParams()).containsEntry("api-version", "2025-04-01");
    assertThat(delete.body().replace(" ", "")).isEqualTo("{\"instanceIds\":[\"1\",\"2\"]}");
    assertThat(api.instances("web")).containsExactly("0");
    assertThat(target.status(WEB).count()).isEqualTo(1);
  }

  @Test
  void terminate_uniformProtectedInstance_refusedAndTheOthersRemoved() {
    api.protect("web", "1");

    assertThatThrownBy(() -> target.terminate(WEB, List.of("0", "1", "7")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("0");
          assertThat(e.failed()).containsOnly(
              Map.entry("1", "instance is protected from scale-in"),
              Map.entry("7", "not an instance of scale set 'web' in resource group 'rg-web'"));
        });
    RecordedRequest delete = server.requests().stream().filter(r -> r.method().equals("POST")).findFirst()
        .orElseThrow();
    assertThat(delete.body().replace(" ", "")).isEqualTo("{\"instanceIds\":[\"0\"]}");
    assertThat(api.instances("web")).containsExactly("1", "2");
  }

  @Test
  void terminate_uniformInstanceProtectedFromScaleSetActions_refusedAndNeverDeleted() {
    // Azure: protection from scale set actions also protects the instance from scale-in.
    api.protectFromScaleSetActions("web", "1");

    assertThatThrownBy(() -> target.terminate(WEB, List.of("0", "1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("0");
          assertThat(e.failed()).containsOnlyKeys("1");
        });
    assertThat(api.instances("web")).containsExactly("1", "2");
  }

  @Test
  void terminate_allProtected_sendsNoDelete() {
    api.protect("web", "0");

    assertThatThrownBy(() -> target.terminate(WEB, List.of("0")))
        .isInstanceOfSatisfying(TerminationException.class, e -> assertThat(e.terminated()).isEmpty());
    assertThat(calls()).noneMatch(c -> c.startsWith("POST"));
    assertThat(api.capacity("web")).isEqualTo(3);
  }

  @Test
  void terminate_deleteOperationEndsFailed_errorCarriesCloudMessage() {
    api.lro(FakeVmssApi.Lro.LOCATION, 1).failNextOperation("OperationNotAllowed", "Instance 2 is busy.");

    assertThatThrownBy(() -> target.terminate(WEB, List.of("2")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("deleting instances [2] of scale set 'web' in resource group 'rg-web' failed")
        .hasMessageContaining("OperationNotAllowed")
        .hasMessageContaining("Instance 2 is busy.");
    assertThat(api.instances("web")).containsExactly("0", "1", "2");
  }

  @Test
  void terminate_flexible_checksEachVmThenDeletesThemInOneBatch() {
    List<String> vms = api.instances("flex");

    target.terminate(FLEX, List.of(vms.get(0), vms.get(2)));

    String vmPath = "/subscriptions/" + FakeVmssApi.SUBSCRIPTION + "/resourceGroups/" + RG
        + "/providers/Microsoft.Compute/virtualMachines/";
    assertThat(calls()).contains("GET " + vmPath + vms.get(0), "GET " + vmPath + vms.get(2));
    assertThat(server.requests()).filteredOn(r -> r.method().equals("POST")).singleElement()
        .satisfies(r -> {
          assertThat(r.path()).isEqualTo(RG_PATH + "/flex/delete");
          assertThat(r.body()).contains("\"" + vms.get(0) + "\"", "\"" + vms.get(2) + "\"");
        });
    assertThat(calls()).noneMatch(c -> c.contains(vms.get(1)) || c.startsWith("DELETE"));
    assertThat(api.instances("flex")).containsExactly(vms.get(1));
    assertThat(target.status(FLEX)).satisfies(s -> {
      assertThat(s.count()).isEqualTo(1);
      assertThat(s.meta()).containsEntry("azure.orchestration_mode", "Flexible");
    });
  }

  @Test
  void terminate_flexibleVmOutsideTheScaleSet_refusedWithoutDeleting() {
    assertThatThrownBy(() -> target.terminate(FLEX, List.of("standalone-1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> assertThat(e.failed())
            .containsOnly(Map.entry("standalone-1", "VM is not a member of scale set 'flex' in resource group 'rg-web'")));
    assertThat(calls()).noneMatch(c -> c.startsWith("DELETE"));
  }

  @Test
  void terminate_flexibleVmOfSameNamedScaleSetInAnotherResourceGroup_refusedAndNotDeleted() {
    api.addStrayVm(RG, "stray-1", "/subscriptions/" + FakeVmssApi.SUBSCRIPTION
        + "/resourceGroups/rg-other/providers/Microsoft.Compute/virtualMachineScaleSets/flex");

    assertThatThrownBy(() -> target.terminate(FLEX, List.of("stray-1")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).isEmpty();
          assertThat(e.failed()).containsOnlyKeys("stray-1");
        });
    assertThat(calls()).noneMatch(c -> c.startsWith("DELETE"));
    assertThat(api.hasStrayVm(RG, "stray-1")).isTrue();
  }

  @Test
  void terminate_uniformDeleteNeverEnds_reportsUnconfirmed() {
    AzureVmssTarget impatient = AzureVmssTargets.local(server, Map.of("operation_timeout", "300ms"));
    api.neverFinish();

    assertThatThrownBy(() -> impatient.terminate(WEB, List.of("0")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).isEmpty();
          assertThat(e.failed()).isEmpty();
          assertThat(e.unconfirmed()).containsOnlyKeys("0");
          assertThat(e.unconfirmed().get("0")).contains("did not finish within").contains("may still complete");
        });
  }

  @Test
  void terminate_flexibleRepeatedId_deletesItOnce() {
    List<String> vms = api.instances("flex");

    target.terminate(FLEX, List.of(vms.get(0), vms.get(0)));

    assertThat(server.requests()).filteredOn(r -> r.method().equals("POST")).singleElement()
        .satisfies(r -> assertThat(r.body()).containsOnlyOnce(vms.get(0)));
    assertThat(api.instances("flex")).containsExactly(vms.get(1), vms.get(2));
  }

  @Test
  void terminate_flexibleLockedVm_batchRefusedThenEachVmAloneSoOnlyTheLockedOneFails() {
    List<String> vms = api.instances("flex");
    api.protect("flex", vms.get(1));

    assertThatThrownBy(() -> target.terminate(FLEX, List.of(vms.get(0), vms.get(1))))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly(vms.get(0));
          assertThat(e.failed()).containsOnlyKeys(vms.get(1));
          assertThat(e.failed().get(vms.get(1))).startsWith("HTTP 409 ScopeLocked: ");
        });
    assertThat(api.instances("flex")).containsExactly(vms.get(1), vms.get(2));
  }

  @Test
  void instanceIds_uniform_followsEveryPage() {
    api.addUniform(RG, "big", 5);
    Map<String, String> big = Map.of("resource_group", RG, "vm_scale_set", "big");

    assertThat(target.instanceIds(big)).contains(List.of("0", "1", "2", "3", "4"));
    assertThat(calls()).filteredOn(c -> c.endsWith("/big/virtualMachines")).hasSize(3);
  }

  @Test
  void instanceIds_flexible_namesOnlyTheScaleSetsVms() {
    assertThat(target.instanceIds(FLEX)).contains(api.instances("flex"));
    RecordedRequest list = server.requests().get(1);
    assertThat(list.path()).endsWith("/resourceGroups/" + RG + "/providers/Microsoft.Compute/virtualMachines");
    assertThat(list.queryParams()).containsEntry("$filter", "'virtualMachineScaleSet/id' eq '/subscriptions/"
        + FakeVmssApi.SUBSCRIPTION + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/virtualMachineScaleSets/flex'");
  }

  @Test
  void instanceIds_instancesBeingDeleted_notListedAsLive() {
    List<String> vms = api.instances("flex");
    api.deleting("web", "1").deleting("flex", vms.get(0));

    assertThat(target.instanceIds(WEB)).contains(List.of("0", "2"));
    assertThat(target.instanceIds(FLEX)).contains(List.of(vms.get(1), vms.get(2)));
  }

  @Test
  void instanceIds_missingScaleSet_namesIt() {
    assertThatThrownBy(() -> target.instanceIds(Map.of("resource_group", RG, "vm_scale_set", "gone")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("scale set 'gone' in resource group 'rg-web'");
  }

  @Test
  void status_policyTargetWithUnknownKey_namesItButAcceptsClusterKeys() {
    Map<String, String> config = Map.of("resource_group", RG, "vm_scale_set", "web", "node_class", "web",
        "node_drain_deadline", "5m", "vmss_name", "web");

    assertThatThrownBy(() -> target.status(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'vmss_name' is not a known key")
        .hasMessageNotContaining("node_class'");
    assertThat(target.status(Map.of("resource_group", RG, "vm_scale_set", "web", "node_class", "web")).count())
        .isEqualTo(3);
  }

  @Test
  void status_policyTargetWithoutNames_reportsBothMissing() {
    assertThatThrownBy(() -> target.status(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("resource_group is required but was missing")
        .hasMessageContaining("vm_scale_set is required but was missing");
    assertThat(server.requests()).isEmpty();
  }

  private static Map<String, String> group(String resourceGroup, String name) {
    return Map.of("resource_group", resourceGroup, "vm_scale_set", name);
  }

  private static String listPath(String resourceGroup) {
    return "/subscriptions/" + FakeVmssApi.SUBSCRIPTION + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Compute/virtualMachineScaleSets";
  }

  @Test
  void statusOf_manyScaleSetsInTwoResourceGroups_oneListEachInOrder() {
    List<TargetGroup> groups = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String rg = i % 2 == 0 ? "rg-a" : "rg-b";
      api.addUniform(rg, "s" + i, i);
      groups.add(target.bind(group(rg, "s" + i)));
    }
    api.provisioningState("s3", "Updating");

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count())
        .containsExactlyElementsOf(LongStream.range(0, 12).boxed().toList());
    TargetStatus updating = statuses.get(3).status().orElseThrow();
    assertThat(updating.ready()).isFalse();
    assertThat(updating.meta()).containsEntry("azure.provisioning_state", "Updating")
        .containsEntry("azure.orchestration_mode", "Uniform")
        .containsEntry(TargetStatus.META_NOT_READY_REASON, "provisioning state is Updating, not Succeeded");
    assertThat(statuses.get(2).status().orElseThrow().ready()).isTrue();
    assertThat(calls()).containsExactly("GET " + listPath("rg-a"), "GET " + listPath("rg-b"));
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.queryParams()).containsEntry("api-version", "2025-04-01"));
  }

  @Test
  void statusOf_listSpansPages_followsNextLink() {
    api.scaleSetPageSize(2);
    List<TargetGroup> groups = new ArrayList<>(List.of(target.bind(WEB), target.bind(FLEX)));
    for (int i = 0; i < 3; i++) {
      api.addUniform(RG, "p" + i, 10 + i);
      groups.add(target.bind(group(RG, "p" + i)));
    }

    List<GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(3L, 3L, 10L, 11L, 12L);
    assertThat(server.requests()).extracting(r -> r.queryParams().getOrDefault("$skiptoken", ""))
        .containsExactly("", "2", "4");
  }

  @Test
  void statusOf_oneScaleSetInItsResourceGroup_oneGet() {
    api.addUniform("rg-solo", "solo", 5);

    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(group("rg-solo", "solo")), target.bind(WEB),
        target.bind(FLEX)));

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(5L, 3L, 3L);
    assertThat(calls()).containsExactlyInAnyOrder("GET " + listPath("rg-solo") + "/solo", "GET " + listPath(RG));
  }

  @Test
  void statusOf_missingScaleSet_failsOnlyItsEntryWithoutAnotherCall() {
    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(WEB), target.bind(group(RG, "gone")),
        target.bind(FLEX)));

    assertThat(statuses.get(0).isOk()).isTrue();
    assertThat(statuses.get(1).error()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(TargetException.class)
        .hasMessageContaining("scale set 'gone' in resource group 'rg-web'").hasMessageContaining("does not exist"));
    assertThat(statuses.get(2).isOk()).isTrue();
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void statusOf_resourceGroupMissing_failsItsGroupsOnlyEachNamingItself() {
    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(group("rg-gone", "a")),
        target.bind(group("rg-gone", "b")), target.bind(WEB)));

    assertThat(statuses.get(0).error()).hasValueSatisfying(e -> assertThat(e)
        .hasMessageContaining("scale set 'a' in resource group 'rg-gone'").hasMessageContaining("ResourceGroupNotFound"));
    assertThat(statuses.get(1).error()).hasValueSatisfying(e -> assertThat(e)
        .hasMessageContaining("scale set 'b' in resource group 'rg-gone'"));
    assertThat(statuses.get(2).isOk()).isTrue();
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void statusOf_sameGroupInOtherCase_readOnceAsOneGroup() {
    List<GroupStatus> statuses = target.statusOf(List.of(target.bind(WEB), target.bind(group("RG-Web", "WEB"))));

    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(3L, 3L);
    assertThat(server.requests()).hasSize(1);
    assertThat(target.bind(group("RG-Web", "WEB")).id()).isEqualTo(target.bind(WEB).id());
  }

  @Test
  void bind_scaleSet_idNamesSubscriptionResourceGroupAndNameWithoutAnyRequest() {
    TargetGroup web = target.bind(Map.of("resource_group", RG, "vm_scale_set", "web", "node_drain_deadline", "5m"));

    assertThat(web.id()).isEqualTo("azure-vmss:" + FakeVmssApi.SUBSCRIPTION + "/rg-web/web");
    assertThat(target.bind(group("rg-other", "web")).id()).isNotEqualTo(web.id());
    assertThat(web).isInstanceOf(InstanceTargetGroup.class);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void bind_badNames_namesEveryProblemAtOnce() {
    assertThatThrownBy(() -> target.bind(Map.of("resource_group", "rg.", "vm_scale_set", "-web", "vmss", "x",
        "scale_set", "y")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("resource_group was 'rg.' but it must be an Azure resource group name")
        .hasMessageContaining("vm_scale_set was '-web' but it must be an Azure scale set name")
        .hasMessageContaining("'scale_set', 'vmss' are not known keys; known keys are datacenter, node_class");
  }
}
