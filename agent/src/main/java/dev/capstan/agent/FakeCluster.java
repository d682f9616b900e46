package dev.capstan.agent;

import dev.capstan.engine.Scheduler;
import dev.capstan.testkit.BurstCluster;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code capstan fake-cluster} runs: the README's cluster ({@link BurstCluster}: four Pis and an
 * Auto Scaling group on loopback) with a web load that rises and falls on a cycle, so an agent run
 * against it shows a burst and a scale-in. Every second the load is set from the cycle and the
 * cluster plays a round (boots, drains, placement, statistics); a line is printed whenever the
 * cluster's shape changes. The clock and scheduler are injectable, so a test drives it on manual time.
 */
final class FakeCluster implements AutoCloseable {
  /** How often the cluster plays a round. */
  static final Duration ROUND = Duration.ofSeconds(1);
  /** The web job's demand while quiet: the Pis cope. */
  static final double QUIET_MHZ = 6000;
  /** The demand of the burst: more than the Pis can hold, about three cloud nodes' worth on top. */
  static final double BURST_MHZ = 21000;
  /** The demand while the burst ebbs: about one cloud node fewer. */
  static final double EBB_MHZ = 17500;

  private final BurstCluster cluster;
  private final Clock clock;
  private final Scheduler scheduler;
  private final PrintWriter out;
  private final Instant start;
  private volatile boolean closed;
  private volatile Scheduler.Cancellable next;
  private String lastShape = "";

  /**
   * Starts the cluster and its rounds, printing {@link #instructions()} first.
   *
   * @param nomadPort the Nomad fake's port, 0 for a free one
   * @param awsPort the Auto Scaling fake's port, 0 for a free one
   * @param bootRounds how many rounds a new cloud node stays initializing
   * @param clock the time of the load cycle and of Nomad's events
   * @param scheduler runs the rounds
   * @param out where the changes are printed
   */
  FakeCluster(int nomadPort, int awsPort, int bootRounds, Clock clock, Scheduler scheduler, PrintWriter out) {
    this.cluster = BurstCluster.start(clock, nomadPort, awsPort, bootRounds);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.out = Objects.requireNonNull(out, "out");
    this.start = clock.instant();
    out.println(instructions());
    round(); // the group's first instance registers its node before anyone looks
  }

  /**
   * Returns the web job's demand at a point of the 15-minute cycle: quiet for the first minute, a
   * burst for six, an ebb for three, quiet again for five.
   *
   * @param sinceStart time since the cluster started
   * @return the demand in MHz
   */
  static double demandAt(Duration sinceStart) {
    long minute = sinceStart.toMinutes() % 15;
    return minute < 1 ? QUIET_MHZ : minute < 7 ? BURST_MHZ : minute < 10 ? EBB_MHZ : QUIET_MHZ;
  }

  BurstCluster cluster() {
    return cluster;
  }

  /** The instructions printed at start: the addresses and the variables the agent needs. */
  String instructions() {
    return String.join(System.lineSeparator(),
        "capstan fake-cluster: Nomad on " + cluster.nomadAddress() + " (4 Raspberry Pis, node_class "
            + BurstCluster.PI_CLASS + "), AWS Auto Scaling on " + cluster.autoScalingEndpoint() + " (group "
            + BurstCluster.ASG + ", 1 instance)",
        "the web job's load cycles every 15 minutes: quiet 1m, burst 6m, ebb 3m, quiet 5m. In another terminal:",
        "  export AWS_ENDPOINT_URL_AUTO_SCALING=" + cluster.autoScalingEndpoint()
            + " AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake NOMAD_ALLOC_ID=" + cluster.agentAllocationId(),
        "  ./capstan run --config examples/agent.hcl",
        "  curl -s 127.0.0.1:8080/v1/decisions",
        "Ctrl-C stops it.");
  }

  private void round() {
    if (closed) {
      return;
    }
    try {
      Duration since = Duration.between(start, clock.instant());
      double demand = demandAt(since);
      cluster.setDemand(demand);
      cluster.step();
      String shape = shape(demand);
      if (!shape.equals(lastShape)) {
        lastShape = shape;
        out.println(String.format(java.util.Locale.ROOT, "%4ds %s", since.toSeconds(), shape));
        out.flush();
      }
    } catch (RuntimeException e) {
      out.println("fake-cluster: a round failed: " + e);
      out.flush();
    }
    if (!closed) {
      next = scheduler.schedule(this::round, ROUND);
    }
  }

  private String shape(double demand) {
    Map<String, Integer> web = cluster.webAllocationsByNode();
    long count = cluster.nomad().count("default", BurstCluster.JOB, BurstCluster.GROUP);
    int desired;
    synchronized (cluster.autoScaling()) {
      desired = cluster.autoScaling().get(BurstCluster.ASG).desired;
    }
    return String.format(java.util.Locale.ROOT, "demand %5.0f MHz | web count %2d, running %s | cloud group desired %d",
        demand, count, web, desired);
  }

  @Override
  public void close() {
    closed = true;
    Scheduler.Cancellable n = next;
    if (n != null) {
      n.cancel();
    }
    cluster.close();
  }
}
