package dev.capstan.target.gcp;

import com.google.api.client.http.HttpResponseException;
import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.httpjson.HttpJsonCallSettings;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.longrunning.OperationSnapshot;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.retrying.TimedRetryAlgorithm;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ClientContext;
import com.google.api.gax.rpc.OperationCallSettings;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.api.gax.rpc.UnaryCallable;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.compute.v1.AggregatedListInstanceGroupManagersRequest;
import com.google.cloud.compute.v1.GetInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.GetRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagersClient;
import com.google.cloud.compute.v1.InstanceGroupManagersDeleteInstancesRequest;
import com.google.cloud.compute.v1.InstanceGroupManagerActionsSummary;
import com.google.cloud.compute.v1.InstanceGroupManagerAggregatedList;
import com.google.cloud.compute.v1.InstanceGroupManagersScopedList;
import com.google.cloud.compute.v1.InstanceGroupManagersSettings;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersClient;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersDeleteInstancesRequest;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersSettings;
import com.google.cloud.compute.v1.Warning;
import com.google.cloud.compute.v1.stub.HttpJsonInstanceGroupManagersCallableFactory;
import com.google.cloud.compute.v1.stub.HttpJsonInstanceGroupManagersStub;
import com.google.cloud.compute.v1.stub.HttpJsonRegionInstanceGroupManagersCallableFactory;
import com.google.cloud.compute.v1.stub.HttpJsonRegionInstanceGroupManagersStub;
import com.google.cloud.compute.v1.stub.InstanceGroupManagersStubSettings;
import com.google.cloud.compute.v1.stub.RegionInstanceGroupManagersStubSettings;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.capstan.config.Durations;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TerminationException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A {@link Target} and {@link InstanceGroup} over Google Compute Engine managed instance groups,
 * zonal ({@code zone}) or regional ({@code region}), using the {@code google-cloud-compute} REST
 * client.
 *
 * <ul>
 *   <li>{@link #status}: the group's {@code targetSize}; ready only while {@code status.isStable}.
 *   <li>{@link #scale}: {@code resize}, waiting for its operation; a dry-run calls nothing.
 *   <li>{@link #terminate}: {@code deleteInstances} for exactly the given instances (names or
 *       self-links), waiting for its operation; the group shrinks by as many. Compute Engine
 *       validates the whole list first, so either all go or none do.
 *   <li>{@link #bind}: parses a policy's target block once, sending nothing; every other method
 *       goes through the bound group.
 *   <li>{@link #statusOf}: one aggregated list per project holding two or more of the groups (paged,
 *       filtered on their names), parallel gets for the rest; a missing group fails alone.
 * </ul>
 *
 * <p>Calls throttled (429) or refused as unavailable (503) are retried {@code retry_attempts}
 * times with exponential backoff; reads also retry other 5xx answers and timeouts. Operations are
 * polled until {@code DONE} for at most {@code operation_timeout}; an operation that ends in error
 * fails with the cloud's own message. Thread-safe.
 */
public final class GceMigTarget implements Target, InstanceGroup {

  private static final String COMPUTE_SCOPE = "https://www.googleapis.com/auth/compute";
  /** Reads are safe to repeat after any transient failure. */
  private static final Set<StatusCode.Code> READ_RETRY_CODES = Set.of(StatusCode.Code.RESOURCE_EXHAUSTED,
      StatusCode.Code.UNAVAILABLE, StatusCode.Code.INTERNAL, StatusCode.Code.DEADLINE_EXCEEDED);
  /** Writes are repeated only when the service said it did not take them (throttled, unavailable). */
  private static final Set<StatusCode.Code> WRITE_RETRY_CODES = Set.of(StatusCode.Code.RESOURCE_EXHAUSTED,
      StatusCode.Code.UNAVAILABLE);
  /** Current actions of an instance that is on its way out of the group, so no longer live. */
  private static final Set<String> LEAVING = Set.of("DELETING", "ABANDONING");
  /** The largest page Compute Engine serves. */
  private static final int MAX_RESULTS = 500;
  /**
   * Beyond this many characters of names the filter is dropped; with the rest of the request it
   * stays well inside the URL lengths Google front ends accept.
   */
  private static final int MAX_FILTER_NAMES_LENGTH = 4_000;
  /** The warning of a scope that simply has no group on this page. */
  private static final String NO_RESULTS_ON_PAGE = "NO_RESULTS_ON_PAGE";
  private static final Pattern INSTANCE_PATH = Pattern.compile("(?:^|/)zones/([^/]+)/instances/([^/]+)$");

  private final GceMigConfig config;
  private final InstanceGroupManagersClient zonal;
  private final RegionInstanceGroupManagersClient regional;
  /** How long one call may take with all its retries; bounds every wait on a future. */
  private final Duration callBudget;
  private final AtomicBoolean closed = new AtomicBoolean();

  private GceMigTarget(GceMigConfig config, InstanceGroupManagersClient zonal,
      RegionInstanceGroupManagersClient regional) {
    this.config = config;
    this.zonal = zonal;
    this.regional = regional;
    this.callBudget = callBudget(config);
  }

  /**
   * Creates a target from the agent configuration. Credentials come from the {@code credentials}
   * key file, or else from Application Default Credentials.
   *
   * @param agentConfig the agent-level configuration (see {@link GceMigTargetProvider})
   * @return a new target; the caller closes it
   * @throws ConfigException naming every bad or unknown key, or a key file that cannot be read;
   *     Application Default Credentials are resolved at the first request, never here
   */
  public static GceMigTarget create(Map<String, String> agentConfig) {
    GceMigConfig config = GceMigConfig.parse(agentConfig);
    return create(config, credentialsProvider(config));
  }

  /**
   * Creates a target with the given credentials, resolved at the first request (see
   * {@link LazyCredentials}); tests pass {@code NoCredentialsProvider}.
   */
  static GceMigTarget create(GceMigConfig config, CredentialsProvider eager) {
    CredentialsProvider credentials = LazyCredentials.of(eager);
    RetrySettings calls = callRetry(config);
    TimedRetryAlgorithm polling = OperationTimedPollAlgorithm.create(pollRetry(config));

    // Compute Engine's Java client speaks REST (HttpJson) only; newBuilder() is that transport.
    InstanceGroupManagersSettings.Builder z = InstanceGroupManagersSettings.newBuilder()
        .setCredentialsProvider(credentials);
    config.endpoint().ifPresent(z::setEndpoint);
    retry(z.getSettings(), calls, READ_RETRY_CODES);
    retry(z.aggregatedListSettings(), calls, READ_RETRY_CODES);
    retry(z.listManagedInstancesSettings(), calls, READ_RETRY_CODES);
    operation(z.resizeOperationSettings(), calls, polling);
    operation(z.deleteInstancesOperationSettings(), calls, polling);

    RegionInstanceGroupManagersSettings.Builder r = RegionInstanceGroupManagersSettings.newBuilder()
        .setCredentialsProvider(credentials);
    config.endpoint().ifPresent(r::setEndpoint);
    retry(r.getSettings(), calls, READ_RETRY_CODES);
    retry(r.listManagedInstancesSettings(), calls, READ_RETRY_CODES);
    operation(r.resizeOperationSettings(), calls, polling);
    operation(r.deleteInstancesOperationSettings(), calls, polling);

    InstanceGroupManagersClient zonalClient = null;
    try {
      // Operation polls go through the zone/region operations stubs, whose settings the builders
      // above do not reach; the factories give those polls the same retries as every other read.
      InstanceGroupManagersStubSettings zs = (InstanceGroupManagersStubSettings) z.build().getStubSettings();
      zonalClient = InstanceGroupManagersClient.create(new ZonalStub(zs, ClientContext.create(zs), calls));
      RegionInstanceGroupManagersStubSettings rs =
          (RegionInstanceGroupManagersStubSettings) r.build().getStubSettings();
      return new GceMigTarget(config, zonalClient,
          RegionInstanceGroupManagersClient.create(new RegionalStub(rs, ClientContext.create(rs), calls)));
    } catch (IOException e) {
      if (zonalClient != null) {
        zonalClient.close();
      }
      throw new ConfigException("could not set up the gce-mig target's Compute Engine clients (are "
          + "credentials configured? set credentials or Application Default Credentials): " + e.getMessage());
    }
  }

  private static final Set<String> OPERATION_POLLS = Set.of("google.cloud.compute.v1.ZoneOperations/Get",
      "google.cloud.compute.v1.RegionOperations/Get");

  /**
   * Gives an operation poll the read retry codes and back-off; any other call is unchanged. Attempts
   * are bounded by time, not count, as in the SDK's own poll settings: the polling algorithm caps each
   * poll's deadline at what is left of {@code operation_timeout}.
   */
  private static <Q, R> UnaryCallSettings<Q, R> pollSettings(HttpJsonCallSettings<Q, R> http,
      UnaryCallSettings<Q, R> call, RetrySettings retry) {
    if (!OPERATION_POLLS.contains(http.getMethodDescriptor().getFullMethodName())) {
      return call;
    }
    return call.toBuilder().setRetrySettings(retry.toBuilder().setMaxAttempts(0).build())
        .setRetryableCodes(READ_RETRY_CODES).build();
  }

  private static final class ZonalStub extends HttpJsonInstanceGroupManagersStub {
    ZonalStub(InstanceGroupManagersStubSettings settings, ClientContext context, RetrySettings retry)
        throws IOException {
      super(settings, context, new HttpJsonInstanceGroupManagersCallableFactory() {
        @Override
        public <Q, R> UnaryCallable<Q, R> createUnaryCallable(HttpJsonCallSettings<Q, R> http,
            UnaryCallSettings<Q, R> call, ClientContext clientContext) {
          return super.createUnaryCallable(http, pollSettings(http, call, retry), clientContext);
        }
      });
    }
  }

  private static final class RegionalStub extends HttpJsonRegionInstanceGroupManagersStub {
    RegionalStub(RegionInstanceGroupManagersStubSettings settings, ClientContext context, RetrySettings retry)
        throws IOException {
      super(settings, context, new HttpJsonRegionInstanceGroupManagersCallableFactory() {
        @Override
        public <Q, R> UnaryCallable<Q, R> createUnaryCallable(HttpJsonCallSettings<Q, R> http,
            UnaryCallSettings<Q, R> call, ClientContext clientContext) {
          return super.createUnaryCallable(http, pollSettings(http, call, retry), clientContext);
        }
      });
    }
  }

  private static CredentialsProvider credentialsProvider(GceMigConfig config) {
    if (config.credentials().isEmpty()) {
      return InstanceGroupManagersSettings.defaultCredentialsProviderBuilder().build();
    }
    try (InputStream in = Files.newInputStream(config.credentials().get())) {
      return FixedCredentialsProvider.create(GoogleCredentials.fromStream(in).createScoped(COMPUTE_SCOPE));
    } catch (IOException e) {
      // The parser's message names the missing field, never the key's content.
      throw new ConfigException("gce-mig target agent config: credentials was '" + config.credentials().get()
          + "' but it could not be read as a service-account JSON key: " + e.getMessage());
    }
  }

  private static RetrySettings callRetry(GceMigConfig config) {
    return RetrySettings.newBuilder()
        .setMaxAttempts(config.retryAttempts())
        .setInitialRetryDelayDuration(config.retryDelay())
        .setRetryDelayMultiplier(2.0)
        .setMaxRetryDelayDuration(config.maxRetryDelay())
        .setInitialRpcTimeoutDuration(config.requestTimeout())
        .setRpcTimeoutMultiplier(1.0)
        .setMaxRpcTimeoutDuration(config.requestTimeout())
        .setTotalTimeoutDuration(callBudget(config))
        .build();
  }

  private static RetrySettings pollRetry(GceMigConfig config) {
    return RetrySettings.newBuilder()
        .setInitialRetryDelayDuration(config.pollInterval())
        .setRetryDelayMultiplier(1.5)
        .setMaxRetryDelayDuration(max(config.pollInterval(), GceMigConfig.MAX_POLL_INTERVAL))
        .setInitialRpcTimeoutDuration(config.requestTimeout())
        .setRpcTimeoutMultiplier(1.0)
        .setMaxRpcTimeoutDuration(config.requestTimeout())
        // A backstop only: awaitOperation's own operation_timeout deadline always comes first.
        .setTotalTimeoutDuration(config.operationTimeout().plus(callBudget(config)))
        .build();
  }

  /** Every attempt may time out and every wait between them may reach its cap. */
  private static Duration callBudget(GceMigConfig config) {
    Duration perAttempt = config.requestTimeout().plus(config.maxRetryDelay());
    return perAttempt.multipliedBy(config.retryAttempts());
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static <Q> void retry(UnaryCallSettings.Builder<Q, ?> call, RetrySettings retry, Set<StatusCode.Code> codes) {
    call.setRetrySettings(retry).setRetryableCodes(codes);
  }

  /** The first call of a long-running method is configured here, not through its unary settings. */
  private static <Q> void operation(OperationCallSettings.Builder<Q, Operation, Operation> op, RetrySettings retry,
      TimedRetryAlgorithm polling) {
    op.setInitialCallSettings(op.getInitialCallSettings().toBuilder()
        .setRetrySettings(retry).setRetryableCodes(WRITE_RETRY_CODES).build());
    op.setPollingAlgorithm(polling);
  }

  /**
   * Binds a policy's target block: {@code mig_name}, {@code zone} or {@code region}, optionally
   * {@code project} (else the agent's), and the cluster keys ({@link InstanceGroup#CLUSTER_KEYS}).
   * Parses once and sends no request.
   *
   * @param policyTargetConfig the policy's target attributes
   * @return the group, with id {@code gce-mig:<project>/<zone or region>/<name>}
   * @throws ConfigException naming every bad, missing or unknown key at once
   * @throws IllegalStateException if this target is closed
   */
  @Override
  public InstanceTargetGroup bind(Map<String, String> policyTargetConfig) {
    return bound(policyTargetConfig);
  }

  private MigGroup bound(Map<String, String> policyTargetConfig) {
    ensureOpen();
    return new MigGroup(this, MigRef.parse(policyTargetConfig, config.project()));
  }

  /**
   * Reads a group's target size and stability.
   *
   * @param policyTargetConfig {@code mig_name}, {@code zone} or {@code region}, optionally {@code project}
   * @return ready when the group is stable; {@code count} is its target size
   * @throws ConfigException if the configuration does not name a group properly
   * @throws TargetException if the group does not exist or could not be read; names the group
   */
  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).status();
  }

  /**
   * Reads several groups as {@link #statusOf} does.
   *
   * @param policyTargetConfigs one configuration per group
   * @return one status per configuration, in the same order
   * @throws ConfigException if any configuration does not name a group properly
   * @throws TargetException the first group's error, if any group does not exist or could not be read
   */
  @Override
  public List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<MigGroup> groups = policyTargetConfigs.stream().map(this::bound).toList();
    return GroupStatus.allOrThrow(statusOf(groups));
  }

  /**
   * Reads the groups this target bound: per project, one {@code get} when it holds one group, else
   * one {@code aggregatedList} (zonal and regional groups alike, filtered on the groups' names when
   * the filter is short enough, paged with {@code pageToken}); gets run in parallel. A group absent
   * from its project's list fails alone ("was not found"; or the scope's warning when Compute Engine
   * reported the zone or region unreachable); a list that failed fails its project's groups, each
   * naming itself. Readiness comes from the same fields a single read uses ({@code status.isStable},
   * {@code currentActions}, {@code targetSize}), so the list loses no signal.
   *
   * @param groups groups returned by this target's {@link #bind}; others fail their own entry
   * @return one result per group, in the same order
   * @throws IllegalStateException if this target is closed
   */
  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    ensureOpen();
    Map<String, Set<MigRef>> byProject = new LinkedHashMap<>();
    for (TargetGroup group : groups) {
      if (group instanceof MigGroup mig && mig.boundBy(this)) {
        byProject.computeIfAbsent(mig.ref().project(), p -> new LinkedHashSet<>()).add(mig.ref());
      }
    }
    Map<MigRef, ApiFuture<InstanceGroupManager>> gets = new LinkedHashMap<>();
    byProject.values().stream().filter(refs -> refs.size() == 1).map(refs -> refs.iterator().next())
        .forEach(ref -> gets.put(ref, getAsync(ref)));
    Map<MigRef, GroupStatus> read = new HashMap<>();
    byProject.forEach((project, refs) -> {
      if (refs.size() > 1) {
        read.putAll(aggregated(project, refs));
      }
    });
    gets.forEach((ref, future) -> read.put(ref, attempt(() -> toStatus(ref, await(ref, "reading %s", future)))));
    List<GroupStatus> statuses = new ArrayList<>(groups.size());
    for (TargetGroup group : groups) {
      statuses.add(group instanceof MigGroup mig && mig.boundBy(this) ? read.get(mig.ref())
          : GroupStatus.failed(new IllegalArgumentException("group " + group.id() + " was not bound by this "
              + "gce-mig target, so it cannot be read with it")));
    }
    return statuses;
  }

  /**
   * Resizes the group to {@code action.count()} and waits for the operation; a dry-run calls nothing.
   *
   * @param action the size to reach
   * @param policyTargetConfig names the group
   * @throws ConfigException if the configuration does not name a group properly
   * @throws TargetException if the group does not exist, the call failed or the operation ended in
   *     error or did not finish within {@code operation_timeout}; names the group and the cloud's reason
   */
  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bind(policyTargetConfig).scale(action);
  }

  /**
   * Deletes exactly {@code instanceIds} from the group (which lowers its target size by as many) and
   * waits for the operation. Ids are instance names or self-links ending in
   * {@code zones/<zone>/instances/<name>}; names in a regional group are looked up among its managed
   * instances to find their zones.
   *
   * @param policyTargetConfig names the group
   * @param instanceIds the instances to delete; an empty list does nothing
   * @throws ConfigException if the configuration does not name a group properly
   * @throws TerminationException if Compute Engine accepted the request but its operation ended in
   *     error, did not finish in time or could not be polled: each instance's outcome is then read
   *     from {@code listManagedInstances} (gone or deleting: terminated; last attempt with errors:
   *     failed; still there: failed if the operation ended, else unconfirmed; unreadable: unconfirmed)
   * @throws TargetException if an id is not an instance of the group or the call was refused;
   *     Compute Engine validates the whole list first, so a rejected request deleted nothing
   */
  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    bind(policyTargetConfig).terminate(instanceIds);
  }

  /**
   * Lists the names of the group's live managed instances with {@code listManagedInstances};
   * instances it is deleting or abandoning are left out.
   *
   * @throws ConfigException if the configuration does not name a group properly
   * @throws TargetException if the group does not exist or could not be read
   */
  @Override
  public Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).instanceIds();
  }

  /** Closes both clients; calling it again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      zonal.close();
      regional.close();
    }
  }

  TargetStatus read(MigRef ref) {
    ensureOpen();
    return toStatus(ref, await(ref, "reading %s", getAsync(ref)));
  }

  void resize(MigRef ref, ScalingAction action) {
    ensureOpen();
    if (action.dryRun()) {
      return;
    }
    if (action.count() > Integer.MAX_VALUE) {
      throw new TargetException("cannot resize GCE managed instance group " + ref + " to " + action.count()
          + ": Compute Engine sizes are at most " + Integer.MAX_VALUE);
    }
    int size = (int) action.count();
    awaitOperation(ref, "resizing %s to " + size, ref.regional()
        ? regional.resizeAsync(ref.project(), ref.location(), ref.name(), size)
        : zonal.resizeAsync(ref.project(), ref.location(), ref.name(), size));
  }

  void delete(MigRef ref, List<String> instanceIds) {
    ensureOpen();
    if (instanceIds.isEmpty()) {
      return;
    }
    List<String> urls = instanceUrls(ref, instanceIds);
    String what = "deleting instances " + instanceIds + " from %s";
    try {
      awaitOperation(ref, what, ref.regional()
          ? regional.deleteInstancesAsync(ref.project(), ref.location(), ref.name(),
              RegionInstanceGroupManagersDeleteInstancesRequest.newBuilder().addAllInstances(urls).build())
          : zonal.deleteInstancesAsync(ref.project(), ref.location(), ref.name(),
              InstanceGroupManagersDeleteInstancesRequest.newBuilder().addAllInstances(urls).build()));
    } catch (AcceptedButFailed e) {
      throw perInstance(ref, instanceIds, urls, e);
    }
  }

  /**
   * Reads what an accepted {@code deleteInstances} that ended in error, timed out or could not be
   * polled did to each instance, from {@code listManagedInstances} (Compute Engine's documented way
   * to verify a delete): an instance no longer listed, or listed as {@code DELETING}, is terminated;
   * one whose last attempt carries errors failed with them; one still listed without either failed
   * when the operation ended in error, and is unconfirmed when it was merely not seen to finish. If
   * the list cannot be read, every instance is unconfirmed (the request was accepted: any may be gone).
   */
  private TerminationException perInstance(MigRef ref, List<String> ids, List<String> urls, AcceptedButFailed cause) {
    List<String> terminated = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> unconfirmed = new LinkedHashMap<>();
    Map<String, ManagedInstance> byName;
    try {
      byName = managedInstancesByName(ref);
    } catch (TargetException e) {
      ids.forEach(id -> unconfirmed.put(id, cause.getMessage() + "; and its instances could not be read: "
          + e.getMessage()));
      return new TerminationException("GCE managed instance group " + ref, terminated, failed, unconfirmed);
    }
    for (int i = 0; i < ids.size(); i++) {
      String url = urls.get(i);
      ManagedInstance instance = byName.get(url.substring(url.lastIndexOf('/') + 1));
      String id = ids.get(i);
      if (instance == null || LEAVING.contains(instance.getCurrentAction())) {
        terminated.add(id);
      } else if (instance.getLastAttempt().getErrors().getErrorsCount() > 0) {
        failed.put(id, instance.getLastAttempt().getErrors().getErrorsList().stream()
            .map(e -> e.getCode().isEmpty() ? e.getMessage() : e.getCode() + ": " + e.getMessage())
            .collect(Collectors.joining("; ")));
      } else if (cause.ended) {
        failed.put(id, "still in the group (" + instance.getCurrentAction() + ") after " + cause.getMessage());
      } else {
        unconfirmed.put(id, "still in the group (" + instance.getCurrentAction() + "): " + cause.getMessage());
      }
    }
    return new TerminationException("GCE managed instance group " + ref, terminated, failed, unconfirmed);
  }

  private Map<String, ManagedInstance> managedInstancesByName(MigRef ref) {
    Map<String, ManagedInstance> byName = new LinkedHashMap<>();
    try {
      Iterable<ManagedInstance> instances = ref.regional()
          ? regional.listManagedInstances(ref.project(), ref.location(), ref.name()).iterateAll()
          : zonal.listManagedInstances(ref.project(), ref.location(), ref.name()).iterateAll();
      for (ManagedInstance instance : instances) {
        Matcher m = INSTANCE_PATH.matcher(instance.getInstance());
        if (m.find()) {
          byName.put(m.group(2), instance);
        }
      }
    } catch (ApiException e) {
      throw failure(ref, "listing the instances of %s", e);
    }
    return byName;
  }

  /**
   * An operation that Compute Engine accepted but that did not end well: it ended in error
   * ({@link #ended}), or was not seen to finish (timed out, polls failed, interrupted).
   */
  private static final class AcceptedButFailed extends TargetException {
    private static final long serialVersionUID = 1L;
    /** Whether the operation reached DONE (with errors), rather than not being seen to finish. */
    final boolean ended;

    AcceptedButFailed(String message, boolean ended, Throwable cause) {
      super(message, cause);
      this.ended = ended;
    }
  }

  Optional<List<String>> liveInstances(MigRef ref) {
    ensureOpen();
    return Optional.of(List.copyOf(managedInstances(ref, true).keySet()));
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this gce-mig target is closed");
    }
  }

  private static GroupStatus attempt(Supplier<TargetStatus> read) {
    try {
      return GroupStatus.of(read.get());
    } catch (RuntimeException e) {
      return GroupStatus.failed(e);
    }
  }

  private ApiFuture<InstanceGroupManager> getAsync(MigRef ref) {
    return ref.regional()
        ? regional.getCallable().futureCall(GetRegionInstanceGroupManagerRequest.newBuilder()
            .setProject(ref.project()).setRegion(ref.location()).setInstanceGroupManager(ref.name()).build())
        : zonal.getCallable().futureCall(GetInstanceGroupManagerRequest.newBuilder()
            .setProject(ref.project()).setZone(ref.location()).setInstanceGroupManager(ref.name()).build());
  }

  /**
   * Reads the wanted groups of one project from its aggregated list, page by page, and answers for
   * every one of them. Groups are not read one by one after a failure: when the list is throttled,
   * a thousand gets would only make it worse.
   */
  private Map<MigRef, GroupStatus> aggregated(String project, Set<MigRef> wanted) {
    // Compute Engine filters by an RE2 expression that must match the whole name; names hold only
    // [-a-z0-9], which MigRef checks, so they need no escaping. A filter too long for a URL is
    // dropped: the whole project is listed instead, 500 groups a page, and the wanted ones picked.
    String names = wanted.stream().map(MigRef::name).distinct().sorted().collect(Collectors.joining("|"));
    AggregatedListInstanceGroupManagersRequest.Builder request = AggregatedListInstanceGroupManagersRequest
        .newBuilder().setProject(project).setMaxResults(MAX_RESULTS).setReturnPartialSuccess(true);
    if (names.length() <= MAX_FILTER_NAMES_LENGTH) {
      request.setFilter("name eq \"" + names + "\"");
    }
    Map<MigRef, InstanceGroupManager> found = new HashMap<>();
    Map<String, String> unreachable = new HashMap<>();
    try {
      String pageToken = "";
      do {
        InstanceGroupManagerAggregatedList page = zonal.aggregatedListCallable()
            .call(request.setPageToken(pageToken).build());
        for (Map.Entry<String, InstanceGroupManagersScopedList> scope : page.getItemsMap().entrySet()) {
          Warning warning = scope.getValue().getWarning();
          if (!warning.getCode().isEmpty() && !warning.getCode().equals(NO_RESULTS_ON_PAGE)) {
            unreachable.put(scope.getKey(), warning.getCode() + ": " + warning.getMessage());
          }
          String[] kindAndLocation = scope.getKey().split("/", 2);
          if (kindAndLocation.length != 2) {
            continue;
          }
          boolean isRegion = kindAndLocation[0].equals("regions");
          for (InstanceGroupManager igm : scope.getValue().getInstanceGroupManagersList()) {
            MigRef ref = new MigRef(project, isRegion, kindAndLocation[1], igm.getName());
            if (wanted.contains(ref)) {
              found.put(ref, igm);
            }
          }
        }
        page.getUnreachablesList().forEach(scope -> unreachable.putIfAbsent(scope, "unreachable"));
        pageToken = page.getNextPageToken();
      } while (!pageToken.isEmpty());
    } catch (ApiException e) {
      Map<MigRef, GroupStatus> failed = new HashMap<>();
      wanted.forEach(ref -> failed.put(ref, GroupStatus.failed(new TargetException(
          task("reading %s", ref) + " failed: listing the groups of project " + project + " failed" + problem(e), e))));
      return failed;
    }
    Map<MigRef, GroupStatus> statuses = new HashMap<>();
    for (MigRef ref : wanted) {
      InstanceGroupManager igm = found.get(ref);
      String scopeProblem = unreachable.get(ref.scope());
      statuses.put(ref, igm != null ? GroupStatus.of(toStatus(ref, igm))
          : GroupStatus.failed(scopeProblem == null
              ? new TargetException("GCE managed instance group " + ref + " was not found")
              : new TargetException(task("reading %s", ref) + " failed: Compute Engine could not list "
                  + ref.scope() + " (" + scopeProblem + ")")));
    }
    return statuses;
  }

  private List<String> instanceUrls(MigRef ref, List<String> instanceIds) {
    List<String> urls = new ArrayList<>(instanceIds.size());
    Map<String, String> members = null;
    List<String> strangers = new ArrayList<>();
    for (String id : instanceIds) {
      Matcher m = INSTANCE_PATH.matcher(id);
      if (m.find()) {
        urls.add("zones/" + m.group(1) + "/instances/" + m.group(2));
      } else if (id.isBlank() || id.contains("/")) {
        throw new TargetException("cannot delete '" + id + "' from GCE managed instance group " + ref
            + ": it is neither an instance name nor a link ending in zones/<zone>/instances/<name>");
      } else if (!ref.regional()) {
        urls.add("zones/" + ref.location() + "/instances/" + id);
      } else {
        // A regional group spreads over zones; only the group knows which zone holds a name.
        if (members == null) {
          members = managedInstances(ref);
        }
        String url = members.get(id);
        if (url == null) {
          strangers.add(id);
        } else {
          urls.add(url);
        }
      }
    }
    if (!strangers.isEmpty()) {
      throw new TargetException("instances " + strangers + " are not managed by GCE managed instance group " + ref
          + "; nothing was deleted");
    }
    return urls;
  }

  private Map<String, String> managedInstances(MigRef ref) {
    return managedInstances(ref, false);
  }

  /**
   * Maps each managed instance's name to its {@code zones/<zone>/instances/<name>} path; with
   * {@code liveOnly}, instances the group is deleting or abandoning are left out.
   */
  private Map<String, String> managedInstances(MigRef ref, boolean liveOnly) {
    Map<String, String> byName = new LinkedHashMap<>();
    try {
      Iterable<ManagedInstance> instances = ref.regional()
          ? regional.listManagedInstances(ref.project(), ref.location(), ref.name()).iterateAll()
          : zonal.listManagedInstances(ref.project(), ref.location(), ref.name()).iterateAll();
      for (ManagedInstance instance : instances) {
        if (liveOnly && LEAVING.contains(instance.getCurrentAction())) {
          continue;
        }
        Matcher m = INSTANCE_PATH.matcher(instance.getInstance());
        if (m.find()) {
          byName.put(m.group(2), "zones/" + m.group(1) + "/instances/" + m.group(2));
        }
      }
    } catch (ApiException e) {
      throw failure(ref, "listing the instances of %s", e);
    }
    return byName;
  }

  /**
   * Ready only while {@code status.isStable}; an unstable group's reason counts its
   * {@code currentActions}, which a get and an aggregated list both carry.
   */
  private static TargetStatus toStatus(MigRef ref, InstanceGroupManager igm) {
    if (igm.getStatus().getIsStable()) {
      return new TargetStatus(true, igm.getTargetSize(), Map.of());
    }
    InstanceGroupManagerActionsSummary a = igm.getCurrentActions();
    Map<String, Integer> actions = new LinkedHashMap<>();
    actions.put("creating", a.getCreating() + a.getCreatingWithoutRetries());
    actions.put("deleting", a.getDeleting());
    actions.put("abandoning", a.getAbandoning());
    actions.put("recreating", a.getRecreating());
    actions.put("refreshing", a.getRefreshing());
    actions.put("restarting", a.getRestarting());
    actions.put("verifying", a.getVerifying());
    actions.put("starting", a.getStarting());
    actions.put("stopping", a.getStopping());
    actions.put("suspending", a.getSuspending());
    actions.put("resuming", a.getResuming());
    String busy = actions.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    return new TargetStatus(false, igm.getTargetSize(), Map.of(TargetStatus.META_NOT_READY_REASON,
        "GCE managed instance group " + ref + " is not stable: "
            + (busy.isEmpty() ? "instances are being created, deleted or updated" : "instances " + busy)));
  }

  private <T> T await(MigRef ref, String what, Future<T> future) {
    try {
      return future.get(callBudget.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(ref, what, e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new TargetException(task(what, ref) + " got no answer within "
          + Durations.format(callBudget), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new TargetException("interrupted while " + task(what, ref), e);
    }
  }

  /**
   * Waits for the first call (its own retries bound it by the call budget), then for the operation
   * for at most {@code operation_timeout}. That deadline is ours, not the SDK's: the SDK's polling is
   * given a longer budget, so per-poll deadlines and their retries can never end a wait first, and
   * a slow machine reports the operation timeout rather than whatever a poll was doing then.
   */
  private void awaitOperation(MigRef ref, String what, OperationFuture<Operation, Operation> future) {
    try {
      future.getInitialFuture().get(callBudget.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      future.cancel(true);
      throw failure(ref, what, e.getCause());
    } catch (TimeoutException | CancellationException e) {
      future.cancel(true);
      throw new TargetException(task(what, ref) + " got no answer within " + Durations.format(callBudget), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new TargetException("interrupted while " + task(what, ref), e);
    }
    long deadline = System.nanoTime() + config.operationTimeout().toNanos();
    Operation done;
    try {
      done = future.get(config.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CancellationException || System.nanoTime() - deadline >= 0) {
        throw timedOut(ref, what, e.getCause());
      }
      // The exception carries only the status ("BAD REQUEST"); the operation holds the reason.
      Optional<Operation> last = operationIn(future.peekMetadata());
      if (last.isPresent() && failed(last.get())) {
        throw new AcceptedButFailed(task(what, ref) + " failed: " + describe(last.get()), true, e.getCause());
      }
      Optional<Operation> started = operationIn(ApiFutures.transform(future.getInitialFuture(),
          OperationSnapshot::getMetadata, MoreExecutors.directExecutor()));
      // The group accepted the call; a failure now (even a 404) concerns the operation, not the group.
      throw new AcceptedButFailed(task(what, ref) + " failed while polling operation "
          + started.map(Operation::getName).orElse("(unnamed)") + pollProblem(e.getCause()), false, e.getCause());
    } catch (TimeoutException | CancellationException e) {
      future.cancel(true);
      throw timedOut(ref, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new AcceptedButFailed("interrupted while " + task(what, ref), false, e);
    }
    // An operation that carries errors without an HTTP error code still failed.
    if (failed(done)) {
      throw new AcceptedButFailed(task(what, ref) + " failed: " + describe(done), true, null);
    }
  }

  /** Polls are retried for as long as time allows, not a number of times: no attempt count. */
  private static String pollProblem(Throwable cause) {
    if (!(cause instanceof ApiException api)) {
      return ": " + cause;
    }
    return ": " + api.getStatusCode().getCode() + ": " + cloudMessage(api);
  }

  private TargetException timedOut(MigRef ref, String what, Throwable cause) {
    return new AcceptedButFailed(task(what, ref) + " did not finish within "
        + Durations.format(config.operationTimeout()) + " (operation_timeout)", false, cause);
  }

  /** Returns the operation a completed future holds, if it completed successfully with one. */
  private static Optional<Operation> operationIn(ApiFuture<?> metadata) {
    if (metadata == null || !metadata.isDone()) {
      return Optional.empty();
    }
    try {
      return metadata.get() instanceof Operation op ? Optional.of(op) : Optional.empty();
    } catch (ExecutionException | CancellationException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static boolean failed(Operation op) {
    return op.getError().getErrorsCount() > 0 || op.getHttpErrorStatusCode() >= 400;
  }

  private static String describe(Operation op) {
    StringBuilder sb = new StringBuilder();
    if (op.getHttpErrorStatusCode() != 0) {
      sb.append(op.getHttpErrorStatusCode()).append(' ').append(op.getHttpErrorMessage()).append(": ");
    }
    sb.append(op.getError().getErrorsList().stream()
        .map(e -> e.getCode().isEmpty() ? e.getMessage() : e.getCode() + ": " + e.getMessage())
        .collect(Collectors.joining("; ")));
    return sb.append(" (operation ").append(op.getName()).append(')').toString();
  }

  private TargetException failure(MigRef ref, String what, Throwable cause) {
    if (cause instanceof ApiException api && api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND) {
      return new TargetException("GCE managed instance group " + ref + " was not found", api);
    }
    return new TargetException(task(what, ref) + " failed" + problem(cause), cause);
  }

  /** Describes a failed call: {@code " after 5 attempts: UNAVAILABLE: Backend Error"}. */
  private String problem(Throwable cause) {
    if (!(cause instanceof ApiException api)) {
      return ": " + cause;
    }
    String attempts = api.isRetryable() ? " after " + config.retryAttempts() + " attempts" : "";
    return attempts + ": " + api.getStatusCode().getCode() + ": " + cloudMessage(api);
  }

  /**
   * Returns Compute Engine's own explanation ({@code error.message} of the answer's body); the
   * exception's message holds only the HTTP reason phrase, such as "Bad Request".
   */
  private static String cloudMessage(ApiException api) {
    if (api.getCause() instanceof HttpResponseException http && http.getContent() != null) {
      try {
        JsonElement message = JsonParser.parseString(http.getContent()).getAsJsonObject()
            .getAsJsonObject("error").get("message");
        if (message != null && message.isJsonPrimitive()) {
          return message.getAsString();
        }
      } catch (RuntimeException notTheUsualJson) {
        // Fall back to the reason phrase below.
      }
    }
    return api.getMessage();
  }

  /** Fills a task such as {@code "resizing %s to 3"} with the group. */
  private static String task(String what, MigRef ref) {
    return what.replace("%s", "GCE managed instance group " + ref);
  }
}
