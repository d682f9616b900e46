package dev.capstan.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.consumer.Snippets.Snippet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SnippetsTest {
  /** The repository root: surefire runs in this module's folder. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @Test
  void docs_everyJavaBlock_isCodeAConsumerProjectRuns() {
    List<String> problems = new ArrayList<>();
    List<Snippet> blocks = Snippets.docBlocks(ROOT, problems);
    Map<String, Snippet> regions = Snippets.consumerRegions(ROOT, ROOT.resolve("consumer-it/src/it"), problems);

    Snippets.compare(blocks, regions, problems);

    assertThat(blocks).extracting(Snippet::where).anyMatch(where -> where.startsWith("README.md:"));
    assertThat(regions).containsKeys("plugins-strategy", "config-exception", "strategies", "parse-directory",
        "autoscaler", "cluster-target", "node-builder");
    assertThat(problems).isEmpty();
  }

  @Test
  void compare_changedLine_namesBothPlacesAndTheLine() {
    List<String> problems = new ArrayList<>();
    List<Snippet> blocks = Snippets.javaBlocks("docs/x.md",
        "text\n<!-- snippet: demo -->\n```java\nint a = 1;\nint b = 2;\n```\n", problems);
    Map<String, Snippet> regions = Snippets.regions("X.java",
        "class X {\n  void m() {\n    // tag::demo[]\n    int a = 1;\n    int b = 3;\n    // end::demo[]\n  }\n}\n",
        problems);

    Snippets.compare(blocks, regions, problems);

    assertThat(problems).containsExactly("docs/x.md:4: snippet demo line 2 differs from X.java:4\n"
        + "  docs:     int b = 2;\n  consumer: int b = 3;");
  }

  @Test
  void compare_sameCodeOtherIndentation_matches() {
    List<String> problems = new ArrayList<>();
    List<Snippet> blocks = Snippets.javaBlocks("README.md",
        "<!-- snippet: demo -->\n```java\ntry (X x = y) {\n  x.run();   \n}\n```\n", problems);
    Map<String, Snippet> regions = Snippets.regions("X.java",
        "    // tag::demo[]\n    try (X x = y) {\n      x.run();\n    }\n    // end::demo[]\n", problems);

    Snippets.compare(blocks, regions, problems);

    assertThat(problems).isEmpty();
  }

  @Test
  void compare_unnamedBlockAndUnshownRegion_areBothProblems() {
    List<String> problems = new ArrayList<>();
    List<Snippet> blocks = Snippets.javaBlocks("README.md", "```java\nint a;\n```\n", problems);
    Map<String, Snippet> regions = Snippets.regions("X.java", "// tag::lonely[]\nint a;\n// end::lonely[]\n", problems);

    Snippets.compare(blocks, regions, problems);

    assertThat(problems).containsExactly(
        "README.md:1: a java block needs <!-- snippet: NAME --> on the line above, NAME being a // tag::NAME[] "
            + "region of a consumer project under consumer-it/src/it",
        "X.java:2: region lonely is shown in no README.md or docs/ page");
  }
}
