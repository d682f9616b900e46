package dev.capstan.testkit;

import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * A small, stateful AWS Auto Scaling service speaking the Query protocol (form-encoded request, XML
 * response), so a real SDK client can be tested against it: serve it with
 * {@code LocalHttpServer.start(fake)} and point the client's endpoint at the server.
 *
 * <p>Faithful to the API reference where the target depends on it: {@code DescribeAutoScalingGroups}
 * takes up to 50 names, or up to {@code MaxRecords} (at most 100) when that is larger, answers at most
 * {@code MaxRecords} groups per page (default 50) and pages with {@code NextToken}; without names it
 * describes every group. {@code DescribeScalingActivities} without a group name describes the
 * activities of every group, in-progress ones first, then newest first, at most {@code MaxRecords}
 * (default and maximum 100) per page, and takes up to 50 activity ids.
 * {@code DescribeInstanceRefreshes} needs a group name. Limits broken answer a
 * {@code ValidationError}; errors use the service's {@code ErrorResponse} XML. Only the five actions
 * a target needs are served; any other is an {@code InvalidAction} error.
 *
 * <p>Thread-safe: every request and every method here holds the fake's lock. Tests may also change a
 * {@link Group}'s public fields directly between calls.
 */
public final class FakeAutoScaling implements Function<RecordedRequest, Response> {

  /** The XML namespace of the 2011-01-01 Auto Scaling API. */
  public static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

  /** One Auto Scaling group; tests change its fields to set up a scenario. */
  public static final class Group {
    /** The group's name. */
    public final String name;
    /** Its desired capacity. */
    public int desired;
    /** Instance id to whether it is protected from scale-in, in launch order. */
    public final Map<String, Boolean> instances = new LinkedHashMap<>();
    /** Instance id to its lifecycle state; an instance not here is {@code InService}. */
    public final Map<String, String> lifecycle = new HashMap<>();
    /** The group's {@code Status} (such as {@code "Delete in progress"}), or null for none. */
    public String status;
    /** Suspended process name to the suspension reason. */
    public final Map<String, String> suspended = new LinkedHashMap<>();
    /** The group's scaling activities, newest first. */
    public final List<Activity> activities = new ArrayList<>();
    /** The group's instance refreshes as {@code {id, status}}, newest first. */
    public final List<String[]> refreshes = new ArrayList<>();
    /** Whether the group has a warm pool configured. */
    public boolean warmPool;
    /**
     * The warm pool's instances, id to lifecycle state ({@code Warmed:Stopped}, {@code Warmed:Pending},
     * ...). As in AWS, {@code DescribeAutoScalingGroups} does not list them among the group's
     * instances (only {@code DescribeWarmPool} would); they show in its {@code WarmPoolSize}.
     */
    public final Map<String, String> warmPoolInstances = new LinkedHashMap<>();

    Group(String name) {
      this.name = name;
    }
  }

  /** One scaling activity of a group. */
  public static final class Activity {
    /** Its id. */
    public final String id = UUID.randomUUID().toString();
    /** The name of its group. */
    public final String group;
    /** Its description. */
    public final String description;
    /** When it started. */
    public final Instant start;
    /** Its status code, such as {@code InProgress} or {@code Successful}. */
    public String statusCode;
    /** When it ended, or null while it runs. */
    public Instant end;
    /** Its status message, shown once it ended, or null. */
    public String statusMessage;
    int pollsLeft;
    String outcome = "Successful";

    /**
     * Creates an activity; add it to its group's {@link Group#activities}.
     *
     * @param group the name of its group
     * @param description what it does
     * @param start when it started
     * @param statusCode its status code
     */
    public Activity(String group, String description, Instant start, String statusCode) {
      this.group = group;
      this.description = description;
      this.start = start;
      this.statusCode = statusCode;
    }
  }

  private static final int DEFAULT_NAMES = 50;
  private static final int MAX_RECORDS = 100;
  private static final int MAX_ACTIVITY_IDS = 50;
  private static final Set<String> ACTIVITY_DONE = Set.of("Successful", "Failed", "Cancelled");

  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, Deque<Response>> scripted = new HashMap<>();
  private final Map<String, String> rejectTerminate = new HashMap<>();
  private final Set<String> failingActivities = new LinkedHashSet<>();
  private final Map<String, Integer> calls = new TreeMap<>();
  private int groupsPerPage = MAX_RECORDS;
  private int pollsBeforeDone = 1;
  private Instant now = Instant.parse("2026-11-25T12:00:00Z");

  /** Creates an empty service. */
  public FakeAutoScaling() {}

  /**
   * Creates (or replaces) a group with {@code desired} in-service instances named
   * {@code <name>-i-1}, {@code <name>-i-2}, ...
   *
   * @param name the group's name
   * @param desired its desired capacity and instance count
   * @return the group, to change further
   */
  public synchronized Group group(String name, int desired) {
    Group g = new Group(name);
    g.desired = desired;
    for (int i = 1; i <= desired; i++) {
      g.instances.put(name + "-i-" + i, false);
    }
    groups.put(name, g);
    return g;
  }

  /**
   * Returns a group.
   *
   * @param name the group's name
   * @return the group, or null when there is none
   */
  public synchronized Group get(String name) {
    return groups.get(name);
  }

  /**
   * Changes a group's desired capacity as someone other than the target would (the console, another
   * tool), recording a finished activity for it as AWS does.
   *
   * @param name the group's name
   * @param desired the new desired capacity
   * @return the activity recorded
   */
  public synchronized Activity setDesiredOutOfBand(String name, int desired) {
    Group g = groups.get(name);
    int from = g.desired;
    resize(g, desired);
    Activity a = new Activity(name, "a user request explicitly set group desired capacity changing the desired "
        + "capacity from " + from + " to " + desired, now, "Successful");
    a.end = now;
    g.activities.add(0, a);
    return a;
  }

  /**
   * Caps the groups per {@code DescribeAutoScalingGroups} page below {@code MaxRecords}, so small
   * values force {@code NextToken} paging.
   *
   * @param n groups per page, at least 1
   */
  public synchronized void groupsPerPage(int n) {
    groupsPerPage = n;
  }

  /**
   * Sets how many {@code DescribeScalingActivities} polls by activity id see a new termination
   * activity still in progress.
   *
   * @param n polls before it ends
   */
  public synchronized void pollsBeforeDone(int n) {
    pollsBeforeDone = n;
  }

  /**
   * Answers the next calls of {@code action} with these responses, before serving it normally.
   *
   * @param action the API action, such as {@code DescribeAutoScalingGroups}
   * @param responses the answers, in order
   */
  public synchronized void script(String action, Response... responses) {
    scripted.computeIfAbsent(action, a -> new ArrayDeque<>()).addAll(List.of(responses));
  }

  /**
   * Makes {@code TerminateInstanceInAutoScalingGroup} refuse this instance with a
   * {@code ValidationError}.
   *
   * @param instanceId the instance
   * @param message the error message
   */
  public synchronized void rejectTerminate(String instanceId, String message) {
    rejectTerminate.put(instanceId, message);
  }

  /**
   * Makes the termination activity of this instance end {@code Failed}.
   *
   * @param instanceId the instance
   */
  public synchronized void failTermination(String instanceId) {
    failingActivities.add(instanceId);
  }

  /**
   * Returns how many requests of each action arrived (scripted answers included).
   *
   * @return action name to count, sorted by name; a copy
   */
  public synchronized Map<String, Integer> calls() {
    return new TreeMap<>(calls);
  }

  /** Forgets the counts {@link #calls()} reports. */
  public synchronized void resetCalls() {
    calls.clear();
  }

  /**
   * Returns a service error in the Query protocol's XML.
   *
   * @param status the HTTP status
   * @param type {@code Sender} or {@code Receiver}
   * @param code the error code, such as {@code ValidationError}
   * @param message the error message
   * @return the response
   */
  public static Response error(int status, String type, String code, String message) {
    return Response.xml(status, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>" + type + "</Type><Code>"
        + code + "</Code><Message>" + esc(message) + "</Message></Error><RequestId>"
        + UUID.randomUUID() + "</RequestId></ErrorResponse>");
  }

  /**
   * Returns the error AWS answers when a caller exceeds its request rate.
   *
   * @return a 400 {@code Throttling} error
   */
  public static Response throttling() {
    return error(400, "Sender", "Throttling", "Rate exceeded");
  }

  /**
   * Serves one request.
   *
   * @param request the request as the server received it
   * @return the answer
   */
  @Override
  public synchronized Response apply(RecordedRequest request) {
    Map<String, String> p = request.formParams();
    String action = p.getOrDefault("Action", "");
    calls.merge(action, 1, Integer::sum);
    Deque<Response> queue = scripted.get(action);
    if (queue != null && !queue.isEmpty()) {
      return queue.poll();
    }
    now = now.plusSeconds(1);
    return switch (action) {
      case "DescribeAutoScalingGroups" -> describeGroups(p);
      case "SetDesiredCapacity" -> setDesired(p);
      case "TerminateInstanceInAutoScalingGroup" -> terminate(p);
      case "DescribeScalingActivities" -> describeActivities(p);
      case "DescribeInstanceRefreshes" -> describeRefreshes(p);
      default -> error(400, "Sender", "InvalidAction", "Could not find operation " + action);
    };
  }

  private static List<String> members(Map<String, String> p, String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 1; p.containsKey(prefix + ".member." + i); i++) {
      out.add(p.get(prefix + ".member." + i));
    }
    return out;
  }

  private static int maxRecords(Map<String, String> p, int defaultValue) {
    return Integer.parseInt(p.getOrDefault("MaxRecords", Integer.toString(defaultValue)));
  }

  private static Response maxRecordsError(int max) {
    return error(400, "Sender", "ValidationError",
        "1 validation error detected: Value at 'maxRecords' failed to satisfy constraint: Member must have value "
            + "less than or equal to " + max);
  }

  private Response describeGroups(Map<String, String> p) {
    List<String> names = members(p, "AutoScalingGroupNames");
    int maxRecords = maxRecords(p, DEFAULT_NAMES);
    if (maxRecords < 1 || maxRecords > MAX_RECORDS) {
      return maxRecordsError(MAX_RECORDS);
    }
    if (names.size() > Math.max(DEFAULT_NAMES, maxRecords)) {
      return error(400, "Sender", "ValidationError", "The number of Auto Scaling group names (" + names.size()
          + ") exceeds the limit of " + Math.max(DEFAULT_NAMES, maxRecords) + "; raise MaxRecords or send fewer names");
    }
    List<Group> matching = names.isEmpty() ? List.copyOf(groups.values())
        : names.stream().distinct().map(groups::get).filter(g -> g != null).toList();
    int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
    int to = Math.min(matching.size(), from + Math.min(groupsPerPage, maxRecords));
    StringBuilder xml = new StringBuilder("<AutoScalingGroups>");
    for (Group g : matching.subList(from, to)) {
      xml.append("<member><AutoScalingGroupName>").append(esc(g.name)).append("</AutoScalingGroupName>")
          .append("<AutoScalingGroupARN>arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/")
          .append(esc(g.name)).append("</AutoScalingGroupARN>")
          .append("<MinSize>0</MinSize><MaxSize>1000</MaxSize><DesiredCapacity>").append(g.desired)
          .append("</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>")
          .append("<AvailabilityZones><member>eu-west-1a</member></AvailabilityZones>")
          .append("<HealthCheckType>EC2</HealthCheckType><CreatedTime>2026-01-01T00:00:00.000Z</CreatedTime>")
          .append("<Instances>");
      g.instances.forEach((id, prot) -> xml.append("<member><InstanceId>").append(id)
          .append("</InstanceId><InstanceType>t3.micro</InstanceType><AvailabilityZone>eu-west-1a</AvailabilityZone>")
          .append("<LifecycleState>").append(g.lifecycle.getOrDefault(id, "InService"))
          .append("</LifecycleState><HealthStatus>Healthy</HealthStatus>")
          .append("<ProtectedFromScaleIn>").append(prot).append("</ProtectedFromScaleIn></member>"));
      xml.append("</Instances><SuspendedProcesses>");
      g.suspended.forEach((proc, why) -> xml.append("<member><ProcessName>").append(proc)
          .append("</ProcessName><SuspensionReason>").append(esc(why)).append("</SuspensionReason></member>"));
      xml.append("</SuspendedProcesses>");
      if (g.status != null) {
        xml.append("<Status>").append(esc(g.status)).append("</Status>");
      }
      if (g.warmPool) {
        xml.append("<WarmPoolConfiguration><MinSize>0</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>")
            .append("<WarmPoolSize>").append(g.warmPoolInstances.size()).append("</WarmPoolSize>");
      }
      xml.append("</member>");
    }
    xml.append("</AutoScalingGroups>");
    if (to < matching.size()) {
      xml.append("<NextToken>").append(to).append("</NextToken>");
    }
    return ok("DescribeAutoScalingGroups", xml.toString());
  }

  private Response setDesired(Map<String, String> p) {
    Group g = groups.get(p.get("AutoScalingGroupName"));
    if (g == null) {
      return error(400, "Sender", "ValidationError", "AutoScalingGroup name not found - " + p.get("AutoScalingGroupName"));
    }
    resize(g, Integer.parseInt(p.get("DesiredCapacity")));
    return ok("SetDesiredCapacity", null);
  }

  // Instances launch and go at once here: the fake models the API, not the time EC2 takes.
  private static void resize(Group g, int desired) {
    while (g.instances.size() < desired) {
      g.instances.put(g.name + "-i-" + UUID.randomUUID(), false);
    }
    List<String> ids = new ArrayList<>(g.instances.keySet());
    for (int i = ids.size() - 1; i >= 0 && g.instances.size() > desired; i--) {
      if (!g.instances.get(ids.get(i))) {
        g.instances.remove(ids.get(i));
        g.lifecycle.remove(ids.get(i));
      }
    }
    g.desired = desired;
  }

  private Response terminate(Map<String, String> p) {
    String id = p.get("InstanceId");
    if (rejectTerminate.containsKey(id)) {
      return error(400, "Sender", "ValidationError", rejectTerminate.get(id));
    }
    Group g = groups.values().stream().filter(x -> x.instances.containsKey(id)).findFirst().orElse(null);
    if (g == null) {
      return error(400, "Sender", "ValidationError", "Instance Id not found - No managed instance found for instance ID: " + id);
    }
    g.instances.remove(id);
    if (Boolean.parseBoolean(p.get("ShouldDecrementDesiredCapacity"))) {
      g.desired--;
    }
    Activity a = new Activity(g.name, "Terminating EC2 instance: " + id, now, "InProgress");
    a.pollsLeft = pollsBeforeDone;
    if (failingActivities.contains(id)) {
      a.outcome = "Failed";
      a.statusMessage = "Instance " + id + " could not be terminated: lifecycle hook abandoned";
    }
    g.activities.add(0, a);
    return ok("TerminateInstanceInAutoScalingGroup", "<Activity>" + activityXml(a) + "</Activity>");
  }

  private Response describeActivities(Map<String, String> p) {
    List<String> ids = members(p, "ActivityIds");
    if (ids.size() > MAX_ACTIVITY_IDS) {
      return error(400, "Sender", "ValidationError", "The list of requested activities cannot contain more than "
          + MAX_ACTIVITY_IDS + " items");
    }
    int max = maxRecords(p, MAX_RECORDS);
    if (max < 1 || max > MAX_RECORDS) {
      return maxRecordsError(MAX_RECORDS);
    }
    String name = p.get("AutoScalingGroupName");
    List<Activity> out = new ArrayList<>();
    for (Group g : name == null ? groups.values() : groups.containsKey(name) ? List.of(groups.get(name)) : List.<Group>of()) {
      for (Activity a : g.activities) {
        if (ids.isEmpty() || ids.contains(a.id)) {
          if (!ids.isEmpty() && a.end == null && a.pollsLeft-- <= 0) {
            a.statusCode = a.outcome;
            a.end = now;
          }
          out.add(a);
        }
      }
    }
    // As documented: sorted by start time, activities still in progress first.
    out.sort(Comparator.comparing((Activity a) -> ACTIVITY_DONE.contains(a.statusCode))
        .thenComparing(a -> a.start, Comparator.reverseOrder()));
    int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
    int to = Math.min(out.size(), from + max);
    StringBuilder xml = new StringBuilder("<Activities>");
    out.subList(from, to).forEach(a -> xml.append("<member>").append(activityXml(a)).append("</member>"));
    xml.append("</Activities>");
    if (to < out.size()) {
      xml.append("<NextToken>").append(to).append("</NextToken>");
    }
    return ok("DescribeScalingActivities", xml.toString());
  }

  private Response describeRefreshes(Map<String, String> p) {
    String name = p.get("AutoScalingGroupName");
    if (name == null) {
      return error(400, "Sender", "ValidationError", "1 validation error detected: Value null at "
          + "'autoScalingGroupName' failed to satisfy constraint: Member must not be null");
    }
    int max = maxRecords(p, 50);
    if (max < 1 || max > MAX_RECORDS) {
      return maxRecordsError(MAX_RECORDS);
    }
    Group g = groups.get(name);
    StringBuilder xml = new StringBuilder("<InstanceRefreshes>");
    if (g != null) {
      g.refreshes.stream().limit(max).forEach(r -> xml.append("<member><InstanceRefreshId>").append(r[0])
          .append("</InstanceRefreshId><AutoScalingGroupName>").append(esc(g.name))
          .append("</AutoScalingGroupName><Status>").append(r[1]).append("</Status></member>"));
    }
    return ok("DescribeInstanceRefreshes", xml.append("</InstanceRefreshes>").toString());
  }

  private static String activityXml(Activity a) {
    StringBuilder xml = new StringBuilder()
        .append("<ActivityId>").append(a.id).append("</ActivityId>")
        .append("<AutoScalingGroupName>").append(esc(a.group)).append("</AutoScalingGroupName>")
        .append("<Description>").append(esc(a.description)).append("</Description>")
        .append("<Cause>At ").append(a.start).append(" an instance was taken out of service.</Cause>")
        .append("<StartTime>").append(a.start).append("</StartTime>");
    if (a.end != null) {
      xml.append("<EndTime>").append(a.end).append("</EndTime>");
    }
    xml.append("<StatusCode>").append(a.statusCode).append("</StatusCode>")
        .append("<Progress>").append(a.end == null ? 50 : 100).append("</Progress>");
    if (a.statusMessage != null && a.end != null) {
      xml.append("<StatusMessage>").append(esc(a.statusMessage)).append("</StatusMessage>");
    }
    return xml.toString();
  }

  private static Response ok(String action, String result) {
    String body = "<" + action + "Response xmlns=\"" + NS + "\">"
        + (result == null ? "" : "<" + action + "Result>" + result + "</" + action + "Result>")
        + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></"
        + action + "Response>";
    return Response.xml(200, body);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
