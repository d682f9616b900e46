package dev.capstan.target.aws;

import dev.capstan.config.ConfigReader;
import dev.capstan.config.Durations;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.spi.TerminationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClientBuilder;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshStatus;
import software.amazon.awssdk.services.autoscaling.model.ScalingActivityStatusCode;
import software.amazon.awssdk.services.autoscaling.model.SuspendedProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales AWS Auto Scaling Groups: reads and sets their desired capacity, and terminates chosen
 * instances for the cluster scale-in flow. Thread-safe; one instance serves every policy.
 *
 * <p>A policy names its group with {@code aws_asg_name}; the cluster keys
 * ({@link InstanceGroup#CLUSTER_KEYS}) are accepted and left to the scale-in flow, any other key is
 * rejected. Operator settings on the group win: instances protected from scale-in are never
 * terminated, and a suspended {@code Terminate} process blocks every scale-in.
 *
 * <p>Every API call goes through the SDK's standard retry mode with
 * {@link AwsAsgConfig#retryAttempts()} attempts.
 */
public final class AwsAsgTarget implements Target, InstanceGroup {

  /** The policy target key naming the group. */
  public static final String GROUP_KEY = "aws_asg_name";

  // DescribeAutoScalingGroups takes up to 100 names and returns up to 100 groups per page.
  static final int NAMES_PER_DESCRIBE = 100;
  // DescribeScalingActivities takes up to 50 activity ids.
  static final int ACTIVITY_IDS_PER_DESCRIBE = 50;
  // Newest first; enough to see an activity still running behind a newer one that finished.
  static final int RECENT_ACTIVITIES = 10;
  static final int RECENT_REFRESHES = 5;
  private static final String TERMINATE_PROCESS = "Terminate";

  private static final Set<ScalingActivityStatusCode> ACTIVITY_DONE = EnumSet.of(
      ScalingActivityStatusCode.SUCCESSFUL, ScalingActivityStatusCode.FAILED,
      ScalingActivityStatusCode.CANCELLED);
  private static final Set<InstanceRefreshStatus> REFRESH_RUNNING = EnumSet.of(
      InstanceRefreshStatus.PENDING, InstanceRefreshStatus.IN_PROGRESS,
      InstanceRefreshStatus.CANCELLING, InstanceRefreshStatus.ROLLBACK_IN_PROGRESS,
      InstanceRefreshStatus.BAKING);

  private static final Logger LOG = LoggerFactory.getLogger(AwsAsgTarget.class);

  private final AwsAsgConfig config;
  private final AutoScalingClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  AwsAsgTarget(AwsAsgConfig config, Optional<BackoffStrategy> backoff) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = buildClient(config, backoff);
  }

  /**
   * Creates a target with its own SDK client.
   *
   * @param config the parsed agent configuration
   * @return a target; close it to release the client
   * @throws ConfigException if no region is configured and the SDK finds none either
   */
  public static AwsAsgTarget create(AwsAsgConfig config) {
    return new AwsAsgTarget(config, Optional.empty());
  }

  private static AutoScalingClient buildClient(AwsAsgConfig config, Optional<BackoffStrategy> backoff) {
    StandardRetryStrategy.Builder retry = AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(config.retryAttempts());
    backoff.ifPresent(b -> retry.backoffStrategy(b).throttlingBackoffStrategy(b));
    AutoScalingClientBuilder builder = AutoScalingClient.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(retry.build()));
    config.region().ifPresent(r -> builder.region(Region.of(r)));
    config.endpoint().ifPresent(builder::endpointOverride);
    config.staticKeys().ifPresent(k -> builder.credentialsProvider(StaticCredentialsProvider.create(
        k.sessionToken().isPresent()
            ? AwsSessionCredentials.create(k.accessKeyId(), k.secretAccessKey(), k.sessionToken().get())
            : AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey()))));
    try {
      return builder.build();
    } catch (SdkException e) {
      throw new ConfigException("aws_region is missing and the AWS SDK found no region either: "
          + e.getMessage());
    }
  }

  /**
   * Reads the named group's desired capacity and readiness.
   *
   * <p>The group is not ready while it is being deleted, while a scaling activity is in progress or
   * while an instance refresh runs ({@link TargetStatus#META_NOT_READY_REASON} says which). The end
   * of its latest activity is in {@link TargetStatus#META_LAST_EVENT}, in epoch milliseconds.
   *
   * @throws ConfigException if {@code aws_asg_name} is missing or an unknown key is present
   * @throws TargetException if the group does not exist or AWS could not be asked; names the group
   */
  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    String name = groupName(policyTargetConfig);
    return statusOf(describeOne(name));
  }

  /**
   * Reads several groups with one {@code DescribeAutoScalingGroups} call per 100 names.
   *
   * @throws ConfigException if any configuration is bad
   * @throws TargetException naming every group that does not exist, or if AWS could not be asked
   */
  @Override
  public List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<String> names = policyTargetConfigs.stream().map(AwsAsgTarget::groupName).toList();
    Map<String, AutoScalingGroup> groups = describe(names);
    List<String> missing = names.stream().distinct().filter(n -> !groups.containsKey(n)).toList();
    if (!missing.isEmpty()) {
      throw new TargetException("Auto Scaling group(s) " + String.join(", ", missing)
          + " not found in " + where());
    }
    Map<String, TargetStatus> byName = new HashMap<>();
    List<TargetStatus> statuses = new ArrayList<>(names.size());
    for (String name : names) {
      statuses.add(byName.computeIfAbsent(name, n -> statusOf(groups.get(n))));
    }
    return statuses;
  }

  /**
   * Sets the group's desired capacity to {@code action.count()}; a dry-run action makes no call.
   *
   * @throws ConfigException if the policy configuration is bad
   * @throws TargetException if the group does not exist, its {@code Terminate} process is suspended
   *     and the action scales in, or AWS refused; the message names the group
   */
  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    String name = groupName(policyTargetConfig);
    if (action.dryRun()) {
      LOG.info("dry run: would set desired capacity of {} to {}", name, action.count());
      return;
    }
    if (action.count() > Integer.MAX_VALUE) {
      throw new TargetException("cannot scale Auto Scaling group " + name + " to " + action.count()
          + ": AWS takes at most " + Integer.MAX_VALUE);
    }
    AutoScalingGroup group = describeOne(name);
    int desired = group.desiredCapacity();
    if (action.count() < desired) {
      requireTerminateNotSuspended(group, "scale in from " + desired + " to " + action.count());
    }
    call("set desired capacity of Auto Scaling group " + name + " to " + action.count(),
        () -> client.setDesiredCapacity(b -> b.autoScalingGroupName(name)
            .desiredCapacity((int) action.count()).honorCooldown(false)));
    LOG.info("set desired capacity of {} from {} to {}: {}", name, desired,
        action.count(), action.reason());
  }

  /**
   * Terminates exactly {@code instanceIds} with {@code ShouldDecrementDesiredCapacity}, then waits
   * (at most {@link AwsAsgConfig#operationTimeout()}) for their activities to finish.
   *
   * <p>Instances that are protected from scale-in or not in the group are refused, never touched.
   *
   * @throws ConfigException if the policy configuration is bad
   * @throws TerminationException if any instance was refused, failed or did not finish in time; it
   *     lists which were terminated and why the others were not
   * @throws TargetException if the group does not exist or its {@code Terminate} process is
   *     suspended; nothing was terminated then
   */
  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    String name = groupName(policyTargetConfig);
    List<String> wanted = List.copyOf(new LinkedHashSet<>(instanceIds));
    if (wanted.isEmpty()) {
      return;
    }
    AutoScalingGroup group = describeOne(name);
    requireTerminateNotSuspended(group, "terminate " + wanted);
    Map<String, Instance> members = new HashMap<>();
    group.instances().forEach(i -> members.put(i.instanceId(), i));

    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> instanceByActivity = new LinkedHashMap<>();
    Set<String> done = new LinkedHashSet<>();
    for (String id : wanted) {
      Instance instance = members.get(id);
      if (instance == null) {
        failed.put(id, "not an instance of Auto Scaling group " + name);
      } else if (Boolean.TRUE.equals(instance.protectedFromScaleIn())) {
        failed.put(id, "protected from scale-in in Auto Scaling group " + name
            + "; remove the protection to let Capstan terminate it");
      } else {
        try {
          Activity activity = client.terminateInstanceInAutoScalingGroup(
              b -> b.instanceId(id).shouldDecrementDesiredCapacity(true)).activity();
          if (activity == null || activity.activityId() == null) {
            done.add(id);
          } else {
            instanceByActivity.put(activity.activityId(), id);
          }
        } catch (SdkException e) {
          failed.put(id, reason(e));
        }
      }
    }
    done.addAll(awaitActivities(name, instanceByActivity, failed));
    List<String> terminated = wanted.stream().filter(done::contains).toList();
    LOG.info("terminated {} of {} instances in {}", terminated.size(), wanted.size(), name);
    if (!failed.isEmpty()) {
      throw new TerminationException(name, terminated, failed);
    }
  }

  /**
   * Lists the group's live instances from one {@code DescribeAutoScalingGroups} call; instances
   * already terminating or terminated are left out.
   *
   * @throws TargetException if the group does not exist or AWS could not be asked; names the group
   */
  @Override
  public Optional<List<String>> instanceIds(Map<String, String> policyTargetConfig) {
    // Terminating (with any hook state) and Terminated instances are going or gone, not live.
    return Optional.of(describeOne(groupName(policyTargetConfig)).instances().stream()
        .filter(i -> i.lifecycleStateAsString() == null || !i.lifecycleStateAsString().startsWith("Terminat"))
        .map(Instance::instanceId).toList());
  }

  /** Closes the SDK client; calling it again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "AwsAsgTarget[" + config + "]";
  }

  static String groupName(Map<String, String> policyTargetConfig) {
    ConfigReader r = ConfigReader.of(policyTargetConfig, "aws-asg policy target");
    String name = r.requiredString(GROUP_KEY);
    r.allow(CLUSTER_KEYS.toArray(String[]::new));
    r.rejectUnknownKeys();
    r.validate();
    return name;
  }

  // Waits for the termination activities; returns the instances whose activity succeeded and puts
  // every other one in failed with the reason.
  private Set<String> awaitActivities(String name, Map<String, String> instanceByActivity,
      Map<String, String> failed) {
    Set<String> done = new LinkedHashSet<>();
    Map<String, String> pending = new LinkedHashMap<>(instanceByActivity);
    Map<String, String> lastState = new HashMap<>();
    long deadline = System.nanoTime() + config.operationTimeout().toNanos();
    while (!pending.isEmpty()) {
      List<Activity> activities;
      try {
        activities = activities(name, List.copyOf(pending.keySet()));
      } catch (TargetException e) {
        pending.forEach((activity, id) -> failed.put(id, "termination requested (activity " + activity
            + ") but could not be confirmed: " + e.getMessage()));
        return done;
      }
      for (Activity a : activities) {
        String id = pending.get(a.activityId());
        if (id == null) {
          continue;
        }
        lastState.put(a.activityId(), a.statusCodeAsString());
        if (ACTIVITY_DONE.contains(a.statusCode())) {
          pending.remove(a.activityId());
          if (a.statusCode() == ScalingActivityStatusCode.SUCCESSFUL) {
            done.add(id);
          } else {
            failed.put(id, "termination activity " + a.activityId() + " ended " + a.statusCodeAsString()
                + (a.statusMessage() == null ? "" : ": " + a.statusMessage()));
          }
        }
      }
      if (pending.isEmpty()) {
        break;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        pending.forEach((activity, id) -> failed.put(id, "termination activity " + activity + " still "
            + lastState.getOrDefault(activity, "unreported") + " after "
            + Durations.format(config.operationTimeout())));
        break;
      }
      try {
        Thread.sleep(Math.min(config.pollInterval().toMillis(), Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.forEach((activity, id) -> failed.put(id, "interrupted while waiting for termination "
            + "activity " + activity));
        break;
      }
    }
    return done;
  }

  private List<Activity> activities(String name, List<String> activityIds) {
    List<Activity> out = new ArrayList<>();
    for (int from = 0; from < activityIds.size(); from += ACTIVITY_IDS_PER_DESCRIBE) {
      List<String> chunk = activityIds.subList(from, Math.min(activityIds.size(), from + ACTIVITY_IDS_PER_DESCRIBE));
      call("describe scaling activities " + chunk + " of Auto Scaling group " + name,
          () -> {
            client.describeScalingActivitiesPaginator(b -> b.autoScalingGroupName(name).activityIds(chunk))
                .activities().forEach(out::add);
            return null;
          });
    }
    return out;
  }

  private TargetStatus statusOf(AutoScalingGroup group) {
    String name = group.autoScalingGroupName();
    Map<String, String> meta = new HashMap<>();
    String notReady = null;
    if (group.status() != null && !group.status().isBlank()) {
      notReady = "Auto Scaling group " + name + " is not ready: " + group.status();
    }
    List<Activity> recent = call("describe scaling activities of Auto Scaling group " + name,
        () -> client.describeScalingActivities(b -> b.autoScalingGroupName(name).maxRecords(RECENT_ACTIVITIES))
            .activities());
    recent.stream().map(Activity::endTime).filter(Objects::nonNull).max(Comparator.naturalOrder())
        .map(Instant::toEpochMilli)
        .ifPresent(t -> meta.put(TargetStatus.META_LAST_EVENT, Long.toString(t)));
    Optional<Activity> running = recent.stream().filter(a -> !ACTIVITY_DONE.contains(a.statusCode())).findFirst();
    if (notReady == null && running.isPresent()) {
      Activity a = running.get();
      notReady = "scaling activity " + a.activityId() + " is " + a.statusCodeAsString()
          + (a.description() == null ? "" : ": " + a.description());
    }
    if (notReady == null) {
      Optional<InstanceRefresh> refresh = call("describe instance refreshes of Auto Scaling group " + name,
          () -> client.describeInstanceRefreshes(b -> b.autoScalingGroupName(name).maxRecords(RECENT_REFRESHES))
              .instanceRefreshes())
          .stream().filter(r -> REFRESH_RUNNING.contains(r.status())).findFirst();
      if (refresh.isPresent()) {
        notReady = "instance refresh " + refresh.get().instanceRefreshId() + " is "
            + refresh.get().statusAsString();
      }
    }
    if (notReady != null) {
      meta.put(TargetStatus.META_NOT_READY_REASON, notReady);
    }
    return new TargetStatus(notReady == null, group.desiredCapacity(), meta);
  }

  private static void requireTerminateNotSuspended(AutoScalingGroup group, String what) {
    for (SuspendedProcess p : group.suspendedProcesses()) {
      if (TERMINATE_PROCESS.equals(p.processName())) {
        throw new TargetException("cannot " + what + " in Auto Scaling group " + group.autoScalingGroupName()
            + ": its Terminate process is suspended"
            + (p.suspensionReason() == null ? "" : " (" + p.suspensionReason() + ")")
            + "; resume it to allow scale-in");
      }
    }
  }

  private AutoScalingGroup describeOne(String name) {
    AutoScalingGroup group = describe(List.of(name)).get(name);
    if (group == null) {
      throw new TargetException("Auto Scaling group " + name + " not found in " + where());
    }
    return group;
  }

  private Map<String, AutoScalingGroup> describe(List<String> names) {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(names));
    Map<String, AutoScalingGroup> found = new HashMap<>();
    for (int from = 0; from < distinct.size(); from += NAMES_PER_DESCRIBE) {
      List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + NAMES_PER_DESCRIBE));
      call("describe Auto Scaling group(s) " + String.join(", ", chunk), () -> {
        client.describeAutoScalingGroupsPaginator(b -> b.autoScalingGroupNames(chunk).maxRecords(NAMES_PER_DESCRIBE))
            .autoScalingGroups().forEach(g -> found.put(g.autoScalingGroupName(), g));
        return null;
      });
    }
    return found;
  }

  private String where() {
    return "region " + config.region().orElse("(sdk default)")
        + config.endpoint().map(e -> " at " + e).orElse("");
  }

  private <T> T call(String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      String message = "could not " + what + " in " + where() + ": " + reason(e);
      // A cause whose text (or a retry's suppressed attempt) echoed a credential would put it in
      // every logged stack trace, so such a cause is dropped; the message above is already redacted.
      throw mentionsCredential(stackTrace(e)) ? new TargetException(message) : new TargetException(message, e);
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private boolean mentionsCredential(String text) {
    return !redact(text).equals(text);
  }

  // The cloud's own words, plus how many attempts the retry strategy made, without any secret.
  private String reason(SdkException e) {
    String text;
    if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
      text = s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage()
          + " (HTTP " + s.statusCode() + (s.requestId() == null ? "" : ", request id " + s.requestId()) + ")";
    } else {
      text = e.getMessage();
    }
    if (e.numAttempts() != null && e.numAttempts() > 1) {
      text += " after " + e.numAttempts() + " attempts";
    }
    return redact(text);
  }

  private String redact(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    Optional<AwsAsgConfig.StaticKeys> keys = config.staticKeys();
    if (keys.isPresent()) {
      out = out.replace(keys.get().secretAccessKey(), "****").replace(keys.get().accessKeyId(), "****");
      if (keys.get().sessionToken().isPresent()) {
        out = out.replace(keys.get().sessionToken().get(), "****");
      }
    }
    return out;
  }
}
