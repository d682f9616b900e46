package dev.capstan.benchmarks;

import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long loading a directory of 1,000 nomad-autoscaler policy files takes (target: under 1 s),
 * and how much of it is disk, HCL and validation.
 *
 * <p>Half the files are cluster policies (AWS ASG + Prometheus, as in DESIGN.md), half horizontal
 * policies with two checks; every tenth file is JSON. One operation handles all 1,000 files.
 *
 * <pre>
 * ./mvnw -B -o -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar PolicyParse -f 1 -wi 2 -i 3 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyParseBenchmark {
  static final int FILES = 1_000;

  private Path dir;
  private final List<String> texts = new ArrayList<>();
  private final List<String> origins = new ArrayList<>();

  /** Writes the 1,000 files once per run. */
  @Setup(Level.Trial)
  public void writeFiles() throws IOException {
    dir = Files.createTempDirectory("capstan-policies");
    for (int i = 0; i < FILES; i++) {
      boolean json = i % 10 == 9;
      String text = json ? json(i) : i % 2 == 0 ? cluster(i) : horizontal(i);
      Path file = dir.resolve(String.format("policy-%04d.%s", i, json ? "json" : "hcl"));
      Files.writeString(file, text);
      texts.add(text);
      origins.add(file.toString());
    }
    LoadedPolicies check = Policies.parseDirectory(dir);
    if (!check.complete() || check.policies().size() != FILES) {
      throw new IllegalStateException("generated files do not parse: " + check.failures());
    }
  }

  /** Removes the files. */
  @TearDown(Level.Trial)
  public void deleteFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** The whole job: list, read, parse and validate 1,000 files. */
  @Benchmark
  public LoadedPolicies parseDirectory() {
    return Policies.parseDirectory(dir);
  }

  /** The same without the disk: parse and validate 1,000 texts already in memory. */
  @Benchmark
  public int parseInMemory() {
    int n = 0;
    for (int i = 0; i < FILES; i++) {
      List<ScalingPolicy> policies = Policies.parse(texts.get(i), origins.get(i));
      n += policies.size();
    }
    return n;
  }

  /** Baseline: only read the 1,000 files' bytes. */
  @Benchmark
  public long readBytesOnly() throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        total += Files.readAllBytes(p).length;
      }
    }
    return total;
  }

  static String cluster(int i) {
    return """
        scaling "cluster_%d" {
          enabled = true
          min     = 1
          max     = %d
          type    = "cluster"
          policy {
            cooldown            = "2m"
            evaluation_interval = "1m"
            on_check_error      = "fail"
            check "cpu_allocated_percentage" {
              source       = "prometheus"
              query        = "sum(nomad_client_allocated_cpu{node_class=\\"class_%d\\"}) / sum(nomad_client_unallocated_cpu + nomad_client_allocated_cpu) * 100"
              query_window = "5m"
              strategy "target-value" { target = 70 }
            }
            check "mem_allocated_percentage" {
              source       = "prometheus"
              query        = "sum(nomad_client_allocated_memory{node_class=\\"class_%d\\"}) / sum(nomad_client_unallocated_memory + nomad_client_allocated_memory) * 100"
              query_window = "5m"
              strategy "target-value" { target = 70 }
            }
            target "aws-asg" {
              aws_asg_name        = "asg-%d"
              node_class          = "class_%d"
              node_drain_deadline = "5m"
              node_purge          = "true"
            }
          }
        }
        """.formatted(i, 10 + i, i, i, i, i);
  }

  static String horizontal(int i) {
    return """
        # service %d
        scaling "web_%d" {
          min = 2
          max = 20
          policy {
            cooldown             = "3m"
            cooldown_on_scale_up = "30s"
            evaluation_interval  = "15s"
            check "requests" {
              source              = "prometheus"
              query               = "sum(rate(http_requests_total{service=\\"web_%d\\"}[1m]))"
              query_window        = "2m"
              query_window_offset = "30s"
              on_error            = "fail"
              strategy "target-value" {
                target    = 0.5
                threshold = 0.01
              }
            }
            check "floor" {
              strategy "fixed-value" { value = 3 }
            }
            target "gce-mig" {
              project = "acme"
              zone    = "europe-west1-b"
              mig     = "web-%d"
            }
          }
        }
        """.formatted(i, i, i, i);
  }

  static String json(int i) {
    return """
        {"scaling": {"json_%d": {"min": 1, "max": 10, "policy": {
          "cooldown": "2m", "evaluation_interval": "1m",
          "check": {"cpu": {"source": "prometheus", "query": "avg(cpu{i=\\"%d\\"})", "query_window": "5m",
                            "strategy": {"target-value": {"target": 70}}}},
          "target": {"aws-asg": {"aws_asg_name": "asg-%d"}}}}}}
        """.formatted(i, i, i);
  }
}
