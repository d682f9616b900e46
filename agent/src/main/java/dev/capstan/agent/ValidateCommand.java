package dev.capstan.agent;

import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code capstan validate}: checks policy files and prints every problem with its file and line. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Checks policy files (and the .hcl and .json files directly inside directories) and prints",
        "every problem as FILE[:LINE[:COLUMN]]: message. Exits 1 if any file has a problem."})
final class ValidateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Policy files or directories.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int policies = 0;
    int problems = 0;
    for (Path path : paths) {
      if (!Files.exists(path)) {
        err.println(path + ": no such file or directory");
        problems++;
      } else if (Files.isDirectory(path)) {
        try {
          LoadedPolicies loaded = Policies.parseDirectory(path);
          policies += loaded.policies().size();
          for (PolicyException failure : loaded.failures().values()) {
            problems += print(err, failure);
          }
        } catch (PolicyException e) {
          problems += print(err, e);
        }
      } else {
        try {
          policies += Policies.parse(path).size();
        } catch (PolicyException e) {
          problems += print(err, e);
        }
      }
    }
    if (problems > 0) {
      err.println(problems + (problems == 1 ? " problem" : " problems") + " found");
      err.flush();
      return 1;
    }
    out.println(policies + (policies == 1 ? " policy is" : " policies are") + " valid");
    out.flush();
    return 0;
  }

  private static int print(PrintWriter err, PolicyException e) {
    e.problems().forEach(err::println);
    return e.problems().size();
  }
}
