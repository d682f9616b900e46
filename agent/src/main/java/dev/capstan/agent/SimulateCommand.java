package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code capstan simulate}: the example policies (or yours) on a simulated cloud, on virtual time. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {"Runs scaling policies through the real engine and strategies against a simulated "
        + "Raspberry Pi cluster that bursts into a simulated cloud group, on virtual time, and writes an "
        + "HTML report. Without --policy it runs the AWS, GCE and Azure examples from examples/policies."})
final class SimulateCommand implements Callable<Integer> {
  /** The example policies built into the jar, in the order the report shows them. */
  static final List<String> EXAMPLES = List.of("aws-burst.hcl", "gce-burst.hcl", "azure-burst.hcl");
  private static final String EXAMPLES_RESOURCE = "/dev/capstan/agent/examples/policies/";
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm 'UTC'",
      Locale.ROOT).withZone(ZoneOffset.UTC);

  @Spec
  private CommandSpec spec;

  @Option(names = "--policy", paramLabel = "FILE",
      description = "A policy file to simulate; repeat for several (default: the built-in examples).")
  private List<Path> policyFiles = new ArrayList<>();

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "48h",
      description = "Virtual time to simulate, 10m to 366d, as a Go duration that may count days: 7d, 1d12h "
          + "(default: ${DEFAULT-VALUE}).")
  private String duration;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the synthetic workload; the same seed gives the same run (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "capstan-report.html",
      description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
  private Path output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration length = parseDuration();
    List<ScalingPolicy> policies;
    try {
      policies = policyFiles.isEmpty() ? examples() : fromFiles();
    } catch (PolicyException e) {
      e.problems().forEach(err::println);
      return 1;
    }
    Workload workload = Workload.generate(seed, Simulator.START, length);
    Simulator simulator = new Simulator(workload, length);
    List<SimulationResult> results = new ArrayList<>();
    for (ScalingPolicy policy : policies) {
      ProgressBar bar = new ProgressBar(err, String.format(Locale.ROOT, "simulating %-14s", policy.name()),
          System.console() != null);
      try {
        results.add(simulator.run(policy, s -> bar.update(s, length.toSeconds())));
      } catch (ConfigException e) {
        err.println();
        err.println(policy.origin() + ": policy '" + policy.name() + "': " + e.getMessage());
        return 1;
      }
      bar.finish();
    }
    String scenario = scenario(length, workload);
    out.println();
    out.println(scenario);
    out.println();
    out.print(SummaryTable.render(results));
    for (SimulationResult r : results) {
      for (String problem : r.problems()) {
        err.println("warning: " + r.policyName() + ": " + problem);
      }
    }
    try {
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(output, HtmlReport.render(scenario, results), StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("cannot write the report to " + output.toAbsolutePath() + ": " + e.getMessage());
      return 1;
    }
    out.println();
    out.println("Report: " + output.toAbsolutePath().normalize());
    out.flush();
    return 0;
  }

  private String scenario(Duration length, Workload workload) {
    return String.format(Locale.ROOT, "Simulated %s from %s (seed %d): four Raspberry Pis (%.0f GHz of CPU) take "
        + "the load first; the rest bursts into a cloud group that each policy scales. %d load bursts. "
        + "Minutes over capacity: load above what the Pis and the booted instances can run.",
        Durations.format(length), DAY.format(workload.start()), seed, Simulator.ONPREM_MHZ / 1000,
        workload.bursts().size());
  }

  private Duration parseDuration() {
    Duration d;
    try {
      d = Durations.parseWithDays(duration);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--duration: " + e.getMessage());
    }
    if (d.compareTo(Duration.ofMinutes(10)) < 0 || d.compareTo(Duration.ofDays(366)) > 0) {
      throw new ParameterException(spec.commandLine(),
          "--duration was '" + duration + "' but it must be between 10m and 366 days");
    }
    return d;
  }

  private List<ScalingPolicy> fromFiles() {
    List<ScalingPolicy> policies = new ArrayList<>();
    for (Path file : policyFiles) {
      policies.addAll(Policies.parse(file));
    }
    return policies;
  }

  /** Parses the example policies built into the jar. */
  static List<ScalingPolicy> examples() {
    List<ScalingPolicy> policies = new ArrayList<>();
    for (String name : EXAMPLES) {
      try (InputStream in = SimulateCommand.class.getResourceAsStream(EXAMPLES_RESOURCE + name)) {
        if (in == null) {
          throw new IllegalStateException("the example policy " + name + " is missing from the jar; rebuild it");
        }
        policies.addAll(Policies.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
            "examples/policies/" + name));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the built-in example " + name, e);
      }
    }
    return policies;
  }
}
