package dev.capstan.testkit;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The cluster Capstan's README scenario is about, served on loopback: Raspberry Pis (node class
 * {@value #PI_CLASS}) running a Nomad cluster that bursts into an AWS Auto Scaling group
 * ({@value #ASG}, node class {@value #CLOUD_CLASS}), with a web job whose load you set. A
 * {@link FakeNomad} and a {@link FakeAutoScaling} answer the real clients; {@link #step()} plays
 * what the machines and Nomad's scheduler would do between two looks:
 * <ol>
 *   <li>an instance the group launched registers a Nomad node ({@code initializing}, with
 *       {@code unique.platform.aws.instance-id}); after {@code bootSteps} steps it is {@code ready}
 *       (the EC2 user data in the blog post installs Tailscale, Consul and Nomad on boot);</li>
 *   <li>a node whose instance is gone goes {@code down} and its allocations are {@code lost}, unless
 *       it was purged already;</li>
 *   <li>a drain completes as soon as it is asked for: its node's allocations are migrated
 *       ({@link FakeNomad#migrate}) on a thread of this cluster right after the drain request is
 *       answered, and placed again by the next step;</li>
 *   <li>the job {@value #JOB}'s group {@value #GROUP} is placed to its count: missing allocations
 *       go to ready, eligible nodes with room, the Pis first, then the cloud nodes, oldest first
 *       ({@value #ALLOC_CPU_MHZ} MHz, {@value #ALLOC_MEMORY_MB} MiB each; what does not fit waits);
 *       surplus ones stop newest first;</li>
 *   <li>each running allocation reports its share of the demand as CPU use
 *       ({@code CpuStats.Percent} = share ÷ {@value #ALLOC_CPU_MHZ} MHz, at most 100).</li>
 * </ol>
 * The agent's own allocation (job {@code autoscaler}) runs on {@code rpi-1}, as the blog post runs
 * nomad-autoscaler as a Nomad job on the Pis; {@link #agentAllocationId()} is its id, for
 * {@code NOMAD_ALLOC_ID}. Thread-safe: every method holds this object's lock.
 */
public final class BurstCluster implements AutoCloseable {
  /** The Auto Scaling group's name, and the cloud nodes' class. */
  public static final String ASG = "hashistack-cloud";
  /** The cloud nodes' node class. */
  public static final String CLOUD_CLASS = "hashistack-cloud";
  /** The Raspberry Pis' node class. */
  public static final String PI_CLASS = "hashistack-rpi";
  /** The web job. */
  public static final String JOB = "web";
  /** The web job's task group. */
  public static final String GROUP = "frontend";
  /** How many Pis there are ({@code rpi-1} ...). */
  public static final int PIS = 4;
  /** CPU each web allocation reserves, in MHz. */
  public static final long ALLOC_CPU_MHZ = 1000;
  /** Memory each web allocation reserves, in MiB. */
  public static final long ALLOC_MEMORY_MB = 512;
  /** The attribute Nomad's AWS fingerprint sets. */
  static final String INSTANCE_ATTRIBUTE = "unique.platform.aws.instance-id";

  private final FakeNomad nomad;
  private final FakeAutoScaling aws = new FakeAutoScaling();
  private final LocalHttpServer nomadServer;
  private final LocalHttpServer awsServer;
  private final int bootSteps;
  private final String agentAllocation;
  /** Instance id to its node id, for every instance seen. */
  private final Map<String, String> nodeOfInstance = new LinkedHashMap<>();
  /** Booting node id to the steps it still needs. */
  private final Map<String, Integer> booting = new LinkedHashMap<>();
  /** Live web allocations, oldest first: allocation id to node id. */
  private final Map<String, String> web = new LinkedHashMap<>();
  private final List<String> down = new ArrayList<>();
  private final ExecutorService drainer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "burst-cluster-drainer");
    t.setDaemon(true);
    return t;
  });
  private double demandMhz;
  private int cloudNodes;

  private BurstCluster(Clock clock, int nomadPort, int awsPort, int bootSteps) {
    if (bootSteps < 1) {
      throw new IllegalArgumentException("bootSteps must be at least 1, but was " + bootSteps);
    }
    this.nomad = new FakeNomad(clock);
    this.bootSteps = bootSteps;
    for (int i = 1; i <= PIS; i++) {
      // A Raspberry Pi 4: four 1.5 GHz cores, 8 GB.
      nomad.addNode(FakeNomad.NodeSpec.of("rpi-" + i).withClass(PI_CLASS).withResources(6000, 7800, 100, 256));
    }
    agentAllocation = nomad.addAllocation("rpi-1", "default", "autoscaler", "autoscaler", 200, 256);
    nomad.addJob("default", JOB, Map.of(GROUP, 2L));
    nomad.setTaskResources("default", JOB, GROUP, "server", ALLOC_CPU_MHZ, ALLOC_MEMORY_MB);
    aws.group(ASG, 1);
    LocalHttpServer n = LocalHttpServer.start(nomadPort, nomad);
    try {
      this.awsServer = LocalHttpServer.start(awsPort, aws);
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
    this.nomadServer = n;
  }

  /**
   * Starts the cluster on the given loopback ports, with one cloud instance (the blog post's group
   * never went below one) and the web job at count 2; call {@link #step()} to let it boot.
   *
   * @param clock the time of Nomad's scaling events and statistics (the agent's clock in a test)
   * @param nomadPort the Nomad API's port, 0 for a free one (Nomad's own is 4646)
   * @param awsPort the Auto Scaling endpoint's port, 0 for a free one
   * @param bootSteps how many {@link #step()}s a new cloud node stays {@code initializing}, at least 1
   * @return the running cluster; close it to stop both servers
   * @throws java.io.UncheckedIOException if a port cannot be bound
   * @throws IllegalArgumentException if {@code bootSteps} is below 1
   */
  public static BurstCluster start(Clock clock, int nomadPort, int awsPort, int bootSteps) {
    return new BurstCluster(clock, nomadPort, awsPort, bootSteps);
  }

  /**
   * Returns the Nomad fake, to inspect or change beyond what {@link #step()} does.
   *
   * @return the fake
   */
  public FakeNomad nomad() {
    return nomad;
  }

  /**
   * Returns the Auto Scaling fake.
   *
   * @return the fake
   */
  public FakeAutoScaling autoScaling() {
    return aws;
  }

  /**
   * Returns the Nomad API's address, for {@code NOMAD_ADDR} or a {@code nomad {}} block.
   *
   * @return e.g. {@code http://127.0.0.1:4646}
   */
  public URI nomadAddress() {
    return nomadServer.uri();
  }

  /**
   * Returns the Auto Scaling endpoint, for {@code AWS_ENDPOINT_URL_AUTO_SCALING} or the aws-asg
   * target's {@code endpoint}.
   *
   * @return e.g. {@code http://127.0.0.1:4566}
   */
  public URI autoScalingEndpoint() {
    return awsServer.uri();
  }

  /**
   * Returns the id of the allocation the autoscaler itself runs in, on {@code rpi-1}.
   *
   * @return the allocation id, for {@code NOMAD_ALLOC_ID}
   */
  public String agentAllocationId() {
    return agentAllocation;
  }

  /**
   * Sets the CPU the web job's users ask for, in MHz; the next {@link #step()} spreads it over the
   * running allocations.
   *
   * @param mhz the demand, at least 0
   * @throws IllegalArgumentException if negative
   */
  public synchronized void setDemand(double mhz) {
    if (!(mhz >= 0)) {
      throw new IllegalArgumentException("demand must be at least 0 MHz, but was " + mhz);
    }
    demandMhz = mhz;
  }

  /**
   * Returns the web job's running allocations per node, for a look at where the work is.
   *
   * @return node id to count, in placement order
   */
  public synchronized Map<String, Integer> webAllocationsByNode() {
    Map<String, Integer> out = new LinkedHashMap<>();
    web.values().forEach(n -> out.merge(n, 1, Integer::sum));
    return out;
  }

  /**
   * Returns the node registered for an instance of the group.
   *
   * @param instanceId the instance
   * @return the node id, or {@code null} if none registered for it
   */
  public synchronized String nodeOf(String instanceId) {
    return nodeOfInstance.get(instanceId);
  }

  /**
   * Plays one round of machines booting and going, drains completing, placement and load; see the
   * class description for the order.
   */
  public synchronized void step() {
    // Nobody reads what the servers record, and a long run would keep it all.
    nomadServer.clearRequests();
    awsServer.clearRequests();
    bootAndRetire();
    place();
    report();
  }

  private void bootAndRetire() {
    List<String> instances;
    synchronized (aws) {
      instances = List.copyOf(aws.get(ASG).instances.keySet());
    }
    for (Map.Entry<String, Integer> b : List.copyOf(booting.entrySet())) {
      if (b.getValue() <= 1) {
        booting.remove(b.getKey());
        if (!nomad.describeNode(b.getKey()).equals("absent")) {
          nomad.setNodeStatus(b.getKey(), "ready");
        }
      } else {
        booting.put(b.getKey(), b.getValue() - 1);
      }
    }
    for (String instance : instances) {
      if (!nodeOfInstance.containsKey(instance)) {
        String node = "cloud-" + ++cloudNodes;
        nodeOfInstance.put(instance, node);
        // An EC2 instance with room for four web allocations (5000 MHz, 8 GiB).
        nomad.addNode(FakeNomad.NodeSpec.of(node).withClass(CLOUD_CLASS).withStatus("initializing")
            .withResources(5000, 8192, 100, 256).withAttribute(INSTANCE_ATTRIBUTE, instance));
        booting.put(node, bootSteps);
        // After the drain request is answered: the fake completes the future while it holds its lock.
        nomad.drainRequested(node).thenRunAsync(() -> migrate(node), drainer);
      }
    }
    nodeOfInstance.forEach((instance, node) -> {
      if (!instances.contains(instance) && !down.contains(node)) {
        down.add(node);
        booting.remove(node);
        if (!nomad.describeNode(node).equals("absent")) {
          nomad.setNodeStatus(node, "down");
        }
        web.entrySet().removeIf(a -> {
          if (a.getValue().equals(node)) {
            nomad.setAllocationClientStatus(a.getKey(), "lost");
            return true;
          }
          return false;
        });
      }
    });
  }

  private synchronized void migrate(String node) {
    if (nomad.describeNode(node).endsWith(" draining")) {
      nomad.migrate(node);
      web.values().removeIf(node::equals);
    }
  }

  private void place() {
    long want = nomad.count("default", JOB, GROUP);
    List<String> live = new ArrayList<>(web.keySet());
    for (int i = live.size() - 1; i >= 0 && web.size() > want; i--) {
      nomad.setAllocationClientStatus(live.get(i), "complete");
      web.remove(live.get(i));
    }
    for (String node : nodes()) {
      if (!nomad.describeNode(node).equals("ready eligible")) {
        continue;
      }
      long room = (capacity(node) - used(node)) / ALLOC_CPU_MHZ;
      for (; room > 0 && web.size() < want; room--) {
        web.put(nomad.addAllocation(node, "default", JOB, GROUP, ALLOC_CPU_MHZ, ALLOC_MEMORY_MB), node);
      }
    }
  }

  private void report() {
    if (web.isEmpty()) {
      return;
    }
    double share = demandMhz / web.size();
    double percent = Math.min(100, share * 100 / ALLOC_CPU_MHZ);
    for (String alloc : web.keySet()) {
      nomad.setAllocationStats(alloc, percent, percent * ALLOC_CPU_MHZ / 100, 256L << 20);
    }
  }

  /** Pis first, then cloud nodes oldest first; nodes that are gone are left out. */
  private List<String> nodes() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= PIS; i++) {
      out.add("rpi-" + i);
    }
    nodeOfInstance.values().stream().filter(n -> !down.contains(n)).forEach(out::add);
    return out;
  }

  private long capacity(String node) {
    return node.startsWith("rpi-") ? 6000 - 100 : 5000 - 100;
  }

  private long used(String node) {
    long n = web.values().stream().filter(node::equals).count();
    return n * ALLOC_CPU_MHZ + (node.equals("rpi-1") ? 200 : 0);
  }

  @Override
  public void close() {
    drainer.shutdownNow();
    try {
      nomadServer.close();
    } finally {
      awsServer.close();
    }
  }

  @Override
  public synchronized String toString() {
    return "BurstCluster[nomad=" + nomadAddress() + ", aws=" + autoScalingEndpoint() + ", web=" + webAllocationsByNode()
        + "]";
  }
}
