package dev.capstan.target.gcp;

import com.google.cloud.compute.v1.InstanceGroupManagersDeleteInstancesRequest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A stateful stand-in for the Compute Engine REST API's managed-instance-group methods, served by
 * {@link LocalHttpServer}: get, resize, deleteInstances, listManagedInstances, aggregatedList (name
 * filter, maxResults / pageToken paging, unreachable scopes) and zonal/regional operations get.
 * Answers the JSON shapes of {@code compute/v1}; faults can be queued and polls held.
 */
final class FakeComputeApi implements Function<RecordedRequest, Response> {
  private static final String BASE = "https://www.googleapis.com/compute/v1/";
  private static final Pattern MIG = Pattern.compile(
      "/compute/v1/projects/([^/]+)/(zones|regions)/([^/]+)/instanceGroupManagers/([^/]+)(?:/(\\w+))?");
  private static final Pattern OPERATION = Pattern.compile(
      "/compute/v1/projects/([^/]+)/(zones|regions)/([^/]+)/operations/([^/]+)");
  private static final Pattern AGGREGATED = Pattern.compile("/compute/v1/projects/([^/]+)/aggregated/instanceGroupManagers");
  private static final Pattern NAME_FILTER = Pattern.compile("name eq \"(.*)\"");


  /** One group: its scope is {@code zones/<zone>} or {@code regions/<region>}. */
  static final class Mig {
    final String project;
    final String scope;
    final String name;
    final List<String> instances = new ArrayList<>();
    /** Instance path to its lastAttempt error {code, message}; none when absent. */
    final Map<String, String[]> lastAttemptErrors = new ConcurrentHashMap<>();
    /** Instance path to its currentAction; NONE when absent. */
    final Map<String, String> currentActions = new ConcurrentHashMap<>();
    volatile int targetSize;
    volatile boolean stable = true;
    /** currentActions.creating, reported while the group is not stable. */
    volatile int creating;

    Mig(String project, String scope, String name) {
      this.project = project;
      this.scope = scope;
      this.name = name;
    }

    String path() {
      return "projects/" + project + "/" + scope + "/instanceGroupManagers/" + name;
    }
  }

  private record Op(String name, String scope, String project, String target, String type, int pollsUntilDone,
      String errorCode, String errorMessage, AtomicInteger polls) {}

  private record Fault(Predicate<RecordedRequest> matches, int status, String message, AtomicInteger remaining) {}

  private final Map<String, Mig> migs = new ConcurrentHashMap<>();
  private final Map<String, Op> operations = new ConcurrentHashMap<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final AtomicInteger operationIds = new AtomicInteger();
  private volatile int pollsUntilDone = 1;
  private volatile CountDownLatch heldPolls;
  /** The most groups one aggregated-list page holds, below the 500 a request may ask for. */
  private volatile int pageSize = 500;
  private final Set<String> unreachableScopes = ConcurrentHashMap.newKeySet();
  private volatile String[] nextOperationError;

  /**
   * Adds a group with instances {@code <name>-1 .. <name>-count}; in a region they alternate zones
   * {@code <region>-a} and {@code <region>-b}.
   */
  Mig addGroup(String project, String scope, String name, int count) {
    Mig mig = new Mig(project, scope, name);
    resize(mig, count);
    migs.put(mig.path(), mig);
    return mig;
  }

  Mig group(String project, String scope, String name) {
    return migs.get("projects/" + project + "/" + scope + "/instanceGroupManagers/" + name);
  }

  /** How many polls of each new operation answer RUNNING before one answers DONE. */
  void pollsUntilDone(int polls) {
    this.pollsUntilDone = polls;
  }

  /** Caps the groups an aggregated-list page holds, so tests can make the client page. */
  void pageSize(int groups) {
    this.pageSize = groups;
  }

  /**
   * Makes aggregated lists (with returnPartialSuccess) leave out this scope's groups and name the
   * scope in {@code unreachables} and in a warning, as Compute Engine does for a zone it cannot reach.
   */
  void unreachable(String scope) {
    unreachableScopes.add(scope);
  }

  /**
   * Makes every operation poll from now on wait, unanswered, until the returned latch is counted
   * down: a client's per-request deadline then expires on each poll.
   */
  CountDownLatch holdPolls() {
    CountDownLatch latch = new CountDownLatch(1);
    heldPolls = latch;
    return latch;
  }

  /**
   * Makes the next deleteInstances end in error part-way, as Compute Engine's can: the instances in
   * {@code deleted} go, each in {@code errors} stays with that last-attempt error, the rest stay.
   */
  void failNextDeletePartway(String code, String message, List<String> deleted, Map<String, String[]> errors) {
    this.nextOperationError = new String[] {code, message};
    this.partialDelete = new Object[] {deleted, errors};
  }

  private volatile Object[] partialDelete;

  /** Makes the next operation end in error with this code and message, changing nothing. */
  void failNextOperation(String code, String message) {
    this.nextOperationError = new String[] {code, message};
  }

  /** Answers the next {@code times} requests with this method and path suffix with an error. */
  void fail(String method, String pathSuffix, int status, String message, int times) {
    faults.add(new Fault(r -> r.method().equals(method) && r.path().endsWith(pathSuffix), status, message,
        new AtomicInteger(times)));
  }

  @Override
  public Response apply(RecordedRequest request) {
    for (Fault fault : faults) {
      if (fault.matches().test(request) && fault.remaining().getAndDecrement() > 0) {
        return error(fault.status(), fault.message());
      }
    }
    Matcher m = OPERATION.matcher(request.path());
    if (m.matches() && request.method().equals("GET")) {
      CountDownLatch held = heldPolls;
      if (held != null) {
        try {
          held.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return pollOperation(m.group(4));
    }
    m = AGGREGATED.matcher(request.path());
    if (m.matches() && request.method().equals("GET")) {
      return aggregated(m.group(1), request.queryParams());
    }
    m = MIG.matcher(request.path());
    if (!m.matches()) {
      return error(400, "the fake does not serve " + request.method() + " " + request.path());
    }
    String scope = m.group(2) + "/" + m.group(3);
    Mig mig = group(m.group(1), scope, m.group(4));
    if (mig == null) {
      return error(404, "The resource 'projects/" + m.group(1) + "/" + scope + "/instanceGroupManagers/"
          + m.group(4) + "' was not found");
    }
    String verb = m.group(5) == null ? "" : m.group(5);
    return switch (request.method() + " " + verb) {
      case "GET " -> Response.json(200, migJson(mig));
      case "POST resize" -> startOperation(mig, "resize",
          () -> resize(mig, Integer.parseInt(request.queryParams().get("size"))));
      case "POST deleteInstances" -> deleteInstances(mig, request.body());
      case "POST listManagedInstances" -> Response.json(200, managedInstancesJson(mig));
      default -> error(400, "the fake does not serve " + request.method() + " " + request.path());
    };
  }

  private Response deleteInstances(Mig mig, String body) {
    InstanceGroupManagersDeleteInstancesRequest.Builder parsed = InstanceGroupManagersDeleteInstancesRequest.newBuilder();
    try {
      JsonFormat.parser().merge(body, parsed);
    } catch (InvalidProtocolBufferException e) {
      return error(400, "Invalid JSON payload received. " + e.getMessage());
    }
    synchronized (mig) {
      for (String url : parsed.getInstancesList()) {
        if (!mig.instances.contains(url)) {
          return error(400, "Instance '" + url + "' is not a member of " + mig.path());
        }
      }
    }
    Object[] partial = partialDelete;
    partialDelete = null;
    if (partial != null) {
      @SuppressWarnings("unchecked")
      List<String> deleted = (List<String>) partial[0];
      @SuppressWarnings("unchecked")
      Map<String, String[]> errors = (Map<String, String[]>) partial[1];
      synchronized (mig) {
        mig.instances.removeAll(deleted);
        mig.targetSize = mig.instances.size();
        mig.lastAttemptErrors.putAll(errors);
      }
    }
    return startOperation(mig, "deleteInstances", () -> {
      synchronized (mig) {
        mig.instances.removeAll(parsed.getInstancesList());
        mig.targetSize = mig.instances.size();
      }
    });
  }

  private Response startOperation(Mig mig, String type, Runnable change) {
    String[] error = nextOperationError;
    nextOperationError = null;
    if (error == null) {
      change.run();
    }
    String name = "operation-" + operationIds.incrementAndGet();
    Op op = new Op(name, mig.scope, mig.project, mig.path(), type, pollsUntilDone,
        error == null ? null : error[0], error == null ? null : error[1], new AtomicInteger());
    operations.put(name, op);
    return Response.json(200, operationJson(op, false));
  }

  private Response pollOperation(String name) {
    Op op = operations.get(name);
    if (op == null) {
      return error(404, "The resource 'operations/" + name + "' was not found");
    }
    return Response.json(200, operationJson(op, op.polls().incrementAndGet() >= op.pollsUntilDone()));
  }

  /**
   * Serves {@code aggregated/instanceGroupManagers}: groups of every zone and region, filtered by
   * {@code name eq "<RE2>"}, at most {@code maxResults} (default and cap 500) a page, in a stable
   * order, with an opaque {@code nextPageToken}. Scopes without groups on a page carry the
   * {@code NO_RESULTS_ON_PAGE} warning.
   */
  private Response aggregated(String project, Map<String, String> query) {
    Matcher f = NAME_FILTER.matcher(query.getOrDefault("filter", ""));
    if (query.containsKey("filter") && !f.matches()) {
      return error(400, "Invalid value for field 'filter': '" + query.get("filter") + "'. Invalid list filter expression.");
    }
    Pattern names = Pattern.compile(f.matches() ? f.group(1) : ".*");
    int maxResults = Math.min(pageSize, Integer.parseInt(query.getOrDefault("maxResults", "500")));
    int from = query.getOrDefault("pageToken", "").isEmpty() ? 0 : Integer.parseInt(query.get("pageToken").substring(5));
    boolean partial = Boolean.parseBoolean(query.getOrDefault("returnPartialSuccess", "false"));
    if (!partial && !unreachableScopes.isEmpty()) {
      return error(503, "The zone '" + unreachableScopes.iterator().next() + "' is unavailable");
    }
    List<Mig> matching = migs.values().stream()
        .filter(mig -> mig.project.equals(project) && names.matcher(mig.name).matches()
            && !unreachableScopes.contains(mig.scope))
        .sorted(Comparator.comparing((Mig mig) -> mig.scope).thenComparing(mig -> mig.name))
        .toList();
    List<Mig> page = matching.subList(Math.min(from, matching.size()), Math.min(from + maxResults, matching.size()));
    Map<String, List<Mig>> byScope = page.stream()
        .collect(Collectors.groupingBy(mig -> mig.scope, LinkedHashMap::new, Collectors.toList()));
    List<String> items = new ArrayList<>();
    byScope.forEach((scope, list) -> items.add("\"" + scope + "\": {\"instanceGroupManagers\": ["
        + list.stream().map(FakeComputeApi::migJson).collect(Collectors.joining(",")) + "]}"));
    // Scopes without groups answer with a warning, as Compute Engine does.
    items.add("\"zones/europe-west1-b\": {\"warning\": {\"code\": \"NO_RESULTS_ON_PAGE\","
        + " \"message\": \"There are no results for scope 'zones/europe-west1-b' on this page.\"}}");
    for (String scope : unreachableScopes) {
      items.add("\"" + scope + "\": {\"warning\": {\"code\": \"UNREACHABLE\", \"message\": \"" + scope
          + " is unreachable.\"}}");
    }
    String next = from + maxResults < matching.size() ? ", \"nextPageToken\": \"page-" + (from + maxResults) + "\"" : "";
    String unreachables = unreachableScopes.isEmpty() ? "" : ", \"unreachables\": [" + unreachableScopes.stream()
        .map(scope -> "\"" + scope + "\"").collect(Collectors.joining(",")) + "]";
    return Response.json(200, "{\"kind\": \"compute#instanceGroupManagerAggregatedList\", \"id\": \"projects/"
        + project + "/aggregated/instanceGroupManagers\", \"items\": {" + String.join(",", items) + "}" + next
        + unreachables + ", \"selfLink\": \"" + BASE + "projects/" + project + "/aggregated/instanceGroupManagers\"}");
  }

  private static void resize(Mig mig, int size) {
    synchronized (mig) {
      int next = mig.instances.size() + 1;
      while (mig.instances.size() < size) {
        String zone = mig.scope.startsWith("zones/") ? mig.scope.substring(6)
            : mig.scope.substring(8) + (next % 2 == 1 ? "-a" : "-b");
        mig.instances.add("zones/" + zone + "/instances/" + mig.name + "-" + next++);
      }
      while (mig.instances.size() > size) {
        mig.instances.remove(mig.instances.size() - 1);
      }
      mig.targetSize = size;
    }
  }

  private static String migJson(Mig mig) {
    String location = mig.scope.startsWith("zones/") ? "zone" : "region";
    return "{\"kind\": \"compute#instanceGroupManager\", \"id\": \"" + Math.abs(mig.path().hashCode())
        + "\", \"name\": \"" + mig.name + "\", \"" + location + "\": \"" + BASE + "projects/" + mig.project + "/"
        + mig.scope + "\", \"baseInstanceName\": \"" + mig.name + "\", \"targetSize\": " + mig.targetSize
        + ", \"status\": {\"isStable\": " + mig.stable + ", \"versionTarget\": {\"isReached\": true}},"
        + " \"currentActions\": {\"none\": " + (mig.targetSize - mig.creating) + ", \"creating\": " + mig.creating
        + "}, \"selfLink\": \"" + BASE + mig.path() + "\"}";
  }

  private static String managedInstancesJson(Mig mig) {
    synchronized (mig) {
      return "{\"managedInstances\": [" + mig.instances.stream()
          .map(path -> "{\"instance\": \"" + BASE + "projects/" + mig.project + "/" + path
              + "\", \"instanceStatus\": \"RUNNING\", \"currentAction\": \""
              + mig.currentActions.getOrDefault(path, "NONE") + "\""
              + (mig.lastAttemptErrors.containsKey(path) ? ", \"lastAttempt\": {\"errors\": {\"errors\": [{\"code\": \""
                  + mig.lastAttemptErrors.get(path)[0] + "\", \"message\": \"" + mig.lastAttemptErrors.get(path)[1]
                  + "\"}]}}" : "")
              + "}")
          .collect(Collectors.joining(",")) + "]}";
    }
  }

  private static String operationJson(Op op, boolean done) {
    String location = op.scope().startsWith("zones/") ? "zone" : "region";
    StringBuilder json = new StringBuilder("{\"kind\": \"compute#operation\", \"id\": \"" + op.name().hashCode()
        + "\", \"name\": \"" + op.name() + "\", \"" + location + "\": \"" + BASE + "projects/" + op.project() + "/"
        + op.scope() + "\", \"operationType\": \"" + op.type() + "\", \"targetLink\": \"" + BASE + op.target()
        + "\", \"status\": \"" + (done ? "DONE" : "RUNNING") + "\", \"progress\": " + (done ? 100 : 0)
        + ", \"selfLink\": \"" + BASE + "projects/" + op.project() + "/" + op.scope() + "/operations/" + op.name() + "\"");
    if (done && op.errorCode() != null) {
      json.append(", \"error\": {\"errors\": [{\"code\": \"").append(op.errorCode()).append("\", \"message\": \"")
          .append(op.errorMessage()).append("\"}]}, \"httpErrorStatusCode\": 400, \"httpErrorMessage\": \"BAD REQUEST\"");
    }
    return json.append('}').toString();
  }

  private static Response error(int status, String message) {
    String reason = switch (status) {
      case 404 -> "notFound";
      case 429 -> "rateLimitExceeded";
      case 503 -> "backendError";
      default -> "invalid";
    };
    return Response.json(status, "{\"error\": {\"code\": " + status + ", \"message\": \"" + message
        + "\", \"errors\": [{\"message\": \"" + message + "\", \"domain\": \"global\", \"reason\": \"" + reason + "\"}]}}");
  }
}
