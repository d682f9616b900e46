package dev.capstan.target.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.ComputeManagementClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetVMInner;
import com.azure.resourcemanager.compute.models.OrchestrationMode;
import com.azure.resourcemanager.compute.models.Sku;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdate;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetVMInstanceRequiredIDs;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An Azure virtual machine scale set as a Capstan {@link Target}: its count is {@code sku.capacity}.
 *
 * <p>Scaling updates the capacity and waits, up to {@code operation_timeout}, for the long-running
 * operation to end. {@link #terminate} removes exactly the named instances: in Uniform orchestration
 * through the scale set's delete-instances call (ids are instance ids such as {@code 3}, or VM names
 * such as {@code myvmss_3}); in Flexible orchestration through the same call with VM names, after
 * checking that each VM belongs to the scale set, which also lowers the capacity. Instances protected from scale-in are never removed; in Flexible mode,
 * where protection is an ARM lock, the cloud refuses and the refusal is reported.
 *
 * <p>{@link #bind} parses a policy's target block once and sends nothing; every other method goes
 * through the bound group. {@link #statusOf} reads each resource group with one paged list.
 */
final class AzureVmssTarget implements Target, InstanceGroup {
  private static final String SUCCEEDED = "Succeeded";
  /** The provisioning state of an instance on its way out; it is no longer live. */
  private static final String DELETING = "Deleting";

  private final AzureVmssConfig config;
  private final ComputeManagementClient client;
  private volatile boolean closed;

  AzureVmssTarget(AzureVmssConfig config, ComputeManager manager) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = manager.serviceClient();
  }

  /**
   * Opens a target over the configured endpoint.
   *
   * @param config the agent configuration
   * @param credential signs requests; empty only against a local plain-HTTP test endpoint
   * @return a new target
   */
  static AzureVmssTarget open(AzureVmssConfig config, Optional<TokenCredential> credential) {
    return new AzureVmssTarget(config, AzureVmssClients.computeManager(config, credential));
  }

  /**
   * Opens a production target, credential included, whose token and Resource Manager requests all go
   * through {@code httpClient} (tests: one that trusts their local HTTPS fakes).
   *
   * @param config the agent configuration
   * @param httpClient sends every request
   * @return a new target
   */
  static AzureVmssTarget open(AzureVmssConfig config, com.azure.core.http.HttpClient httpClient) {
    return new AzureVmssTarget(config, AzureVmssClients.computeManager(config,
        Optional.of(config.credential(Optional.of(httpClient))), httpClient));
  }

  /**
   * Binds a policy's target block: {@code resource_group} and {@code vm_scale_set}, plus the cluster
   * keys ({@link InstanceGroup#CLUSTER_KEYS}). Parses once and sends no request.
   *
   * @param policyTargetConfig the policy's target attributes
   * @return the group, with id {@code azure-vmss:<subscription>/<resource group>/<scale set>} (lower case)
   * @throws ConfigException naming every bad, missing or unknown key at once
   * @throws IllegalStateException if this target is closed
   */
  @Override
  public InstanceTargetGroup bind(Map<String, String> policyTargetConfig) {
    return bound(policyTargetConfig);
  }

  private ScaleSetGroup bound(Map<String, String> policyTargetConfig) {
    ensureOpen();
    return new ScaleSetGroup(this, config.subscriptionId(), AzureVmssGroup.parse(policyTargetConfig));
  }

  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bound(policyTargetConfig).status();
  }

  /**
   * Reads several groups as {@link #statusOf} does.
   *
   * @throws ConfigException if any configuration does not name a group properly
   * @throws TargetException the first group's error, if any group could not be read
   */
  @Override
  public List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<ScaleSetGroup> groups = policyTargetConfigs.stream().map(this::bound).toList();
    return GroupStatus.allOrThrow(statusOf(groups));
  }

  /**
   * Reads the groups this target bound: per resource group, one {@code get} when it holds one of
   * them, else one {@code List} of the resource group's scale sets (paged through {@code nextLink}).
   * The list carries the whole scale set model, so readiness ({@code provisioningState}), the count
   * ({@code sku.capacity}) and the orchestration mode are read from it exactly as from a get. A scale
   * set absent from its list fails alone; a list that failed fails its resource group's groups, each
   * naming itself.
   *
   * @param groups groups returned by this target's {@link #bind}; others fail their own entry
   * @return one result per group, in the same order
   * @throws IllegalStateException if this target is closed
   */
  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    ensureOpen();
    // Resource group names are case-insensitive; so are scale set names within one.
    Map<String, Map<String, AzureVmssGroup>> byResourceGroup = new LinkedHashMap<>();
    for (TargetGroup group : groups) {
      if (group instanceof ScaleSetGroup bound && bound.boundBy(this)) {
        AzureVmssGroup g = bound.group();
        byResourceGroup.computeIfAbsent(g.resourceGroup().toLowerCase(Locale.ROOT), rg -> new LinkedHashMap<>())
            .putIfAbsent(g.name().toLowerCase(Locale.ROOT), g);
      }
    }
    Map<AzureVmssGroup, GroupStatus> read = new HashMap<>();
    byResourceGroup.values().forEach(wanted -> read.putAll(wanted.size() == 1
        ? Map.of(wanted.values().iterator().next(), attempt(wanted.values().iterator().next()))
        : listed(wanted)));
    List<GroupStatus> statuses = new ArrayList<>(groups.size());
    for (TargetGroup group : groups) {
      if (group instanceof ScaleSetGroup bound && bound.boundBy(this)) {
        AzureVmssGroup g = bound.group();
        statuses.add(read.get(byResourceGroup.get(g.resourceGroup().toLowerCase(Locale.ROOT))
            .get(g.name().toLowerCase(Locale.ROOT))));
      } else {
        statuses.add(GroupStatus.failed(new IllegalArgumentException("group " + group.id()
            + " was not bound by this azure-vmss target, so it cannot be read with it")));
      }
    }
    return statuses;
  }

  private GroupStatus attempt(AzureVmssGroup group) {
    try {
      return GroupStatus.of(read(group));
    } catch (RuntimeException e) {
      return GroupStatus.failed(e);
    }
  }

  /** Lists one resource group's scale sets, page by page, and answers for each wanted one. */
  private Map<AzureVmssGroup, GroupStatus> listed(Map<String, AzureVmssGroup> wantedByName) {
    String resourceGroup = wantedByName.values().iterator().next().resourceGroup();
    Map<AzureVmssGroup, GroupStatus> statuses = new HashMap<>();
    try {
      for (VirtualMachineScaleSetInner vmss : client.getVirtualMachineScaleSets().listByResourceGroup(resourceGroup)) {
        AzureVmssGroup group = vmss.name() == null ? null : wantedByName.get(vmss.name().toLowerCase(Locale.ROOT));
        if (group != null) {
          statuses.put(group, GroupStatus.of(toStatus(vmss)));
        }
      }
    } catch (RuntimeException e) {
      // Not one get per group after a failed list: when Azure throttles, that would only make it worse.
      wantedByName.values().forEach(group -> statuses.put(group,
          GroupStatus.failed(failure("reading (listing resource group '" + resourceGroup + "')", group, e))));
      return statuses;
    }
    for (AzureVmssGroup group : wantedByName.values()) {
      statuses.computeIfAbsent(group, g -> GroupStatus.failed(new TargetException("azure-vmss: reading " + g
          + " failed: it does not exist (the scale sets listed in resource group '" + resourceGroup
          + "' do not include it)")));
    }
    return statuses;
  }

  TargetStatus read(AzureVmssGroup group) {
    return toStatus(get(group));
  }

  private static TargetStatus toStatus(VirtualMachineScaleSetInner vmss) {
    long capacity = vmss.sku() == null || vmss.sku().capacity() == null ? 0 : vmss.sku().capacity();
    String state = vmss.provisioningState();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("azure.provisioning_state", String.valueOf(state));
    meta.put("azure.orchestration_mode", String.valueOf(mode(vmss)));
    boolean ready = SUCCEEDED.equalsIgnoreCase(state);
    if (!ready) {
      meta.put(TargetStatus.META_NOT_READY_REASON, "provisioning state is " + state + ", not " + SUCCEEDED);
    }
    return new TargetStatus(ready, capacity, meta);
  }

  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bound(policyTargetConfig).scale(action);
  }

  void setCapacity(AzureVmssGroup group, ScalingAction action) {
    ensureOpen();
    if (action.dryRun()) {
      return;
    }
    String doing = "setting the capacity to " + action.count() + " of";
    try {
      VirtualMachineScaleSetUpdate update = new VirtualMachineScaleSetUpdate()
          .withSku(new Sku().withCapacity(action.count()));
      await(client.getVirtualMachineScaleSets().beginUpdate(group.resourceGroup(), group.name(), update),
          config.operationTimeout(), doing, group);
    } catch (RuntimeException e) {
      throw failure(doing, group, e);
    }
  }

  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    bound(policyTargetConfig).terminate(instanceIds);
  }

  void remove(AzureVmssGroup group, List<String> instanceIds) {
    if (instanceIds.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + config.operationTimeout().toNanos();
    VirtualMachineScaleSetInner vmss = get(group);
    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> unconfirmed = new LinkedHashMap<>();
    // A repeated id would be deleted (and counted) twice.
    List<String> ids = List.copyOf(new LinkedHashSet<>(instanceIds));
    List<String> terminated = mode(vmss) == OrchestrationMode.FLEXIBLE
        ? terminateFlexible(group, vmss.id(), ids, failed, unconfirmed, deadline)
        : terminateUniform(group, ids, failed, unconfirmed, deadline);
    if (!failed.isEmpty() || !unconfirmed.isEmpty()) {
      throw new TerminationException(group.toString(), terminated, failed, unconfirmed);
    }
  }

  /** A long-running operation Azure accepted but that did not finish in time: it may still complete. */
  private static final class OperationTimedOut extends TargetException {
    private static final long serialVersionUID = 1L;

    OperationTimedOut(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private List<String> terminateUniform(AzureVmssGroup group, List<String> ids, Map<String, String> failed,
      Map<String, String> unconfirmed, long deadline) {
    // Instance id -> the id the caller used, so results are reported in the caller's terms.
    Map<String, String> eligible = new LinkedHashMap<>();
    for (String id : ids) {
      String instanceId = uniformInstanceId(group, id);
      try {
        VirtualMachineScaleSetVMInner vm = client.getVirtualMachineScaleSetVMs()
            .get(group.resourceGroup(), group.name(), instanceId);
        // Protection from scale set actions includes scale-in, so either flag keeps the instance.
        if (vm.protectionPolicy() != null && (Boolean.TRUE.equals(vm.protectionPolicy().protectFromScaleIn())
            || Boolean.TRUE.equals(vm.protectionPolicy().protectFromScaleSetActions()))) {
          failed.put(id, "instance is protected from scale-in");
        } else {
          eligible.put(instanceId, id);
        }
      } catch (RuntimeException e) {
        failed.put(id, isNotFound(e) ? "not an instance of " + group : describe(e));
      }
    }
    if (eligible.isEmpty()) {
      return List.of();
    }
    String doing = "deleting instances " + eligible.keySet() + " of";
    try {
      await(client.getVirtualMachineScaleSets().beginDeleteInstances(group.resourceGroup(), group.name(),
              new VirtualMachineScaleSetVMInstanceRequiredIDs().withInstanceIds(List.copyOf(eligible.keySet()))),
          remaining(deadline), doing, group);
    } catch (OperationTimedOut e) {
      eligible.values().forEach(id -> unconfirmed.put(id, e.getMessage()));
      return List.of();
    } catch (RuntimeException e) {
      if (failed.isEmpty()) {
        throw failure(doing, group, e);
      }
      eligible.values().forEach(id -> failed.put(id, describe(e)));
      return List.of();
    }
    return List.copyOf(eligible.values());
  }

  /**
   * Flexible orchestration: each named VM is checked to be a member of this scale set (its whole scale
   * set id), then the members are deleted with one delete-instances call, which Azure supports for
   * Flexible scale sets with VM names as instance ids ("VMSS Batch delete API supported by VMSS in
   * Flexible Orchestration Mode", learn.microsoft.com/azure/virtual-machine-scale-sets/
   * orchestration-modes-api-comparison). When Azure refuses the batch outright (an ARM lock on one VM
   * refuses the whole call), each VM is deleted on its own so a lock fails only the VM it protects.
   */
  private List<String> terminateFlexible(AzureVmssGroup group, String scaleSetId, List<String> ids,
      Map<String, String> failed, Map<String, String> unconfirmed, long deadline) {
    List<String> members = new ArrayList<>();
    for (String id : ids) {
      try {
        VirtualMachineInner vm = client.getVirtualMachines().getByResourceGroup(group.resourceGroup(), id);
        String owner = vm.virtualMachineScaleSet() == null ? null : vm.virtualMachineScaleSet().id();
        // The whole id: a same-named scale set in another resource group or subscription is not ours.
        if (owner == null || !owner.equalsIgnoreCase(scaleSetId)) {
          failed.put(id, "VM is not a member of " + group);
        } else {
          members.add(id);
        }
      } catch (RuntimeException e) {
        failed.put(id, isNotFound(e) ? "no such VM in resource group '" + group.resourceGroup() + "'" : describe(e));
      }
    }
    if (members.isEmpty()) {
      return List.of();
    }
    String doing = "deleting VMs " + members + " of";
    SyncPoller<PollResult<Void>, Void> batch;
    try {
      batch = client.getVirtualMachineScaleSets().beginDeleteInstances(group.resourceGroup(), group.name(),
          new VirtualMachineScaleSetVMInstanceRequiredIDs().withInstanceIds(List.copyOf(members)));
    } catch (RuntimeException refused) {
      if (members.size() == 1) {
        failed.put(members.get(0), describe(refused));
        return finishFlexible(group, ids, members, failed, unconfirmed, List.of(), refused);
      }
      return deleteEach(group, ids, members, failed, unconfirmed, deadline);
    }
    try {
      await(batch, remaining(deadline), doing, group);
    } catch (OperationTimedOut e) {
      members.forEach(id -> unconfirmed.put(id, e.getMessage()));
      return List.of();
    } catch (RuntimeException e) {
      members.forEach(id -> failed.put(id, describe(e)));
      return finishFlexible(group, ids, members, failed, unconfirmed, List.of(), e);
    }
    return List.copyOf(members);
  }

  /** The fallback after a refused batch: one delete per VM, so a lock fails only its own VM. */
  private List<String> deleteEach(AzureVmssGroup group, List<String> ids, List<String> members,
      Map<String, String> failed, Map<String, String> unconfirmed, long deadline) {
    Map<String, SyncPoller<PollResult<Void>, Void>> deletions = new LinkedHashMap<>();
    for (String id : members) {
      try {
        deletions.put(id, client.getVirtualMachines().beginDelete(group.resourceGroup(), id));
      } catch (RuntimeException e) {
        failed.put(id, describe(e));
      }
    }
    List<String> terminated = new ArrayList<>();
    deletions.forEach((id, poller) -> {
      try {
        await(poller, remaining(deadline), "deleting VM " + id + " of", group);
        terminated.add(id);
      } catch (OperationTimedOut e) {
        unconfirmed.put(id, e.getMessage());
      } catch (RuntimeException e) {
        failed.put(id, describe(e));
      }
    });
    return finishFlexible(group, ids, members, failed, unconfirmed, terminated, null);
  }

  private static List<String> finishFlexible(AzureVmssGroup group, List<String> ids, List<String> members,
      Map<String, String> failed, Map<String, String> unconfirmed, List<String> terminated, RuntimeException cause) {
    if (terminated.isEmpty() && unconfirmed.isEmpty() && members.size() == ids.size()) {
      // Nothing was refused up front and every deletion failed: a plain failure, not a partial one.
      throw new TargetException("azure-vmss: deleting VMs " + ids + " of " + group + " failed: " + failed, cause);
    }
    return terminated;
  }

  /**
   * Lists the scale set's live instances: instance ids in Uniform orchestration, VM names in Flexible,
   * the same ids {@link #terminate} takes; instances being deleted are left out.
   *
   * @param policyTargetConfig the policy's target attributes, naming the group
   * @return the ids of the scale set's instances, in the cloud's order
   * @throws TargetException if the scale set does not exist or Azure could not be asked; names it
   */
  @Override
  public Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    return bound(policyTargetConfig).instanceIds();
  }

  Optional<List<String>> liveInstances(AzureVmssGroup group) {
    VirtualMachineScaleSetInner vmss = get(group);
    try {
      if (mode(vmss) != OrchestrationMode.FLEXIBLE) {
        return Optional.of(client.getVirtualMachineScaleSetVMs().list(group.resourceGroup(), group.name())
            .stream().filter(vm -> !DELETING.equalsIgnoreCase(vm.provisioningState()))
            .map(VirtualMachineScaleSetVMInner::instanceId).toList());
      }
      // The filter narrows the listing server-side; the membership check keeps it exact either way.
      String filter = "'virtualMachineScaleSet/id' eq '" + vmss.id() + "'";
      return Optional.of(client.getVirtualMachines()
          .listByResourceGroup(group.resourceGroup(), filter, null, Context.NONE).stream()
          .filter(vm -> vm.virtualMachineScaleSet() != null
              && vmss.id().equalsIgnoreCase(vm.virtualMachineScaleSet().id())
              && !DELETING.equalsIgnoreCase(vm.provisioningState()))
          .map(VirtualMachineInner::name).toList());
    } catch (RuntimeException e) {
      throw failure("listing the instances of", group, e);
    }
  }

  private static String uniformInstanceId(AzureVmssGroup group, String id) {
    // Nomad reports a Uniform instance by its VM name, "<scale set>_<instance id>".
    String prefix = group.name() + "_";
    if (id.regionMatches(true, 0, prefix, 0, prefix.length()) && id.length() > prefix.length()) {
      return id.substring(prefix.length());
    }
    return id;
  }

  private VirtualMachineScaleSetInner get(AzureVmssGroup group) {
    ensureOpen();
    try {
      return client.getVirtualMachineScaleSets().getByResourceGroup(group.resourceGroup(), group.name());
    } catch (RuntimeException e) {
      throw failure("reading", group, e);
    }
  }

  private static OrchestrationMode mode(VirtualMachineScaleSetInner vmss) {
    // Scale sets created before orchestration modes existed report none and behave as Uniform.
    return vmss.orchestrationMode() == null ? OrchestrationMode.UNIFORM : vmss.orchestrationMode();
  }

  private <T> T await(SyncPoller<PollResult<T>, T> poller, Duration timeout, String doing,
      AzureVmssGroup group) {
    poller.setPollInterval(config.pollInterval());
    PollResponse<PollResult<T>> last;
    try {
      last = poller.waitForCompletion(timeout);
    } catch (RuntimeException e) {
      if (isTimeout(e)) {
        throw new OperationTimedOut("azure-vmss: " + doing + " " + group + " did not finish within "
            + timeout.toMillis() + " ms (operation_timeout); it may still complete in Azure", e);
      }
      throw e;
    }
    if (last.getStatus() == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
      return poller.getFinalResult();
    }
    // The poller reports a failed operation as a status, not an exception; the cloud's reason is in it.
    PollResult.Error error = last.getValue() == null ? null : last.getValue().getError();
    throw new TargetException("azure-vmss: " + doing + " " + group + " failed: the operation ended "
        + last.getStatus() + (error == null ? "" : ": " + describe(error)));
  }

  private static String describe(PollResult.Error error) {
    String body = error.getResponseBody();
    if (body != null && !body.isBlank()) {
      try (JsonReader reader = JsonProviders.createReader(body)) {
        ManagementError parsed = reader.readObject(r -> {
          ManagementError found = null;
          while (r.nextToken() != JsonToken.END_OBJECT) {
            String field = r.getFieldName();
            r.nextToken();
            if ("error".equals(field)) {
              found = ManagementError.fromJson(r);
            } else {
              r.skipChildren();
            }
          }
          return found;
        });
        if (parsed != null && parsed.getCode() != null) {
          return parsed.getCode() + ": " + parsed.getMessage();
        }
      } catch (IOException | RuntimeException e) {
        // Not the ARM error shape; fall back to the poller's own message.
      }
    }
    return "HTTP " + error.getResponseStatusCode() + ": " + error.getMessage();
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  private static TargetException failure(String doing, AzureVmssGroup group, RuntimeException e) {
    if (e instanceof TargetException t) {
      return t;
    }
    if (isNotFound(e)) {
      return new TargetException("azure-vmss: " + doing + " " + group + " failed: it does not exist ("
          + describe(e) + ")", e);
    }
    return new TargetException("azure-vmss: " + doing + " " + group + " failed: " + describe(e), e);
  }

  private static boolean isNotFound(RuntimeException e) {
    return e instanceof HttpResponseException h && h.getResponse() != null
        && h.getResponse().getStatusCode() == 404;
  }

  /** The cloud's own reason: HTTP status, error code and message, without request details. */
  static String describe(RuntimeException e) {
    if (e instanceof ManagementException m && m.getValue() != null && m.getValue().getCode() != null) {
      ManagementError error = m.getValue();
      String status = m.getResponse() == null ? "" : "HTTP " + m.getResponse().getStatusCode() + " ";
      return status + error.getCode() + ": " + error.getMessage();
    }
    if (e instanceof HttpResponseException h && h.getResponse() != null) {
      return "HTTP " + h.getResponse().getStatusCode() + ": " + h.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("azure-vmss target is closed");
    }
  }

  @Override
  public void close() {
    // The JDK HTTP client holds no threads of ours; closing only stops further use.
    closed = true;
  }

  @Override
  public String toString() {
    return "AzureVmssTarget[" + config + "]";
  }
}
