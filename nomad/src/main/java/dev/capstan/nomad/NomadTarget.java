package dev.capstan.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Target} over a Nomad job's task group count, as nomad-autoscaler's {@code nomad-target}.
 *
 * <p>A policy's target block names {@code Job}, {@code Group} and optionally {@code Namespace}
 * (capitalised, as nomad-autoscaler; default: the first configured namespace, else {@code default}).
 * Status reads {@code GET /v1/job/:id/scale} and {@code GET /v1/job/:id/deployment}: the count is the
 * group's <em>desired</em> count (nomad-autoscaler reports the running count), and the group is not
 * ready while the job is stopped or the latest deployment is active (running, paused, pending,
 * blocked, unblocking, initializing). {@link TargetStatus#META_LAST_EVENT} is the newest scaling
 * event's time in epoch ms (Nomad sends ns). Scale sends {@code POST /v1/job/:id/scale} with
 * {@code Count}, {@code Target.Group}, {@code Message} = the action's reason and {@code Meta}.
 */
final class NomadTarget implements Target {
  static final String JOB = "Job";
  static final String GROUP = "Group";
  static final String NAMESPACE = "Namespace";
  private static final Set<String> ACTIVE = Set.of("running", "paused", "pending", "blocked", "unblocking",
      "initializing");

  private final NomadClient client;

  NomadTarget(NomadClient client) {
    this.client = client;
  }

  @Override
  public TargetGroup bind(Map<String, String> policyTargetConfig) {
    ConfigReader r = ConfigReader.of(policyTargetConfig, "nomad target");
    String job = r.requiredString(JOB);
    String group = r.requiredString(GROUP);
    String ns = r.string(NAMESPACE, client.config().namespaces().stream().filter(n -> !n.equals("*")).findFirst()
        .orElse("default"));
    r.rejectUnknownKeys();
    r.validate();
    return new JobGroup(ns, job, group);
  }

  @Override
  public TargetStatus status(Map<String, String> policyTargetConfig) {
    return bind(policyTargetConfig).status();
  }

  @Override
  public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
    bind(policyTargetConfig).scale(action);
  }

  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    List<GroupStatus> out = new ArrayList<>(groups.size());
    for (TargetGroup g : groups) {
      try {
        out.add(GroupStatus.of(g.status()));
      } catch (RuntimeException e) {
        out.add(GroupStatus.failed(e));
      }
    }
    return out;
  }

  @Override
  public void close() {
    // nothing to release: java.net.http's client has no close in Java 17
  }

  /** One bound task group. */
  private final class JobGroup implements TargetGroup {
    private final String namespace;
    private final String job;
    private final String group;

    JobGroup(String namespace, String job, String group) {
      this.namespace = namespace;
      this.job = job;
      this.group = group;
    }

    @Override
    public String id() {
      return "nomad:" + namespace + "/" + job + "/" + group;
    }

    private String name() {
      return "task group " + job + "/" + group + " (namespace " + namespace + ")";
    }

    private String path(String sub) {
      return "/v1/job/" + java.net.URLEncoder.encode(job, java.nio.charset.StandardCharsets.UTF_8) + sub;
    }

    @Override
    public TargetStatus status() {
      JsonNode scale;
      JsonNode deployment;
      try {
        scale = client.get(path("/scale"), Map.of("namespace", namespace)).body();
        deployment = client.get(path("/deployment"), Map.of("namespace", namespace)).body();
      } catch (NomadApiException e) {
        throw new TargetException("could not read " + name() + ": " + e.getMessage(), e);
      }
      JsonNode tg = scale.path("TaskGroups").path(group);
      if (tg.isMissingNode() || tg.isNull()) {
        throw new TargetException(name() + " does not exist: job " + job + " has no group " + group);
      }
      Map<String, String> meta = new LinkedHashMap<>();
      JsonNode events = tg.path("Events");
      if (events.isArray() && events.size() > 0) {
        meta.put(TargetStatus.META_LAST_EVENT, Long.toString(events.get(0).path("Time").asLong() / 1_000_000L));
      }
      boolean ready = true;
      if (scale.path("JobStopped").asBoolean(false)) {
        ready = false;
        meta.put(TargetStatus.META_NOT_READY_REASON, "job " + job + " is stopped");
      } else if (deployment.isObject() && ACTIVE.contains(deployment.path("Status").asText(""))) {
        ready = false;
        meta.put(TargetStatus.META_NOT_READY_REASON, "deployment " + deployment.path("ID").asText() + " of job " + job
            + " is " + deployment.path("Status").asText());
      }
      return new TargetStatus(ready, Math.max(0, tg.path("Desired").asLong()), meta);
    }

    @Override
    public void scale(ScalingAction action) {
      if (action.dryRun()) {
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Count", action.count());
      body.put("Target", Map.of("Group", group));
      body.put("Message", action.reason());
      body.put("Error", false);
      body.put("Meta", action.meta());
      try {
        client.write("POST", path("/scale"), Map.of("namespace", namespace), body);
      } catch (NomadApiException e) {
        throw new TargetException("could not scale " + name() + " to " + action.count() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String toString() {
      return id();
    }
  }
}
