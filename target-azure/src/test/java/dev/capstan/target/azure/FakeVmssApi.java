package dev.capstan.target.azure;

import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A stateful stand-in for the slice of the Azure Compute REST API (api-version 2025-04-01) the
 * target uses: scale sets, their Uniform instances, Flexible VMs, and long-running operations polled
 * through {@code Azure-AsyncOperation} or {@code Location}. Changes take effect when an operation
 * completes, so a caller that does not wait sees the old state.
 */
final class FakeVmssApi implements Function<RecordedRequest, Response> {
  static final String SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
  static final String LOCATION = "westeurope";

  /** How a long-running operation reports its progress. */
  enum Lro { ASYNC_OPERATION, LOCATION }

  private static final Pattern VMSS = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachineScaleSets/([^/]+)(/.*)?");
  private static final Pattern VMSS_LIST = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachineScaleSets");
  private static final Pattern VM = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines/([^/]+)");
  private static final Pattern VM_LIST = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines");
  private static final Pattern OPERATION = Pattern.compile(
      "/subscriptions/[^/]+/providers/Microsoft\\.Compute/locations/[^/]+/(operations|operationResults)/([^/]+)");
  private static final Pattern CAPACITY = Pattern.compile("\"capacity\"\\s*:\\s*(\\d+)");
  private static final Pattern INSTANCE_IDS = Pattern.compile("\"instanceIds\"\\s*:\\s*\\[([^\\]]*)\\]");

  private static final class ScaleSet {
    final String resourceGroup;
    final String name;
    final boolean flexible;
    String provisioningState = "Succeeded";
    long capacity;
    /** Instance id (Uniform) or VM name (Flexible) to whether it is protected from scale-in. */
    final Map<String, Boolean> instances = new TreeMap<>();
    /** Uniform instances protected from scale set actions (which Azure counts as scale-in protection too). */
    final Set<String> protectedFromActions = new HashSet<>();
    /** Instances (or Flexible VMs) whose deletion is under way: provisioningState Deleting. */
    final Set<String> deleting = new HashSet<>();
    int nextInstance;

    ScaleSet(String resourceGroup, String name, boolean flexible) {
      this.resourceGroup = resourceGroup;
      this.name = name;
      this.flexible = flexible;
    }

    String id() {
      return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + resourceGroup
          + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + name;
    }

    void resize(long target) {
      while (instances.size() < target) {
        String id = flexible ? name + "_" + Integer.toHexString(0xa000 + nextInstance++) : String.valueOf(nextInstance++);
        instances.put(id, false);
      }
      // Azure removes unprotected instances first on scale-in.
      List<String> removable = instances.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey)
          .collect(Collectors.toCollection(ArrayList::new));
      while (instances.size() > target && !removable.isEmpty()) {
        instances.remove(removable.remove(removable.size() - 1));
      }
      capacity = target;
    }
  }

  private static final class Operation {
    final Lro style;
    int pollsLeft;
    final Runnable onSuccess;
    final String failureCode;
    final String failureMessage;
    final String resultUrl;
    boolean finished;

    Operation(Lro style, int pollsLeft, Runnable onSuccess, String failureCode, String failureMessage,
        String resultUrl) {
      this.style = style;
      this.pollsLeft = pollsLeft;
      this.onSuccess = onSuccess;
      this.failureCode = failureCode;
      this.failureMessage = failureMessage;
      this.resultUrl = resultUrl;
    }
  }

  private final Map<String, ScaleSet> scaleSets = new LinkedHashMap<>();
  private final Map<String, Operation> operations = new LinkedHashMap<>();
  /** "resourceGroup/vmName" of VMs outside every modelled scale set, to the id of the scale set owning them. */
  private final Map<String, String> strayVms = new LinkedHashMap<>();
  private final Map<String, Deque<Response>> scripted = new LinkedHashMap<>();
  private String baseUrl = "http://127.0.0.1";
  private Lro lro = Lro.ASYNC_OPERATION;
  private int pollsBeforeDone = 1;
  private String failNextOperation;
  private boolean neverFinish;
  private int nextOperation;
  /** The most scale sets one page of a resource group's list holds. */
  private int scaleSetPageSize = 100;
  /** Resource groups that exist even without a scale set, lower case (Azure ignores their case). */
  private final Set<String> resourceGroups = new HashSet<>();

  synchronized FakeVmssApi baseUrl(String url) {
    this.baseUrl = url;
    return this;
  }

  /** Caps the scale sets one page of a resource group's list holds, so tests can make the client page. */
  synchronized FakeVmssApi scaleSetPageSize(int size) {
    this.scaleSetPageSize = size;
    return this;
  }

  synchronized FakeVmssApi addResourceGroup(String resourceGroup) {
    resourceGroups.add(resourceGroup.toLowerCase(java.util.Locale.ROOT));
    return this;
  }

  synchronized FakeVmssApi addUniform(String resourceGroup, String name, long capacity) {
    addResourceGroup(resourceGroup);
    ScaleSet s = new ScaleSet(resourceGroup, name, false);
    s.resize(capacity);
    scaleSets.put(name, s);
    return this;
  }

  synchronized FakeVmssApi addFlexible(String resourceGroup, String name, long capacity) {
    addResourceGroup(resourceGroup);
    ScaleSet s = new ScaleSet(resourceGroup, name, true);
    s.resize(capacity);
    scaleSets.put(name, s);
    return this;
  }

  /** Sets how operations started from now on report progress, and how many polls say "in progress". */
  synchronized FakeVmssApi lro(Lro style, int inProgressPolls) {
    this.lro = style;
    this.pollsBeforeDone = inProgressPolls;
    return this;
  }

  /** Makes the next operation end Failed with this error. */
  synchronized FakeVmssApi failNextOperation(String code, String message) {
    this.failNextOperation = code + "\u0000" + message;
    return this;
  }

  /** Makes operations started from now on stay in progress forever. */
  synchronized FakeVmssApi neverFinish() {
    this.neverFinish = true;
    return this;
  }

  /** Answers the next requests whose method and path match with these responses, in order. */
  synchronized FakeVmssApi script(String method, String pathSuffix, Response... responses) {
    scripted.computeIfAbsent(method + " " + pathSuffix, k -> new ArrayDeque<>()).addAll(List.of(responses));
    return this;
  }

  synchronized FakeVmssApi protect(String scaleSet, String instance) {
    scaleSets.get(scaleSet).instances.put(instance, true);
    return this;
  }

  /** Sets protectFromScaleSetActions (only) on a Uniform instance; a user's delete still removes it. */
  synchronized FakeVmssApi protectFromScaleSetActions(String scaleSet, String instance) {
    scaleSets.get(scaleSet).protectedFromActions.add(instance);
    return this;
  }

  /** Marks an instance (or Flexible VM) as being deleted: it is still listed, provisioningState Deleting. */
  synchronized FakeVmssApi deleting(String scaleSet, String instance) {
    scaleSets.get(scaleSet).deleting.add(instance);
    return this;
  }

  /** Adds a VM in {@code resourceGroup} that belongs to the scale set {@code ownerId}, which this fake does not model. */
  synchronized FakeVmssApi addStrayVm(String resourceGroup, String vmName, String ownerId) {
    strayVms.put(resourceGroup + "/" + vmName, ownerId);
    return this;
  }

  synchronized boolean hasStrayVm(String resourceGroup, String vmName) {
    return strayVms.containsKey(resourceGroup + "/" + vmName);
  }

  synchronized FakeVmssApi provisioningState(String scaleSet, String state) {
    scaleSets.get(scaleSet).provisioningState = state;
    return this;
  }

  synchronized long capacity(String scaleSet) {
    return scaleSets.get(scaleSet).capacity;
  }

  synchronized List<String> instances(String scaleSet) {
    return List.copyOf(scaleSets.get(scaleSet).instances.keySet());
  }

  static Response armError(int status, String code, String message) {
    return Response.json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
  }

  @Override
  public synchronized Response apply(RecordedRequest request) {
    for (Map.Entry<String, Deque<Response>> e : scripted.entrySet()) {
      String[] key = e.getKey().split(" ", 2);
      if (key[0].equals(request.method()) && request.path().endsWith(key[1]) && !e.getValue().isEmpty()) {
        return e.getValue().poll();
      }
    }
    if (!"2025-04-01".equals(request.queryParams().get("api-version"))) {
      return armError(400, "InvalidApiVersionParameter", "unexpected api-version " + request.rawQuery());
    }
    Matcher op = OPERATION.matcher(request.path());
    if (op.matches()) {
      return poll(op.group(2));
    }
    Matcher scaleSetList = VMSS_LIST.matcher(request.path());
    if (scaleSetList.matches() && request.method().equals("GET")) {
      return listScaleSets(request, scaleSetList.group(2));
    }
    Matcher list = VM_LIST.matcher(request.path());
    if (list.matches() && request.method().equals("GET")) {
      return listVirtualMachines(list.group(2));
    }
    Matcher vm = VM.matcher(request.path());
    if (vm.matches()) {
      return virtualMachine(request, vm.group(2), vm.group(3));
    }
    Matcher m = VMSS.matcher(request.path());
    if (!m.matches()) {
      return armError(400, "InvalidRequestUri", "no route for " + request.path());
    }
    ScaleSet s = scaleSets.get(m.group(3));
    if (s == null || !s.resourceGroup.equals(m.group(2))) {
      return armError(404, "ResourceNotFound", "The Resource 'Microsoft.Compute/virtualMachineScaleSets/"
          + m.group(3) + "' under resource group '" + m.group(2) + "' was not found.");
    }
    String rest = m.group(4) == null ? "" : m.group(4);
    if (rest.isEmpty() && request.method().equals("GET")) {
      // A PATCH answered 200 with only a Location header is polled through the resource itself.
      operations.values().stream().filter(o -> !o.finished && o.style == Lro.LOCATION && s.id().equals(o.resultUrl))
          .findFirst().ifPresent(FakeVmssApi::advance);
      return Response.json(200, scaleSetJson(s));
    }
    if (rest.isEmpty() && (request.method().equals("PATCH") || request.method().equals("PUT"))) {
      Matcher c = CAPACITY.matcher(request.body());
      if (!c.find()) {
        return armError(400, "InvalidParameter", "no sku.capacity in " + request.body());
      }
      long target = Long.parseLong(c.group(1));
      s.provisioningState = "Updating";
      return start(() -> {
        s.resize(target);
        s.provisioningState = "Succeeded";
      }, () -> s.provisioningState = "Failed", s.id(), scaleSetJson(s));
    }
    if (rest.equals("/delete") && request.method().equals("POST")) {
      Matcher ids = INSTANCE_IDS.matcher(request.body());
      if (!ids.find()) {
        return armError(400, "InvalidParameter", "no instanceIds in " + request.body());
      }
      List<String> wanted = List.of(ids.group(1).replace("\"", "").split("\\s*,\\s*"));
      for (String id : wanted) {
        if (!s.instances.containsKey(id)) {
          return armError(404, "NotFound", "instance " + id + " is not in " + s.name);
        }
        // In Flexible mode protection is an ARM lock on the VM, and a lock refuses the whole call.
        if (s.flexible && s.instances.get(id)) {
          String vmId = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + s.resourceGroup
              + "/providers/Microsoft.Compute/virtualMachines/" + id;
          return armError(409, "ScopeLocked", "The scope '" + vmId + "' cannot perform delete operation because "
              + "following scope(s) are locked: '" + vmId + "'.");
        }
      }
      return start(() -> {
        wanted.forEach(s.instances::remove);
        s.capacity -= wanted.size();
      }, () -> { }, null, "");
    }
    if (rest.equals("/virtualMachines") && request.method().equals("GET") && !s.flexible) {
      return listInstances(request, s);
    }
    if (rest.startsWith("/virtualMachines/") && request.method().equals("GET") && !s.flexible) {
      String instanceId = rest.substring("/virtualMachines/".length());
      Boolean prot = s.instances.get(instanceId);
      if (prot == null) {
        return armError(404, "NotFound", "The entity was not found in this Azure location.");
      }
      return Response.json(200, "{\"id\":\"" + s.id() + "/virtualMachines/" + instanceId + "\",\"name\":\""
          + s.name + "_" + instanceId + "\",\"instanceId\":\"" + instanceId + "\",\"location\":\"" + LOCATION
          + "\",\"properties\":{\"provisioningState\":\"Succeeded\",\"protectionPolicy\":{\"protectFromScaleIn\":"
          + prot + ",\"protectFromScaleSetActions\":" + s.protectedFromActions.contains(instanceId) + "}}}");
    }
    return armError(400, "InvalidRequest", "unsupported " + request.method() + " " + request.path());
  }

  /**
   * Lists a resource group's scale sets (Virtual Machine Scale Sets - List), {@link #scaleSetPageSize}
   * to a page linked by {@code nextLink}; an unknown resource group answers 404 ResourceGroupNotFound.
   */
  private Response listScaleSets(RecordedRequest request, String resourceGroup) {
    if (!resourceGroups.contains(resourceGroup.toLowerCase(java.util.Locale.ROOT))) {
      return armError(404, "ResourceGroupNotFound", "Resource group '" + resourceGroup + "' could not be found.");
    }
    List<ScaleSet> inGroup = scaleSets.values().stream()
        .filter(s -> s.resourceGroup.equalsIgnoreCase(resourceGroup)).toList();
    int from = Integer.parseInt(request.queryParams().getOrDefault("$skiptoken", "0"));
    int to = Math.min(inGroup.size(), from + scaleSetPageSize);
    String items = inGroup.subList(from, to).stream().map(FakeVmssApi::scaleSetJson).collect(Collectors.joining(","));
    String next = to < inGroup.size() ? ",\"nextLink\":\"" + baseUrl + request.path()
        + "?api-version=2025-04-01&$skiptoken=" + to + "\"" : "";
    return Response.json(200, "{\"value\":[" + items + "]" + next + "}");
  }

  /** Lists a Uniform scale set's instances two to a page, linked by {@code nextLink}. */
  private Response listInstances(RecordedRequest request, ScaleSet s) {
    List<String> ids = List.copyOf(s.instances.keySet());
    int from = Integer.parseInt(request.queryParams().getOrDefault("$skiptoken", "0"));
    int to = Math.min(ids.size(), from + 2);
    String items = ids.subList(from, to).stream().map(id -> "{\"id\":\"" + s.id() + "/virtualMachines/" + id
        + "\",\"name\":\"" + s.name + "_" + id + "\",\"instanceId\":\"" + id + "\",\"location\":\"" + LOCATION
        + "\",\"properties\":{\"provisioningState\":\"" + (s.deleting.contains(id) ? "Deleting" : "Succeeded")
        + "\"}}").collect(Collectors.joining(","));
    String next = to < ids.size() ? ",\"nextLink\":\"" + baseUrl + request.path() + "?api-version=2025-04-01&$skiptoken="
        + to + "\"" : "";
    return Response.json(200, "{\"value\":[" + items + "]" + next + "}");
  }

  /** Lists every VM in a resource group: the Flexible scale sets' members and one standalone VM. */
  private Response listVirtualMachines(String resourceGroup) {
    List<String> items = new ArrayList<>();
    String prefix = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Compute/virtualMachines/";
    for (ScaleSet s : scaleSets.values()) {
      if (s.flexible && s.resourceGroup.equals(resourceGroup)) {
        s.instances.keySet().forEach(vm -> items.add("{\"id\":\"" + prefix + vm + "\",\"name\":\"" + vm
            + "\",\"location\":\"" + LOCATION + "\",\"properties\":{\"provisioningState\":\""
            + (s.deleting.contains(vm) ? "Deleting" : "Succeeded") + "\",\"virtualMachineScaleSet\":{\"id\":\""
            + s.id() + "\"}}}"));
      }
    }
    items.add("{\"id\":\"" + prefix + "standalone-1\",\"name\":\"standalone-1\",\"location\":\"" + LOCATION
        + "\",\"properties\":{}}");
    return Response.json(200, "{\"value\":[" + String.join(",", items) + "]}");
  }

  private Response virtualMachine(RecordedRequest request, String resourceGroup, String vmName) {
    String strayOwner = strayVms.get(resourceGroup + "/" + vmName);
    if (strayOwner != null) {
      String strayId = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + resourceGroup
          + "/providers/Microsoft.Compute/virtualMachines/" + vmName;
      if (request.method().equals("DELETE")) {
        return start(() -> strayVms.remove(resourceGroup + "/" + vmName), () -> { }, null, "");
      }
      return Response.json(200, "{\"id\":\"" + strayId + "\",\"name\":\"" + vmName + "\",\"location\":\"" + LOCATION
          + "\",\"properties\":{\"provisioningState\":\"Succeeded\",\"virtualMachineScaleSet\":{\"id\":\""
          + strayOwner + "\"}}}");
    }
    ScaleSet owner = scaleSets.values().stream()
        .filter(s -> s.flexible && s.resourceGroup.equals(resourceGroup) && s.instances.containsKey(vmName))
        .findFirst().orElse(null);
    boolean standalone = vmName.startsWith("standalone");
    if (owner == null && !standalone) {
      return armError(404, "ResourceNotFound", "The Resource 'Microsoft.Compute/virtualMachines/" + vmName
          + "' under resource group '" + resourceGroup + "' was not found.");
    }
    String id = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Compute/virtualMachines/" + vmName;
    if (request.method().equals("GET")) {
      String membership = owner == null ? "" : ",\"virtualMachineScaleSet\":{\"id\":\"" + owner.id() + "\"}";
      return Response.json(200, "{\"id\":\"" + id + "\",\"name\":\"" + vmName + "\",\"location\":\"" + LOCATION
          + "\",\"properties\":{\"provisioningState\":\"Succeeded\"" + membership + "}}");
    }
    if (request.method().equals("DELETE") && owner != null) {
      if (owner.instances.get(vmName)) {
        return armError(409, "ScopeLocked", "The scope '" + id + "' cannot perform delete operation because "
            + "following scope(s) are locked: '" + id + "'.");
      }
      return start(() -> {
        owner.instances.remove(vmName);
        owner.capacity--;
      }, () -> { }, null, "");
    }
    return armError(400, "InvalidRequest", "unsupported " + request.method() + " " + request.path());
  }

  private Response start(Runnable onSuccess, Runnable onFailure, String resultUrl, String initialBody) {
    String id = "op-" + nextOperation++;
    String code = null;
    String message = null;
    if (failNextOperation != null) {
      String[] parts = failNextOperation.split("\u0000", 2);
      code = parts[0];
      message = parts[1];
      failNextOperation = null;
      Runnable fail = onFailure;
      onSuccess = fail;
    }
    operations.put(id, new Operation(lro, neverFinish ? Integer.MAX_VALUE : pollsBeforeDone, onSuccess, code,
        message, resultUrl));
    String operationsBase = baseUrl + "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Compute/locations/"
        + LOCATION;
    if (lro == Lro.ASYNC_OPERATION) {
      Response r = initialBody.isEmpty() ? new Response(202, Map.of(), "") : Response.json(200, initialBody);
      return r.withHeader("Azure-AsyncOperation", operationsBase + "/operations/" + id + "?api-version=2025-04-01");
    }
    // A scale set PATCH answers 200 (its only documented status) with the resource; actions answer 202.
    Response r = initialBody.isEmpty() ? new Response(202, Map.of(), "") : Response.json(200, initialBody);
    return r.withHeader("Location", operationsBase + "/operationResults/" + id + "?api-version=2025-04-01");
  }

  private Response poll(String id) {
    Operation op = operations.get(id);
    if (op == null) {
      return armError(404, "OperationNotFound", "no operation " + id);
    }
    if (op.pollsLeft > 0) {
      advance(op);
      return op.style == Lro.ASYNC_OPERATION
          ? Response.json(200, "{\"name\":\"" + id + "\",\"status\":\"InProgress\"}")
          : new Response(202, Map.of(), "").withHeader("Location", baseUrl + "/subscriptions/" + SUBSCRIPTION
              + "/providers/Microsoft.Compute/locations/" + LOCATION + "/operationResults/" + id
              + "?api-version=2025-04-01");
    }
    advance(op);
    if (op.failureCode != null) {
      String error = "{\"code\":\"" + op.failureCode + "\",\"message\":\"" + op.failureMessage + "\"}";
      return op.style == Lro.ASYNC_OPERATION
          ? Response.json(200, "{\"name\":\"" + id + "\",\"status\":\"Failed\",\"error\":" + error + "}")
          : Response.json(409, "{\"error\":" + error + "}");
    }
    if (op.style == Lro.ASYNC_OPERATION) {
      return Response.json(200, "{\"name\":\"" + id + "\",\"status\":\"Succeeded\"}");
    }
    return op.resultUrl == null ? new Response(204, Map.of(), "")
        : Response.json(200, scaleSetJson(scaleSets.values().stream().filter(s -> s.id().equals(op.resultUrl))
            .findFirst().orElseThrow()));
  }

  private static void advance(Operation op) {
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
    } else if (!op.finished) {
      op.finished = true;
      op.onSuccess.run();
    }
  }

  private static String scaleSetJson(ScaleSet s) {
    return "{\"id\":\"" + s.id() + "\",\"name\":\"" + s.name + "\",\"type\":\"Microsoft.Compute/virtualMachineScaleSets\","
        + "\"location\":\"" + LOCATION + "\",\"sku\":{\"name\":\"Standard_D2s_v3\",\"tier\":\"Standard\",\"capacity\":"
        + s.capacity + "},\"properties\":{\"provisioningState\":\"" + s.provisioningState
        + "\",\"orchestrationMode\":\"" + (s.flexible ? "Flexible" : "Uniform") + "\"}}";
  }

  /** Starts a local server over a fresh fake; the caller closes the server. */
  static LocalHttpServer serve(FakeVmssApi api) {
    LocalHttpServer server = LocalHttpServer.start(api);
    api.baseUrl(server.uri().toString());
    return server;
  }
}
