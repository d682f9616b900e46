package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.policy.Check;
import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code capstan backtest}: what policies would have done over recorded metrics. */
@Command(name = "backtest", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replays scaling policies over recorded metrics (a CSV file or a Prometheus server)",
        "through the real engine and strategies, against a simulated group, on virtual time; prints a",
        "table per policy and sweep value and writes an HTML report. See docs/backtest.md."})
final class BacktestCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--policy", paramLabel = "FILE",
      description = "A policy file to replay; repeat for several (default: the built-in examples).")
  private List<Path> policyFiles = new ArrayList<>();

  /** Exactly one source of recorded metrics. */
  static final class Source {
    @Option(names = "--csv", paramLabel = "FILE", required = true,
        description = "Recorded metrics as CSV: header timestamp,<check name>...[,<size column>]; RFC 3339 "
            + "timestamps at a fixed step.")
    Path csv;

    @Option(names = "--prometheus", paramLabel = "URL", required = true,
        description = "A Prometheus server: every check's own query runs as query_range over --from..--to.")
    URI prometheus;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Source source;

  @Option(names = "--from", paramLabel = "TIME",
      description = "Start: RFC 3339 (2026-03-02T00:00:00Z) or relative to now (-30d, -12h). Default with --csv: "
          + "its first row; required with --prometheus.")
  private String from;

  @Option(names = "--to", paramLabel = "TIME",
      description = "End, exclusive: RFC 3339 or relative (-1h, 0 = now). Default with --csv: after its last row; "
          + "with --prometheus: now.")
  private String to;

  @Option(names = "--step", paramLabel = "DURATION",
      description = "Resolution of the Prometheus queries, a Go duration (default: 15s). A CSV's step is its rows'.")
  private String step;

  @Option(names = "--utilization-check", paramLabel = "CHECK",
      description = "A check whose metric is a percentage of the group's capacity (CPU %): replayed as recorded "
          + "value x recorded size / simulated booted instances. Repeatable.")
  private List<String> utilizationChecks = new ArrayList<>();

  @Option(names = "--capacity-independent-check", paramLabel = "CHECK",
      description = "A check whose metric does not depend on the group's size (queue length, requests/s): "
          + "replayed as recorded. Repeatable. Every check that reads data must be declared one or the other.")
  private List<String> independentChecks = new ArrayList<>();

  @Option(names = "--recorded-size-column", paramLabel = "COLUMN",
      description = "With --csv: the column holding the group size at the time (needed by utilization checks).")
  private String sizeColumn;

  @Option(names = "--recorded-size-query", paramLabel = "PROMQL",
      description = "With --prometheus: a query for the group size at the time, e.g. count(nomad_client_...).")
  private String sizeQuery;

  @Option(names = "--boot-delay", paramLabel = "DURATION",
      description = "Simulated group: from launch until an instance takes work, a Go duration "
          + "(default: the target's cloud profile, e.g. 3m for aws-asg).")
  private String bootDelay;

  @Option(names = "--starting-count", paramLabel = "N",
      description = "Simulated group: instances running and booted at the start (default: the policy's min).")
  private Long startingCount;

  @Option(names = "--capacity-per-instance", paramLabel = "X",
      description = "Simulated group: what one instance takes, in the capacity-independent checks' unit "
          + "(default: 4000).")
  private Double capacityPerInstance;

  @Option(names = "--price-per-hour", paramLabel = "USD",
      description = "Simulated group: US dollars per instance-hour, billed from launch (default: the cloud profile).")
  private Double pricePerHour;

  @Option(names = "--sweep", paramLabel = "ATTR=V1,V2,...",
      description = "Replays each policy once per value: min, max, cooldown, cooldown_on_scale_up, "
          + "evaluation_interval, a strategy key (target) or check.<name>.strategy.<key>. Repeat it to sweep "
          + "several attributes: every combination is replayed.")
  private List<String> sweeps = new ArrayList<>();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures and every decision as JSON.")
  private Path json;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "capstan-backtest.html",
      description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
  private Path output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ScalingPolicy> policies;
    try {
      policies = policyFiles.isEmpty() ? SimulateCommand.examples() : fromFiles();
    } catch (PolicyException e) {
      e.problems().forEach(err::println);
      return 1;
    }
    Instant now = Instant.now();
    BacktestResult result;
    try {
      History history = source.csv != null ? csvHistory(now) : prometheusHistory(policies, now);
      Backtest.Builder backtest = Backtest.builder().policies(policies).history(history);
      if (source.csv != null) {
        if (from != null) {
          backtest.from(time("--from", from, now));
        }
        if (to != null) {
          backtest.to(time("--to", to, now));
        }
      }
      utilizationChecks.forEach(c -> backtest.check(c, CheckKind.UTILIZATION));
      for (String c : independentChecks) {
        if (utilizationChecks.contains(c)) {
          throw new ParameterException(spec.commandLine(), "check '" + c + "' was given to both"
              + " --utilization-check and --capacity-independent-check; it is one or the other");
        }
        backtest.check(c, CheckKind.CAPACITY_INDEPENDENT);
      }
      if (bootDelay != null) {
        backtest.bootDelay(duration("--boot-delay", bootDelay));
      }
      if (startingCount != null) {
        backtest.startingCount(startingCount);
      }
      if (capacityPerInstance != null) {
        backtest.capacityPerInstance(capacityPerInstance);
      }
      if (pricePerHour != null) {
        backtest.pricePerHour(pricePerHour);
      }
      for (String sweep : sweeps) {
        int eq = sweep.indexOf('=');
        if (eq <= 0 || eq == sweep.length() - 1) {
          throw new ParameterException(spec.commandLine(), "--sweep was '" + sweep
              + "' but it must read ATTRIBUTE=VALUE,VALUE..., e.g. target=50,60,70");
        }
        backtest.sweep(sweep.substring(0, eq).strip(), List.of(sweep.substring(eq + 1).split(",", -1)).stream()
            .map(String::strip).toList());
      }
      result = backtest.build().run();
    } catch (BacktestException e) {
      err.println("capstan backtest: " + e.getMessage());
      return 1;
    }
    String scenario = BacktestReport.scenario(result, source.csv != null ? source.csv.toString()
        : source.prometheus.toString());
    out.println(scenario);
    out.println();
    out.print(BacktestReport.table(result));
    for (BacktestResult.Run r : result.runs()) {
      for (String problem : r.problems()) {
        err.println("warning: " + r.label() + ": " + problem);
      }
    }
    try {
      if (json != null) {
        write(json, w -> BacktestReport.json(result, w));
      }
      String html = BacktestReport.html(scenario, result);
      write(output, w -> w.write(html));
    } catch (IOException e) {
      err.println("capstan backtest: cannot write " + e.getMessage());
      return 1;
    }
    out.println();
    if (json != null) {
      out.println("JSON: " + json.toAbsolutePath().normalize());
    }
    out.println("Report: " + output.toAbsolutePath().normalize());
    out.flush();
    return 0;
  }

  private History csvHistory(Instant now) {
    if (step != null) {
      throw new ParameterException(spec.commandLine(), "--step applies to --prometheus; a CSV's step is the time"
          + " between its rows");
    }
    if (sizeQuery != null) {
      throw new ParameterException(spec.commandLine(), "--recorded-size-query applies to --prometheus; with --csv"
          + " give --recorded-size-column");
    }
    return History.readCsv(source.csv, Optional.ofNullable(sizeColumn));
  }

  private History prometheusHistory(List<ScalingPolicy> policies, Instant now) {
    if (sizeColumn != null) {
      throw new ParameterException(spec.commandLine(), "--recorded-size-column applies to --csv; with --prometheus"
          + " give --recorded-size-query");
    }
    if (from == null) {
      throw new ParameterException(spec.commandLine(), "--prometheus needs --from (e.g. -30d or 2026-03-02T00:00:00Z)");
    }
    Instant start = time("--from", from, now);
    Instant end = to == null ? now : time("--to", to, now);
    Duration resolution = duration("--step", step == null ? "15s" : step);
    Map<String, String> queries = new LinkedHashMap<>();
    for (ScalingPolicy policy : policies) {
      for (Check check : policy.checks()) {
        if (Backtest.readsData(check)) {
          String earlier = queries.putIfAbsent(check.name(), check.query());
          if (earlier != null && !earlier.equals(check.query())) {
            throw new BacktestException(policy.origin() + ": policy '" + policy.name() + "', check '" + check.name()
                + "' has another query than a check of the same name in an earlier policy; a history has one"
                + " series per check name");
          }
        }
      }
    }
    return PrometheusHistory.fetch(source.prometheus, queries, Optional.ofNullable(sizeQuery), start, end, resolution);
  }

  private Instant time(String option, String text, Instant now) {
    String s = text.strip();
    if (s.equals("0") || s.equals("now")) {
      return now;
    }
    if (s.startsWith("-")) {
      String rest = s.substring(1);
      if (rest.matches("\\d+d")) {
        return now.minus(Duration.ofDays(Long.parseLong(rest.substring(0, rest.length() - 1))));
      }
      try {
        return now.minus(Durations.parse(rest));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), option + " was '" + text + "' but it must be an RFC 3339"
            + " time or a negative offset like -30d or -12h");
      }
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new ParameterException(spec.commandLine(), option + " was '" + text + "' but it must be an RFC 3339"
          + " time (2026-03-02T00:00:00Z) or a negative offset like -30d or -12h");
    }
  }

  private Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  private List<ScalingPolicy> fromFiles() {
    List<ScalingPolicy> policies = new ArrayList<>();
    for (Path file : policyFiles) {
      policies.addAll(Policies.parse(file));
    }
    return policies;
  }

  /** Writes a report file through {@code content}. */
  private interface Content {
    void writeTo(Writer out) throws IOException;
  }

  private static void write(Path file, Content content) throws IOException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        content.writeTo(out);
      }
    } catch (IOException e) {
      throw new IOException(file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }
}
