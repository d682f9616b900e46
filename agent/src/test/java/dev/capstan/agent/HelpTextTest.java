package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Every command's {@code --help}: readable in an 80-column terminal, no description cut mid-sentence. */
final class HelpTextTest {
  private static List<CommandLine> everyCommand() {
    List<CommandLine> all = new ArrayList<>();
    CommandLine top = Main.commandLine();
    all.add(top);
    top.getSubcommands().values().stream().distinct().forEach(all::add);
    return all;
  }

  /**
   * Picocli prints each string of a description array on a line of its own, so a string that stops
   * mid-sentence reads as a cut line ("...against a simulated" / "cloud group").
   */
  private static boolean whole(String text) {
    String t = text.strip();
    return t.isEmpty() || t.endsWith(".") || t.endsWith(":") || t.endsWith(")") && !t.endsWith("e.g.)");
  }

  @Test
  void help_everyCommand_fitsIn80Columns() {
    for (CommandLine command : everyCommand()) {
      String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);

      assertThat(help.lines()).as(command.getCommandName()).allSatisfy(line -> assertThat(line.length())
          .as("%s: %s", command.getCommandName(), line).isLessThanOrEqualTo(80));
    }
  }

  @Test
  void help_everyDescription_isWholeSentences() {
    for (CommandLine command : everyCommand()) {
      CommandSpec spec = command.getCommandSpec();
      List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
      texts.addAll(List.of(spec.usageMessage().footer()));
      for (OptionSpec option : spec.options()) {
        if (!option.hidden()) {
          texts.add(String.join(" ", option.description()));
        }
      }
      for (PositionalParamSpec p : spec.positionalParameters()) {
        texts.add(String.join(" ", p.description()));
      }
      assertThat(texts).as(command.getCommandName()).allSatisfy(t -> assertThat(whole(t))
          .as("%s: '%s' does not end a sentence", command.getCommandName(), t).isTrue());
    }
  }

  @Test
  void help_simulate_wrapsItsDescriptionWithinSentencesNotAtTheirEnds() {
    CommandLine simulate = Main.commandLine().getSubcommands().get("simulate");

    List<String> lines = simulate.getUsageMessage(CommandLine.Help.Ansi.OFF).lines().toList();

    assertThat(lines).noneMatch(l -> l.strip().equals("HTML report. Without --policy it runs the AWS, GCE and Azure"));
    assertThat(lines).anyMatch(l -> l.contains("writes an HTML report."));
  }
}
