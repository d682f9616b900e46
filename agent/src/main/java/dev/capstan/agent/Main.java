package dev.capstan.agent;

import picocli.CommandLine;

/** The entry point of the {@code capstan} command. */
public final class Main {
  private Main() {}

  /**
   * Runs the command line and exits with its status: 0 on success, 1 when the work failed (for
   * example a policy with problems), 2 on a usage error.
   *
   * @param args the arguments, e.g. {@code simulate --duration 24h}
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new CapstanCommand()).addSubcommand(AgentCommand.commandLine());
  }
}
