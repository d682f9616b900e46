package dev.capstan.target.aws;

import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A small, stateful Auto Scaling service speaking the Query protocol (form-encoded request, XML
 * response), so the real SDK client can be tested against it. Test code only; only the five
 * actions the target uses are served, anything else is an {@code InvalidAction} error.
 */
final class FakeAutoScaling implements Function<RecordedRequest, Response> {
  static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

  static final class Group {
    final String name;
    int desired;
    final Map<String, Boolean> instances = new LinkedHashMap<>(); // id -> protected from scale-in
    final Map<String, String> lifecycle = new HashMap<>(); // id -> lifecycle state, InService when absent
    String status;
    final Map<String, String> suspended = new LinkedHashMap<>(); // process -> reason
    final List<Activity> activities = new ArrayList<>(); // newest first
    final List<String[]> refreshes = new ArrayList<>(); // {id, status}

    Group(String name) {
      this.name = name;
    }
  }

  static final class Activity {
    final String id = UUID.randomUUID().toString();
    final String group;
    final String description;
    final Instant start;
    String statusCode;
    Instant end;
    String statusMessage;
    int pollsLeft;
    String outcome = "Successful";

    Activity(String group, String description, Instant start, String statusCode) {
      this.group = group;
      this.description = description;
      this.start = start;
      this.statusCode = statusCode;
    }
  }

  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, Deque<Response>> scripted = new HashMap<>();
  private final Map<String, String> rejectTerminate = new HashMap<>();
  private final Set<String> failingActivities = new LinkedHashSet<>();
  private int groupsPerPage = 100;
  private int pollsBeforeDone = 1;
  private Instant now = Instant.parse("2026-11-25T12:00:00Z");

  synchronized Group group(String name, int desired) {
    Group g = new Group(name);
    g.desired = desired;
    for (int i = 1; i <= desired; i++) {
      g.instances.put(name + "-i-" + i, false);
    }
    groups.put(name, g);
    return g;
  }

  synchronized Group get(String name) {
    return groups.get(name);
  }

  /** Groups per DescribeAutoScalingGroups page, so small values force NextToken paging. */
  synchronized void groupsPerPage(int n) {
    groupsPerPage = n;
  }

  /** How many DescribeScalingActivities polls see a new termination activity still in progress. */
  synchronized void pollsBeforeDone(int n) {
    pollsBeforeDone = n;
  }

  /** Answers the next calls of {@code action} with these responses, before serving it normally. */
  synchronized void script(String action, Response... responses) {
    scripted.computeIfAbsent(action, a -> new ArrayDeque<>()).addAll(List.of(responses));
  }

  /** Makes TerminateInstanceInAutoScalingGroup refuse this instance with a ValidationError. */
  synchronized void rejectTerminate(String instanceId, String message) {
    rejectTerminate.put(instanceId, message);
  }

  /** Makes the termination activity of this instance end Failed. */
  synchronized void failTermination(String instanceId) {
    failingActivities.add(instanceId);
  }

  static Response error(int status, String type, String code, String message) {
    return Response.xml(status, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>" + type + "</Type><Code>"
        + code + "</Code><Message>" + esc(message) + "</Message></Error><RequestId>"
        + UUID.randomUUID() + "</RequestId></ErrorResponse>");
  }

  static Response throttling() {
    return error(400, "Sender", "Throttling", "Rate exceeded");
  }

  @Override
  public synchronized Response apply(RecordedRequest request) {
    Map<String, String> p = request.formParams();
    String action = p.getOrDefault("Action", "");
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

  private Response describeGroups(Map<String, String> p) {
    List<Group> matching = members(p, "AutoScalingGroupNames").stream()
        .map(groups::get).filter(g -> g != null).toList();
    int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
    int pageSize = Math.min(groupsPerPage, Integer.parseInt(p.getOrDefault("MaxRecords", "50")));
    int to = Math.min(matching.size(), from + pageSize);
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
    int desired = Integer.parseInt(p.get("DesiredCapacity"));
    while (g.instances.size() < desired) {
      g.instances.put(g.name + "-i-" + UUID.randomUUID(), false);
    }
    g.desired = desired;
    return ok("SetDesiredCapacity", null);
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
    List<Activity> out = new ArrayList<>();
    Group g = groups.get(p.get("AutoScalingGroupName"));
    if (g != null) {
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
    int max = Integer.parseInt(p.getOrDefault("MaxRecords", "100"));
    StringBuilder xml = new StringBuilder("<Activities>");
    out.stream().limit(max).forEach(a -> xml.append("<member>").append(activityXml(a)).append("</member>"));
    return ok("DescribeScalingActivities", xml.append("</Activities>").toString());
  }

  private Response describeRefreshes(Map<String, String> p) {
    Group g = groups.get(p.get("AutoScalingGroupName"));
    StringBuilder xml = new StringBuilder("<InstanceRefreshes>");
    if (g != null) {
      for (String[] r : g.refreshes) {
        xml.append("<member><InstanceRefreshId>").append(r[0]).append("</InstanceRefreshId><AutoScalingGroupName>")
            .append(esc(g.name)).append("</AutoScalingGroupName><Status>").append(r[1]).append("</Status></member>");
      }
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
