package dev.capstan.target.aws;

import dev.capstan.config.Durations;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
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
import software.amazon.awssdk.services.autoscaling.model.ScalingActivityStatusCode;
import software.amazon.awssdk.services.autoscaling.model.SuspendedProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales AWS Auto Scaling Groups: reads and sets their desired capacity, and terminates chosen
 * instances for the cluster scale-in flow. Thread-safe; one instance serves every policy.
 *
 * <p>A policy names its group with {@code aws_asg_name}, parsed once by {@link #bind}; the cluster keys
 * ({@link InstanceGroup#CLUSTER_KEYS}) are accepted and left to the scale-in flow, any other key is
 * rejected; so are {@code scale_in_protection} and {@code ignore_asg_events}, the peer's. Operator
 * settings on the group win: instances protected from scale-in are not terminated while
 * {@code scale_in_protection} is true (the default), and a suspended {@code Terminate} process blocks
 * every scale-in.
 *
 * <p>Every API call goes through the SDK's standard retry mode with
 * {@link AwsAsgConfig#retryAttempts()} attempts.
 */
public final class AwsAsgTarget implements Target, InstanceGroup {

  /** The policy target key naming the group. */
  public static final String GROUP_KEY = "aws_asg_name";

  // DescribeScalingActivities takes up to 50 activity ids.
  static final int ACTIVITY_IDS_PER_DESCRIBE = 50;
  private static final String TERMINATE_PROCESS = "Terminate";

  private static final Set<ScalingActivityStatusCode> ACTIVITY_DONE = AsgStatusReader.ACTIVITY_DONE;

  private static final Logger LOG = LoggerFactory.getLogger(AwsAsgTarget.class);

  private final AwsAsgConfig config;
  private final Optional<BackoffStrategy> backoff;
  /** Built on first use: without aws_region the SDK's region chain may ask EC2 instance metadata. */
  private volatile AutoScalingClient client;
  private final String region;
  private final AsgStatusReader reader;
  private final AtomicBoolean closed = new AtomicBoolean();

  AwsAsgTarget(AwsAsgConfig config, Optional<BackoffStrategy> backoff) {
    this(config, backoff, Clock.systemUTC());
  }

  AwsAsgTarget(AwsAsgConfig config, Optional<BackoffStrategy> backoff, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.backoff = backoff;
    this.region = config.region().orElseGet(AwsAsgTarget::localRegion);
    this.reader = new AsgStatusReader(this, clock);
  }

  /**
   * The region a group's id names when {@code aws_region} is not set: the SDK's local sources only
   * ({@code aws.region}, {@code AWS_REGION}, the profile file), never instance metadata, so binding
   * stays offline; {@code default} when none names one (the client still resolves the whole chain
   * at its first call).
   */
  private static String localRegion() {
    try {
      return new software.amazon.awssdk.regions.providers.AwsRegionProviderChain(
          new software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider(),
          new software.amazon.awssdk.regions.providers.AwsProfileRegionProvider()).getRegion().id();
    } catch (SdkException e) {
      return "default";
    }
  }

  /**
   * Returns the SDK client, building it at the first call: creating a target sends nothing, and
   * without {@code aws_region} the SDK's region chain (which may ask EC2 instance metadata) runs
   * only when AWS is first asked something.
   *
   * @throws TargetException if no region is configured and the SDK finds none either
   */
  AutoScalingClient client() {
    AutoScalingClient c = client;
    if (c == null) {
      synchronized (this) {
        if (closed.get()) {
          throw new IllegalStateException("aws-asg target is closed");
        }
        c = client;
        if (c == null) {
          c = buildClient(config, backoff);
          client = c;
        }
      }
    }
    return c;
  }

  /**
   * Creates a target with its own SDK client.
   *
   * @param config the parsed agent configuration
   * @return a target; close it to release the client. It sends nothing until first used: the SDK client
   *     is built at the first call, so a missing region is reported then, as a {@link TargetException}
   */
  public static AwsAsgTarget create(AwsAsgConfig config) {
    return new AwsAsgTarget(config, Optional.empty());
  }

  private static AutoScalingClient buildClient(AwsAsgConfig config, Optional<BackoffStrategy> backoff) {
    StandardRetryStrategy.Builder retry = AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(config.retryAttempts());
    Optional<BackoffStrategy> configured = config.retryDelay()
        .map(first -> BackoffStrategy.exponentialDelayHalfJitter(first, config.maxRetryDelay().orElseThrow()));
    backoff.or(() -> configured).ifPresent(b -> retry.backoffStrategy(b).throttlingBackoffStrategy(b));
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
      throw new TargetException("aws-asg: aws_region is not set and the AWS SDK found no region either "
          + "(aws.region, AWS_REGION, the profile file, EC2 instance metadata): " + e.getMessage());
    }
  }

  /**
   * Binds a policy's target block: {@code aws_asg_name} names the group, the cluster keys
   * ({@link InstanceGroup#CLUSTER_KEYS}) are accepted and left to the scale-in flow. Makes no call.
   *
   * @return the group, whose {@link TargetGroup#id()} is {@code aws-asg:<region>/<name>}
   * @throws ConfigException if {@code aws_asg_name} is missing or blank, or naming every unknown key
   *     at once with the known keys
   */
  @Override
  public InstanceTargetGroup bind(Map<String, String> policyTargetConfig) {
    return AwsAsgGroup.bind(this, region, policyTargetConfig);
  }

  /**
   * Reads every group in as few calls as the API allows: one {@code DescribeAutoScalingGroups} per
   * 100 names, and activities or instance refreshes only for groups that look busy, are new, or moved
   * without us (see the module docs for how each readiness signal is covered).
   *
   * <p>A group is not ready while it is being deleted, while a scaling activity is in progress or
   * while an instance refresh runs ({@link TargetStatus#META_NOT_READY_REASON} says which).
   * {@link TargetStatus#META_LAST_EVENT} carries the last out-of-band event, in epoch milliseconds.
   *
   * @param groups groups this target bound
   * @return one result per group, in order; a missing group or a failed call fails only the entries
   *     it concerns, with a message naming the group
   */
  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    List<AwsAsgGroup> mine = new ArrayList<>(groups.size());
    for (TargetGroup g : groups) {
      if (!(g instanceof AwsAsgGroup a) || a.target() != this) {
        throw new IllegalArgumentException("group " + g + " was not bound by this target");
      }
      mine.add(a);
    }
    return reader.read(mine);
  }

  /**
   * Reads the named group; the same as {@code bind(config).status()}.
   *
   * @throws ConfigException if {@code aws_asg_name} is missing or an unknown key is present
   * @throws TargetException if the group does not exist or AWS could not be asked; names the group
   */
  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).status();
  }

  /**
   * Reads several groups through {@link #statusOf}.
   *
   * @throws ConfigException if any configuration is bad
   * @throws TargetException naming every group that could not be read
   */
  @Override
  public List<TargetStatus> statusAll(List<Map<String, String>> policyTargetConfigs) {
    List<TargetGroup> groups = policyTargetConfigs.stream().map(c -> (TargetGroup) bind(c)).toList();
    List<GroupStatus> read = statusOf(groups);
    List<String> errors = read.stream().flatMap(r -> r.error().stream()).map(Throwable::getMessage).distinct().toList();
    if (!errors.isEmpty()) {
      throw new TargetException(String.join("; ", errors));
    }
    return read.stream().map(r -> r.status().orElseThrow()).toList();
  }

  /**
   * Sets the named group's desired capacity; the same as {@code bind(config).scale(action)}.
   *
   * @throws ConfigException if the policy configuration is bad
   * @throws TargetException if the group does not exist, its {@code Terminate} process is suspended
   *     and the action scales in, or AWS refused; the message names the group
   */
  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bind(policyTargetConfig).scale(action);
  }

  // Sets the desired capacity to action.count(); a dry-run action makes no call.
  void scale(AwsAsgGroup bound, ScalingAction action) {
    String name = bound.name();
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
        () -> client().setDesiredCapacity(b -> b.autoScalingGroupName(name)
            .desiredCapacity((int) action.count()).honorCooldown(false)));
    reader.scaled(name, (int) action.count());
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
   * @throws TerminationException if any instance was refused or failed ({@code failed}), or its
   *     activity did not finish in time or could not be read ({@code unconfirmed}: it may be gone); it
   *     lists which were terminated and why the others were not
   * @throws TargetException if the group does not exist or its {@code Terminate} process is
   *     suspended; nothing was terminated then
   */
  @Override
  public void terminate(Map<String, String> policyTargetConfig, List<String> instanceIds) {
    bind(policyTargetConfig).terminate(instanceIds);
  }

  void terminate(AwsAsgGroup bound, List<String> instanceIds) {
    String name = bound.name();
    List<String> wanted = List.copyOf(new LinkedHashSet<>(instanceIds));
    if (wanted.isEmpty()) {
      return;
    }
    AutoScalingGroup group = describeOne(name);
    requireTerminateNotSuspended(group, "terminate " + wanted);
    boolean protection = bound.scaleInProtection().orElse(config.scaleInProtection());
    Map<String, Instance> members = new HashMap<>();
    group.instances().forEach(i -> members.put(i.instanceId(), i));

    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> instanceByActivity = new LinkedHashMap<>();
    Set<String> done = new LinkedHashSet<>();
    for (String id : wanted) {
      Instance instance = members.get(id);
      if (instance == null) {
        failed.put(id, "not an instance of Auto Scaling group " + name);
      } else if (protection && Boolean.TRUE.equals(instance.protectedFromScaleIn())) {
        failed.put(id, "protected from scale-in in Auto Scaling group " + name
            + "; remove the protection, or set scale_in_protection = false, to let Capstan terminate it");
      } else {
        try {
          Activity activity = client().terminateInstanceInAutoScalingGroup(
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
    Map<String, String> unconfirmed = new LinkedHashMap<>();
    done.addAll(awaitActivities(name, instanceByActivity, failed, unconfirmed));
    List<String> terminated = wanted.stream().filter(done::contains).toList();
    // Each termination lowered the desired capacity: ours, not an out-of-band change.
    reader.scaled(name, Math.max(0, group.desiredCapacity() - terminated.size()));
    LOG.info("terminated {} of {} instances in {}", terminated.size(), wanted.size(), name);
    if (!failed.isEmpty() || !unconfirmed.isEmpty()) {
      throw new TerminationException(name, terminated, failed, unconfirmed);
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
    return bind(policyTargetConfig).instanceIds();
  }

  Optional<List<String>> instanceIds(AwsAsgGroup bound) {
    // Terminating (with any hook state) and Terminated instances are going or gone, not live.
    return Optional.of(describeOne(bound.name()).instances().stream()
        .filter(i -> i.lifecycleStateAsString() == null || !i.lifecycleStateAsString().startsWith("Terminat"))
        .map(Instance::instanceId).toList());
  }

  /** Closes the SDK client; calling it again does nothing. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed.compareAndSet(false, true) && client != null) {
        client.close();
      }
    }
  }

  @Override
  public String toString() {
    return "AwsAsgTarget[" + config + "]";
  }

  // Waits for the termination activities; returns the instances whose activity succeeded, puts those
  // whose activity ended otherwise in failed and those AWS accepted but did not confirm in time (or
  // could not be asked about) in unconfirmed: their activity may still finish.
  private Set<String> awaitActivities(String name, Map<String, String> instanceByActivity,
      Map<String, String> failed, Map<String, String> unconfirmed) {
    Set<String> done = new LinkedHashSet<>();
    Map<String, String> pending = new LinkedHashMap<>(instanceByActivity);
    Map<String, String> lastState = new HashMap<>();
    long deadline = System.nanoTime() + config.operationTimeout().toNanos();
    while (!pending.isEmpty()) {
      List<Activity> activities;
      try {
        activities = activities(name, List.copyOf(pending.keySet()));
      } catch (TargetException e) {
        pending.forEach((activity, id) -> unconfirmed.put(id, "termination requested (activity " + activity
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
        pending.forEach((activity, id) -> unconfirmed.put(id, "termination activity " + activity + " still "
            + lastState.getOrDefault(activity, "unreported") + " after "
            + Durations.format(config.operationTimeout())));
        break;
      }
      try {
        Thread.sleep(Math.min(config.pollInterval().toMillis(), Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.forEach((activity, id) -> unconfirmed.put(id, "interrupted while waiting for termination "
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
            client().describeScalingActivitiesPaginator(b -> b.autoScalingGroupName(name).activityIds(chunk))
                .activities().forEach(out::add);
            return null;
          });
    }
    return out;
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
    AutoScalingGroup group = call("describe Auto Scaling group(s) " + name, () -> client()
        .describeAutoScalingGroups(b -> b.autoScalingGroupNames(name)).autoScalingGroups())
        .stream().filter(g -> name.equals(g.autoScalingGroupName())).findFirst().orElse(null);
    if (group == null) {
      throw new TargetException("Auto Scaling group " + name + " not found in " + where());
    }
    return group;
  }

  String where() {
    return "region " + config.region().orElse("(sdk default)")
        + config.endpoint().map(e -> " at " + e).orElse("");
  }

  <T> T call(String what, Supplier<T> request) {
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
