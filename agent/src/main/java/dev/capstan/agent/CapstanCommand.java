package dev.capstan.agent;

import picocli.CommandLine.Command;

/**
 * The top-level {@code capstan} command; the work is done by its subcommands ({@code agent}, alias
 * {@code run}, is added by {@link Main#commandLine()} because its peer flags are declared in code).
 */
@Command(name = "capstan", mixinStandardHelpOptions = true, version = "capstan 0.1.0",
    description = "An embeddable autoscaler for the JVM, compatible with nomad-autoscaler policy files.",
    subcommands = {SimulateCommand.class, ValidateCommand.class, BacktestCommand.class, FakeClusterCommand.class,
        OverrideCommands.Pause.class, OverrideCommands.Hold.class, OverrideCommands.Resume.class})
final class CapstanCommand {
}
