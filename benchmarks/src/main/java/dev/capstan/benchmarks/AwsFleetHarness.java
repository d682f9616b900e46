package dev.capstan.benchmarks;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.Outcome;
import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.TargetGroup;
import dev.capstan.target.aws.AwsAsgConfig;
import dev.capstan.target.aws.AwsAsgTarget;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of AWS Auto Scaling groups on a local Auto Scaling endpoint ({@link FakeAutoScaling}),
 * one policy each, run by the real {@link Autoscaler} with the real {@code aws-asg} target and the
 * real {@code target-value} strategy, in wall-clock time: per evaluation interval it counts the AWS
 * calls by action and the evaluations by outcome ({@code SKIPPED_BUSY} share included). Steady state:
 * every metric sits on its target, so nothing scales; {@code --busy N} groups stay mid-activity (an
 * instance {@code Pending}, a launch {@code InProgress}) throughout. Goal (issue 16): at most 15 AWS
 * calls per 10 s tick for 1,000 groups, 0 evaluations skipped as busy.
 *
 * <p>{@code --mode statusOf} skips the engine and reports the target alone: AWS calls per
 * {@code statusOf} of every group.
 *
 * <p>The JDK's HTTP server answers without {@code TCP_NODELAY} here, so every call waits for a
 * delayed ACK (about 40 ms), close to a real regional endpoint's latency.
 *
 * <p>Run: {@code ./mvnw -B -o -pl benchmarks -am package -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar dev.capstan.benchmarks.AwsFleetHarness --groups 1000 --interval 10s
 * --warmup 6 --windows 6 --busy 5 --out benchmarks/results/fleet-aws.txt}
 */
public final class AwsFleetHarness {
  private static final double METRIC = 70;

  private int groups = 1000;
  private Duration interval = Duration.ofSeconds(10);
  private int windows = 6;
  private int warmup = 6;
  private int busy = 5;
  private String mode = "engine";
  private Path out;

  private AwsFleetHarness() {}

  /**
   * Runs the harness.
   *
   * @param args {@code --groups N --interval 10s --warmup N --windows N --busy N --mode engine|statusOf --out FILE}
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    AwsFleetHarness h = new AwsFleetHarness();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--groups" -> h.groups = Integer.parseInt(v);
        case "--interval" -> h.interval = Duration.parse("PT" + v.toUpperCase(Locale.ROOT));
        case "--windows" -> h.windows = Integer.parseInt(v);
        case "--warmup" -> h.warmup = Integer.parseInt(v);
        case "--busy" -> h.busy = Integer.parseInt(v);
        case "--mode" -> h.mode = v;
        case "--out" -> h.out = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> report = h.mode.equals("statusOf") ? h.runStatusOf() : h.runEngine();
    report.forEach(System.out::println);
    if (h.out != null) {
      try (PrintStream p = new PrintStream(Files.newOutputStream(h.out, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
        report.forEach(p::println);
        p.println();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private FakeAutoScaling fleet() {
    FakeAutoScaling fake = new FakeAutoScaling();
    int stride = busy == 0 ? Integer.MAX_VALUE : Math.max(1, groups / busy);
    for (int i = 0; i < groups; i++) {
      FakeAutoScaling.Group g = fake.group(name(i), 3);
      if (i % stride == 0 && i / stride < busy) {
        String launching = g.name + "-i-4";
        g.desired = 4;
        g.instances.put(launching, false);
        g.lifecycle.put(launching, "Pending");
        g.activities.add(0, new FakeAutoScaling.Activity(g.name, "Launching a new EC2 instance: " + launching,
            Instant.parse("2026-11-25T11:59:00Z"), "InProgress"));
      }
    }
    return fake;
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "fleet-%04d", i);
  }

  private static AwsAsgTarget target(LocalHttpServer server) {
    return AwsAsgTarget.create(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", "AKIDFLEETHARNESS", "aws_secret_access_key", "fleet-harness-secret",
        "endpoint", server.uri().toString())));
  }

  private String header() {
    return "# " + mode + ": " + groups + " groups, " + busy + " busy, interval " + interval.toSeconds() + " s, "
        + Runtime.getRuntime().availableProcessors() + " cores, java " + System.getProperty("java.version")
        + ", " + Instant.now();
  }

  private List<String> runStatusOf() {
    FakeAutoScaling fake = fleet();
    List<String> report = new ArrayList<>(List.of(header()));
    try (LocalHttpServer server = LocalHttpServer.start(fake); AwsAsgTarget target = target(server)) {
      List<TargetGroup> bound = new ArrayList<>();
      for (int i = 0; i < groups; i++) {
        bound.add(target.bind(Map.of("aws_asg_name", name(i))));
      }
      for (int round = 1; round <= windows; round++) {
        fake.resetCalls();
        server.clearRequests();
        long started = System.nanoTime();
        long ok = target.statusOf(bound).stream().filter(s -> s.isOk()).count();
        long millis = (System.nanoTime() - started) / 1_000_000;
        Map<String, Integer> calls = fake.calls();
        report.add(String.format(Locale.ROOT, "statusOf #%d: %d of %d ok in %d ms, %d AWS calls %s", round, ok,
            groups, millis, calls.values().stream().mapToInt(Integer::intValue).sum(), calls));
      }
    }
    return report;
  }

  private List<String> runEngine() throws InterruptedException {
    FakeAutoScaling fake = fleet();
    List<String> report = new ArrayList<>(List.of(header(),
        "window  calls  calls/eval  evals  skipped_busy  outcomes  calls_by_action"));
    Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
    try (LocalHttpServer server = LocalHttpServer.start(fake); AwsAsgTarget target = target(server)) {
      MetricSource source = new MetricSource() {
        @Override
        public MetricSeries query(String query, Instant from, Instant to) {
          return MetricSeries.of(to.toEpochMilli(), METRIC);
        }

        @Override
        public void close() {}
      };
      Autoscaler.Builder builder = Autoscaler.builder().target("aws-asg", target).metricSource("fleet", source)
          .listener(d -> {
            synchronized (outcomes) {
              outcomes.merge(d.outcome(), 1L, Long::sum);
            }
          });
      for (int i = 0; i < groups; i++) {
        builder.policy(ScalingPolicy.builder().name(name(i)).origin("fleet").min(1).max(100)
            .evaluationInterval(interval)
            .check(Check.of("cpu", "fleet", "cpu", PluginRef.of("target-value", Map.of("target", "70"))))
            .target(PluginRef.of("aws-asg", Map.of("aws_asg_name", name(i)))).build());
      }
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      // Window 0 is the start (every policy's first read); the warm-up windows let the JIT and the
      // engine's spread of due times settle; the windows after them are the steady state.
      CountDownLatch done = new CountDownLatch(warmup + windows);
      long[] totals = new long[3]; // calls, evaluations, skipped busy over the steady windows
      try (Autoscaler autoscaler = builder.build()) {
        fake.resetCalls();
        autoscaler.start();
        ticker.scheduleAtFixedRate(() -> {
          int window = (int) (warmup + windows - done.getCount());
          Map<String, Integer> calls = fake.calls();
          fake.resetCalls();
          server.clearRequests();
          Map<Outcome, Long> seen;
          synchronized (outcomes) {
            seen = new TreeMap<>(outcomes);
            outcomes.clear();
          }
          long total = calls.values().stream().mapToLong(Integer::longValue).sum();
          long evals = seen.values().stream().mapToLong(Long::longValue).sum();
          long skipped = seen.getOrDefault(Outcome.SKIPPED_BUSY, 0L);
          if (window >= warmup) {
            totals[0] += total;
            totals[1] += evals;
            totals[2] += skipped;
          }
          report.add(String.format(Locale.ROOT, "%6d %6d %11.3f %6d %12.1f%%  %s  %s", window, total,
              evals == 0 ? 0.0 : (double) total / evals, evals, evals == 0 ? 0.0 : 100.0 * skipped / evals, seen, calls));
          done.countDown();
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        done.await();
      } finally {
        ticker.shutdownNow();
      }
      report.add(String.format(Locale.ROOT, "steady state (windows %d-%d): %.1f AWS calls per tick, %.3f per "
          + "evaluation, %.1f%% SKIPPED_BUSY", warmup, warmup + windows - 1, (double) totals[0] / windows,
          totals[1] == 0 ? 0.0 : (double) totals[0] / totals[1], totals[1] == 0 ? 0.0 : 100.0 * totals[2] / totals[1]));
    }
    return report;
  }
}
