package dev.capstan.agent;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code capstan} command line in-process and keeps what it printed. */
final class CliRun {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs {@code capstan subcommand args...} and returns its exit status. */
  int execute(String subcommand, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = subcommand;
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
