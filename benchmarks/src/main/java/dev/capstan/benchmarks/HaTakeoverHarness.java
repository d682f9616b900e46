package dev.capstan.benchmarks;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.ha.zookeeper.ZooKeeperCoordination;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.FreezableLink;
import dev.capstan.testkit.ScriptedMetricSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * Kills and restarts members of a three-member group sharing 300 policies through one real ZooKeeper
 * server (curator-test's, in process), in wall-clock time, and checks issue 22's figures: how long
 * each of a killed member's policies waits for its first evaluation by a survivor (goal: within
 * {@code session_timeout} + one {@code evaluation_interval}), and over every kill and restart no two
 * overlapping scale calls on one group, no scale call inside a policy's cooldown (across owners
 * included), and each policy owned by exactly one member whenever the group has settled.
 *
 * <p>The members are real engines ({@link Autoscaler} + {@link ZooKeeperCoordination}, each with its
 * own ZooKeeper client and session) in this one JVM rather than three processes: on a 2-core machine
 * three JVMs would measure mostly their own start-up and contention, and one JVM lets one monotonic
 * clock time every evaluation, scale call and ownership view. A kill is what ZooKeeper sees of a
 * {@code kill -9}: the member's connection goes silent (its traffic runs through a
 * {@link FreezableLink}, frozen at the kill) and its engine stops without a word, so the server
 * expires its session after {@code session_timeout}. {@code AgentProcessesTest} (agent module) covers
 * real processes killed with {@code kill -9}.
 *
 * <p>Every policy wants one more instance at every evaluation, so it scales whenever its cooldown
 * allows: the scale calls are dense enough that a double owner or a forgotten cooldown would show.
 *
 * <p>Run: {@code ./mvnw -B -o -pl benchmarks -am package -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar dev.capstan.benchmarks.HaTakeoverHarness --policies 300 --kills 21
 * --session 10s --interval 5s --cooldown 10s --out benchmarks/results/ha-takeover.txt}
 */
public final class HaTakeoverHarness {
  private static final Duration SETTLE = Duration.ofSeconds(90);

  private int policyCount = 300;
  private int kills = 21;
  private Duration session = Duration.ofSeconds(10);
  private Duration interval = Duration.ofSeconds(5);
  private Duration cooldown = Duration.ofSeconds(10);
  private Path out;

  private final ScriptedMetricSource source = new ScriptedMetricSource().answer("load", 1);
  private final Ledger ledger = new Ledger();
  private List<ScalingPolicy> policies;
  private final List<Member> live = new CopyOnWriteArrayList<>();
  /** Members whose coordination still runs: the live ones and a killed one until its session is gone. */
  private final List<Member> viewing = new CopyOnWriteArrayList<>();
  private final AtomicLong sweeps = new AtomicLong();
  private final AtomicLong doubleOwned = new AtomicLong();
  private volatile boolean sampling = true;

  private HaTakeoverHarness() {}

  /**
   * Runs the harness.
   *
   * @param args {@code --policies N --kills N --session 4s --interval 1s --cooldown 5s --out FILE}
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    HaTakeoverHarness h = new HaTakeoverHarness();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--policies" -> h.policyCount = Integer.parseInt(v);
        case "--kills" -> h.kills = Integer.parseInt(v);
        case "--session" -> h.session = duration(v);
        case "--interval" -> h.interval = duration(v);
        case "--cooldown" -> h.cooldown = duration(v);
        case "--out" -> h.out = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> report = h.run();
    report.forEach(System.out::println);
    if (h.out != null) {
      try (PrintStream p = new PrintStream(Files.newOutputStream(h.out, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
        report.forEach(p::println);
        p.println();
      }
    }
    System.exit(0);
  }

  private static Duration duration(String v) {
    return Duration.parse("PT" + v.toUpperCase(Locale.ROOT));
  }

  private ScalingPolicy policy(int i) {
    String name = String.format(Locale.ROOT, "g%03d", i);
    return ScalingPolicy.builder().name(name).min(0).max(1_000_000).evaluationInterval(interval).cooldown(cooldown)
        .target(PluginRef.of("ledger", Map.of("group", name)))
        .check(Check.of("more", "src", "load", PluginRef.of("more", Map.of()))).build();
  }

  private List<String> run() throws Exception {
    policies = IntStream.range(0, policyCount).mapToObj(this::policy).toList();
    // The server grants sessions of at most 20 ticks and expires them on tick boundaries: the
    // shortest tick that grants the session keeps that rounding small.
    int tick = (int) Math.max(200, (session.toMillis() + 19) / 20);
    InstanceSpec spec = new InstanceSpec(Files.createTempDirectory("capstan-ha-harness").toFile(), -1, -1, -1, true,
        -1, tick, -1);
    List<String> report = new ArrayList<>();
    report.add("# HaTakeoverHarness: 3 in-process members, " + policyCount + " policies, session_timeout "
        + session.toMillis() + " ms, evaluation_interval " + interval.toMillis() + " ms (10 % jitter), cooldown "
        + cooldown.toMillis() + " ms, " + kills + " kills + restarts, ZooKeeper tickTime " + tick + " ms, "
        + Runtime.getRuntime().availableProcessors() + " cores, java " + System.getProperty("java.version") + ", "
        + Instant.now());
    try (TestingServer server = new TestingServer(spec, true)) {
      Thread sampler = new Thread(this::sample, "ownership-sampler");
      sampler.setDaemon(true);
      sampler.start();
      for (String id : List.of("a", "b", "c")) {
        start(server, id);
      }
      int settled = 0;
      await("the first three members settle", () -> settled(3));
      settled++;
      List<Long> takeovers = new ArrayList<>();
      List<Long> takeoverAll = new ArrayList<>();
      List<Integer> shares = new ArrayList<>();
      for (int k = 0; k < kills; k++) {
        Member victim = live.get(k % live.size());
        Set<String> share = victim.coordination.owned();
        long killed = kill(victim);
        await("the survivors of " + victim.id + " take its " + share.size() + " policies", () -> settled(2));
        settled++;
        long[] first = awaitFirstEvaluations(share, victim, killed);
        Arrays.stream(first).forEach(t -> takeovers.add(t - killed));
        takeoverAll.add(Arrays.stream(first).max().orElse(killed) - killed);
        shares.add(share.size());
        // Its session is gone with its claims: what remains of the dead member is closed.
        viewing.remove(victim);
        victim.discard();
        start(server, victim.id.replaceAll("-.*", "") + "-" + (k + 2));
        await("the restarted member joins", () -> settled(3));
        settled++;
      }
      sampling = false;
      long bound = session.plus(interval).toNanos();
      long[] sorted = takeovers.stream().mapToLong(Long::longValue).sorted().toArray();
      report.add(String.format(Locale.ROOT, "kills: %d, policies moved per kill: min %d, max %d, total %d",
          kills, shares.stream().mapToInt(Integer::intValue).min().orElse(0),
          shares.stream().mapToInt(Integer::intValue).max().orElse(0), sorted.length));
      report.add(String.format(Locale.ROOT,
          "kill -> first evaluation by a survivor, per policy (ms): min %.0f, p50 %.0f, p90 %.0f, p99 %.0f, max %.0f",
          ms(sorted, 0), ms(sorted, 0.5), ms(sorted, 0.9), ms(sorted, 0.99), ms(sorted, 1)));
      report.add(String.format(Locale.ROOT,
          "within session_timeout + evaluation_interval (%d ms): %d of %d; per kill, the last policy taken (ms): %s",
          bound / 1_000_000, Arrays.stream(sorted).filter(t -> t <= bound).count(), sorted.length,
          takeoverAll.stream().map(t -> String.valueOf(t / 1_000_000)).toList()));
      report.add(String.format(Locale.ROOT, "histogram (ms): %s", histogram(sorted)));
      report.add(String.format(Locale.ROOT,
          "scale calls: %d; overlapping on one group: %d; inside the cooldown: %d (of them across owners: %d);"
              + " fenced decisions: %d", ledger.scales.get(), ledger.overlaps.get(), ledger.inCooldown.get(),
          ledger.inCooldownAcrossOwners.get(), ledger.fenced.get()));
      report.add(String.format(Locale.ROOT,
          "ownership: %d settled observations with every policy owned by exactly one member; %d sweeps of every"
              + " running member's view, %d policies seen with two owners in one sweep", settled, sweeps.get(),
          doubleOwned.get()));
    } finally {
      sampling = false;
      for (Member m : live) {
        m.discard();
      }
    }
    return report;
  }

  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] / 1e6;
  }

  private static String histogram(long[] sorted) {
    Map<Long, Integer> buckets = new java.util.TreeMap<>();
    for (long t : sorted) {
      buckets.merge(t / 500_000_000L * 500, 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    buckets.forEach((from, n) -> parts.add(from + "-" + (from + 500) + ": " + n));
    return String.join(", ", parts);
  }

  /** True when {@code n} members run, each sees all of them, and each policy has exactly one owner. */
  private boolean settled(int n) {
    if (live.size() != n || !live.stream().allMatch(m -> m.coordination.members().size() == n)) {
      return false;
    }
    List<Set<String>> views = live.stream().map(m -> m.coordination.owned()).toList();
    for (ScalingPolicy p : policies) {
      if (views.stream().filter(v -> v.contains(p.id())).count() != 1) {
        return false;
      }
    }
    return true;
  }

  /** Sweeps every running member's view of what it owns, counting policies two members claim at once. */
  private void sample() {
    while (sampling) {
      Map<String, Integer> owners = new java.util.HashMap<>();
      for (Member m : viewing) {
        for (String id : m.coordination.owned()) {
          owners.merge(id, 1, Integer::sum);
        }
      }
      owners.values().stream().filter(c -> c > 1).forEach(c -> doubleOwned.incrementAndGet());
      sweeps.incrementAndGet();
      LockSupport.parkNanos(5_000_000);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not within " + SETTLE);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** The first evaluation of each policy of {@code share} by another member than {@code victim} after {@code since}. */
  private long[] awaitFirstEvaluations(Set<String> share, Member victim, long since) {
    long[] first = new long[share.size()];
    int i = 0;
    for (String policyId : share) {
      String group = policies.stream().filter(p -> p.id().equals(policyId)).findFirst().orElseThrow().name();
      long[] found = {-1};
      await("an evaluation of " + policyId + " by a survivor", () -> {
        for (Ledger.Evaluation e : ledger.evaluations.getOrDefault(group, new ConcurrentLinkedQueue<>())) {
          if (!e.member().equals(victim.id) && e.nanos() > since) {
            found[0] = e.nanos();
            return true;
          }
        }
        return false;
      });
      first[i++] = found[0];
    }
    return first;
  }

  private void start(TestingServer server, String id) throws IOException {
    FreezableLink link = new FreezableLink(server.getPort());
    CuratorFramework client = CuratorFrameworkFactory.builder().connectString(link.connectString())
        .sessionTimeoutMs((int) session.toMillis()).connectionTimeoutMs((int) session.toMillis())
        .retryPolicy(new ExponentialBackoffRetry(100, 3)).build();
    client.start();
    ZooKeeperCoordination coordination = ZooKeeperCoordination.builder().client(client).path("/capstan/harness")
        .memberId(id).build().start();
    Autoscaler engine = Autoscaler.builder().lookupPlugins(false)
        .strategy("more", config -> (current, metrics) -> current + 1).metricSource("src", source)
        .target("ledger", ledger.forMember(id)).stateStore(coordination.stateStore()).coordination(coordination)
        .policies(policies).listener(d -> ledger.decided(id, d)).build();
    engine.start();
    Member m = new Member(id, link, client, coordination, engine);
    live.add(m);
    viewing.add(m);
  }

  /** What ZooKeeper sees of kill -9: the connection goes silent and the engine stops at once. */
  private long kill(Member m) {
    m.link.freeze();
    long at = System.nanoTime();
    live.remove(m);
    Thread stop = new Thread(m.engine::close, "kill-" + m.id);
    stop.setDaemon(true);
    stop.start();
    return at;
  }

  /** One member: its own link, client (session), coordination and engine. */
  private record Member(String id, FreezableLink link, CuratorFramework client, ZooKeeperCoordination coordination,
      Autoscaler engine) {
    void discard() {
      try {
        link.close();
      } catch (IOException e) {
        // Closing anyway.
      }
      engine.close();
      coordination.close();
      client.close();
    }
  }

  /** Every evaluation and scale call, by group and member, on one monotonic clock. */
  private final class Ledger {
    record Evaluation(String member, long nanos) {}

    final Map<String, ConcurrentLinkedQueue<Evaluation>> evaluations = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final Map<String, Object[]> lastScale = new ConcurrentHashMap<>();
    final Map<String, Long> counts = new ConcurrentHashMap<>();
    final AtomicLong scales = new AtomicLong();
    final AtomicLong overlaps = new AtomicLong();
    final AtomicLong inCooldown = new AtomicLong();
    final AtomicLong inCooldownAcrossOwners = new AtomicLong();
    final AtomicLong fenced = new AtomicLong();

    Target forMember(String member) {
      return new Target() {
        @Override
        public TargetStatus status(Map<String, String> config) {
          String group = config.get("group");
          evaluations.computeIfAbsent(group, g -> new ConcurrentLinkedQueue<>()).add(new Evaluation(member, System.nanoTime()));
          return new TargetStatus(true, counts.getOrDefault(group, 1L), Map.of());
        }

        @Override
        public void scale(ScalingAction action, Map<String, String> config) {
          String group = config.get("group");
          AtomicInteger n = inFlight.computeIfAbsent(group, g -> new AtomicInteger());
          if (n.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          try {
            scales.incrementAndGet();
            counts.put(group, action.count());
          } finally {
            n.decrementAndGet();
          }
        }

        @Override
        public void close() {}
      };
    }

    /** Checks each scale against the group's previous one: the decisions' times are the engines' clocks. */
    void decided(String member, ScalingDecision d) {
      if (d.outcome() == Outcome.FAILED && d.reasons().stream().anyMatch(r -> r.startsWith("fenced"))) {
        fenced.incrementAndGet();
      }
      if (d.outcome() != Outcome.SCALED) {
        return;
      }
      Object[] previous = lastScale.put(d.policyName(), new Object[] {member, d.time()});
      if (previous != null && d.time().isBefore(((Instant) previous[1]).plus(cooldown))) {
        inCooldown.incrementAndGet();
        if (!previous[0].equals(member)) {
          inCooldownAcrossOwners.incrementAndGet();
        }
      }
    }
  }
}
