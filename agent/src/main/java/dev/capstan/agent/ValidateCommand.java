package dev.capstan.agent;

import dev.capstan.policy.LintWarning;
import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyLint;
import dev.capstan.policy.PolicyException;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.spi.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code capstan validate}: checks policy files, creates every check's strategy and binds every
 * policy's target as the agent would (offline; see {@link PolicyPlugins}), and prints every problem
 * with its file, policy and field. With {@code --lint} it also prints {@link PolicyLint}'s warnings, which
 * change the exit status only under {@code --strict}.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Checks policy files (and the .hcl and .json files directly inside directories; in a Nomad "
        + "job file, the policies its templates carry) and prints every problem as FILE[:LINE[:COLUMN]]: "
        + "message. Strategies are created and targets bound as the agent would, without any network call; "
        + "a target's keys are checked when --config declares that target.",
        "With --lint, also prints a warning for every policy that is valid but will misbehave "
        + "(FILE: policy 'p': [check 'c': ]warning: reason); warnings keep the exit status 0 unless --strict.",
        "Exits 1 if any file has a problem."})
final class ValidateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = {"--config", "-config"}, paramLabel = "FILE",
      description = "The agent file (HCL): its target and strategy blocks resolve the names policies use.")
  private Path configFile;

  @Option(names = "--lint", description = "Also warn about policies that will misbehave (see docs/policies.md).")
  private boolean lint;

  @Option(names = "--strict", description = "Implies --lint; any warning makes the exit status 1.")
  private boolean strict;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Policy files or directories.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentConfig agent;
    try {
      agent = configFile == null ? AgentConfig.defaults() : AgentConfig.parse(configFile);
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.flush();
      return 1;
    }
    int problems = 0;
    List<ScalingPolicy> loaded = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        err.println(path + ": no such file or directory");
        problems++;
      } else if (Files.isDirectory(path)) {
        try {
          LoadedPolicies dir = Policies.parseDirectory(path);
          loaded.addAll(dir.policies());
          for (PolicyException failure : dir.failures().values()) {
            problems += print(err, failure);
          }
        } catch (PolicyException e) {
          problems += print(err, e);
        }
      } else if (jobText(path) != null) {
        problems += job(path, jobText(path), loaded, out, err);
      } else {
        try {
          loaded.addAll(Policies.parse(path));
        } catch (PolicyException e) {
          problems += print(err, e);
        }
      }
    }
    int policies = loaded.size();
    try (PolicyPlugins plugins = new PolicyPlugins(agent)) {
      for (ScalingPolicy policy : loaded) {
        List<String> found = plugins.problems(policy);
        found.forEach(err::println);
        problems += found.size();
      }
      plugins.agentProblems().forEach(err::println);
      problems += plugins.agentProblems().size();
      plugins.notes().forEach(out::println);
    }
    for (ScalingPolicy policy : loaded) {
      if (!policy.isSet(ScalingPolicy.Field.ENABLED)) {
        // Not a problem: nomad-autoscaler parks such a file policy too, and so does capstan agent.
        out.println(policy.origin() + ": policy '" + policy.name() + "': disabled (no enabled = true); "
            + "the agent skips it, as nomad-autoscaler does");
      }
    }
    int warnings = 0;
    if (lint || strict) {
      List<LintWarning> found = PolicyLint.lint(loaded);
      found.forEach(out::println);
      warnings = found.size();
    }
    if (problems > 0) {
      err.println(problems + (problems == 1 ? " problem" : " problems") + " found");
      err.flush();
      return 1;
    }
    if (strict && warnings > 0) {
      err.println(warnings + (warnings == 1 ? " warning" : " warnings") + " found (--strict)");
      err.flush();
      return 1;
    }
    out.println(policies + (policies == 1 ? " policy is" : " policies are") + " valid"
        + (warnings == 0 ? "" : ", with " + warnings + (warnings == 1 ? " warning" : " warnings")));
    out.flush();
    return 0;
  }

  /** The text of {@code path} when it is a Nomad job file, else null (unreadable files are the parser's to report). */
  private static String jobText(Path path) {
    try {
      String text = Files.readString(path);
      return NomadJobTemplates.isJob(text) ? text : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Parses the policies a Nomad job file carries in its templates, each named
   * {@code FILE (template DESTINATION)}; a template with Nomad template actions is only noted, since
   * only Nomad can render it.
   */
  private static int job(Path path, String text, List<ScalingPolicy> loaded, PrintWriter out, PrintWriter err) {
    int problems = 0;
    for (NomadJobTemplates.Template t : NomadJobTemplates.of(text)) {
      if (!t.isPolicy()) {
        continue;
      }
      String origin = path + ":" + t.line() + " (template " + (t.destination().isEmpty() ? "without destination"
          : t.destination()) + ")";
      if (t.hasActions()) {
        out.println("note: " + origin + " has Nomad template actions ({{ ... }}), so it was not checked");
        continue;
      }
      try {
        loaded.addAll(Policies.parse(t.data(), origin));
      } catch (PolicyException e) {
        problems += print(err, e);
      }
    }
    return problems;
  }

  private static int print(PrintWriter err, PolicyException e) {
    e.problems().forEach(err::println);
    return e.problems().size();
  }
}
