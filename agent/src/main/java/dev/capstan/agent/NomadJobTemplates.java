package dev.capstan.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code template} blocks of a Nomad job file whose {@code data} is a heredoc, as the peer's and
 * Capstan's example jobs carry their agent file and policies ({@code data = <<EOF ... EOF} then
 * {@code destination = "..."}). Found by their text, not by parsing the job: a job file is HCL2 with
 * Nomad's runtime interpolations ({@code ${NOMAD_TASK_DIR}}), which the policy parser does not read.
 * Templates whose data is inline ({@code data = "..."}) or comes from a file ({@code source}) are not
 * found.
 */
final class NomadJobTemplates {
  /** {@code data = <<EOF} or {@code <<-EOF}, the body, then the delimiter alone on its line. */
  private static final Pattern HEREDOC = Pattern.compile(
      "\\bdata\\s*=\\s*<<-?([A-Za-z_][A-Za-z0-9_]*)[ \\t]*\\r?\\n(.*?)\\r?\\n[ \\t]*\\1[ \\t]*(?=\\r?\\n|$)",
      Pattern.DOTALL);
  private static final Pattern DATA = Pattern.compile("\\bdata\\s*=");
  private static final Pattern DESTINATION = Pattern.compile("\\bdestination\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern JOB = Pattern.compile("(?m)^\\s*job\\s+\"[^\"]*\"\\s*\\{");
  private static final Pattern SCALING = Pattern.compile("(?m)^\\s*scaling\\s+\"[^\"]*\"\\s*\\{");

  /**
   * One heredoc template.
   *
   * @param destination its {@code destination}, or empty when the block names none after its data
   * @param data the heredoc's text
   * @param line the 1-based line of the job file where the data starts
   */
  record Template(String destination, String data, int line) {
    /** Whether the template renders a policy file: its text declares a {@code scaling} block. */
    boolean isPolicy() {
      return SCALING.matcher(data).find();
    }

    /** Whether Nomad still has to render it: it holds template actions ({@code {{ ... }}}). */
    boolean hasActions() {
      return data.contains("{{");
    }
  }

  private NomadJobTemplates() {}

  /** Whether {@code text} is a Nomad job file: it declares a top-level {@code job "<name>"} block. */
  static boolean isJob(String text) {
    return JOB.matcher(text).find();
  }

  /** Returns the heredoc templates of a job file's text, in file order. */
  static List<Template> of(String text) {
    List<Template> found = new ArrayList<>();
    Matcher m = HEREDOC.matcher(text);
    while (m.find()) {
      Matcher d = DESTINATION.matcher(text);
      String destination = "";
      // The destination belongs to this template when it comes before the next template's data.
      Matcher nextData = DATA.matcher(text);
      int next = nextData.find(m.end()) ? nextData.start() : -1;
      if (d.find(m.end()) && (next < 0 || d.start() < next)) {
        destination = d.group(1);
      }
      int line = 1 + (int) text.substring(0, m.start(2)).chars().filter(c -> c == '\n').count();
      found.add(new Template(destination, m.group(2), line));
    }
    return found;
  }
}
