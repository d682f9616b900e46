package dev.capstan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

final class HclTest {

  @Test
  void parse_malformedHcl_hcl4jLogsNoErrorLine() {
    // slf4j-simple (this module's test binding) prints INFO and above to System.err, looked up per line.
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThatThrownBy(() -> Policies.parse("scaling \"web\" {\n  min = = 1\n}\n", "web.hcl"))
          .isInstanceOf(PolicyException.class)
          .hasMessageContaining("web.hcl:2:")
          .hasMessageContaining("malformed HCL");
    } finally {
      System.setErr(err);
    }

    assertThat(Hcl.quieted()).isTrue();
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("ERROR").doesNotContain("hcl4j");
  }

  @Test
  void atDebug_errorWithThrowable_passesItOnAtDebug() {
    Queue<SubstituteLoggingEvent> events = new ArrayDeque<>();
    IllegalStateException failure = new IllegalStateException("line: 2 col: 9");
    Hcl.AtDebug logger = new Hcl.AtDebug(new SubstituteLogger("hcl4j", events, false));

    logger.error("Error Parsing HCL...{}", failure.getMessage(), failure);
    logger.warn("Computed Tuple loop found with too many variables at line {}", 3);

    assertThat(events).extracting(SubstituteLoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.DEBUG);
    SubstituteLoggingEvent first = events.peek();
    assertThat(first.getMessage()).isEqualTo("Error Parsing HCL...{}");
    assertThat(first.getArgumentArray()).containsExactly("line: 2 col: 9");
    assertThat(first.getThrowable()).isSameAs(failure);
  }

  @Test
  void parse_dataHttpLookup_isRefusedWithoutFetching() {
    // hcl4j's own lookup would fetch the URL with Apache HttpClient, which is not on this classpath:
    // it would end in a NoClassDefFoundError instead of a PolicyException.
    String hcl = "data \"http\" \"x\" {\n  url = \"http://127.0.0.1:9/\"\n}\n"
        + "scaling \"web\" {\n  max = data.http.x.body\n}\n";

    assertThatThrownBy(() -> Policies.parse(hcl, "web.hcl"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("web.hcl")
        .hasMessageContaining("web.hcl: data is not a known top-level block");
  }

  @Test
  void classpath_withoutHcl4jsHttpStack_stillParsesHcl() {
    // capstan-core excludes what hcl4j declares for its http lookup; core's own tests run without it.
    for (String absent : new String[] {"org.apache.http.client.HttpClient", "org.apache.http.HttpEntity",
        "org.apache.http.entity.mime.MultipartEntityBuilder", "org.apache.commons.beanutils.PropertyUtils",
        "org.apache.commons.collections.Buffer", "org.apache.commons.net.SocketClient",
        "org.apache.commons.logging.LogFactory"}) {
      assertThatThrownBy(() -> Class.forName(absent)).as(absent).isInstanceOf(ClassNotFoundException.class);
    }

    assertThat(Policies.parse("scaling \"web\" {\n  max = 3\n  policy {\n    check \"c\" {\n"
        + "      strategy \"fixed-value\" { value = 2 }\n    }\n    target \"t\" {}\n  }\n}\n", "web.hcl"))
        .singleElement().satisfies(p -> assertThat(p.max()).isEqualTo(3));
  }

  @Test
  void parse_exponentNumbers_areNumbers() throws Exception {
    Map<String, Object> tree = Hcl.parse("a = 1e3\nb = 1.5E-2\nc = 2e+2\nd = [1e3, -2e1]\n");

    assertThat(tree).containsEntry("a", 1000.0).containsEntry("b", 0.015).containsEntry("c", 200.0)
        .containsEntry("d", List.of(1000.0, -20.0));
  }

  @Test
  void parse_exponentsInStringsCommentsAndNames_areLeftAlone() throws Exception {
    Map<String, Object> tree = Hcl.parse("""
        # 1e3 in a comment
        q = "rate(x[1m]) > 1e3"
        b {
          node-1e3 = "named"
          t = "${2e1}"
        }
        h = <<EOT
        1e3
        EOT
        """);

    assertThat(tree).containsEntry("q", "rate(x[1m]) > 1e3").containsEntry("h", "1e3\n");
    // Inside ${...} it is code again (hcl4j renders a number in a template with its ".0").
    assertThat(tree.get("b")).isEqualTo(Map.of("node-1e3", "named", "t", "20.0"));
  }

  @Test
  void jsonencode_writesGoCtysCompactSortedJson() throws Exception {
    Map<String, Object> tree = Hcl.parse("""
        q = jsonencode({ metric = "cpu", threshold = 1e3, ratio = 0.5, tags = ["a<b", true], none = null })
        """);

    assertThat(tree).containsOnlyKeys("q")
        .containsEntry("q", "{\"metric\":\"cpu\",\"none\":null,\"ratio\":0.5,\"tags\":[\"a\\u003cb\",true],"
            + "\"threshold\":1000}");
  }

  @Test
  void parse_unknownFunction_isAnErrorWithItsPosition() {
    assertThatThrownBy(() -> Hcl.parse("a = 1\nb = upper(\"x\")\n"))
        .isInstanceOfSatisfying(Hcl.Problem.class, p -> {
          assertThat(p.line()).isEqualTo(2);
          assertThat(p.column()).isEqualTo(5);
          assertThat(p.what()).startsWith("upper(...) is not a function").contains("jsonencode(...)");
        });
  }

  @Test
  void envAndFile_becomeReferencesNotValues() throws Exception {
    Map<String, Object> tree = Hcl.parse("b {\n  k = env(\"HOME\")\n  f = file(\"/x/y\")\n}\n");

    assertThat(tree.get("b")).isEqualTo(Map.of("k", new Hcl.Reference("env", "HOME"),
        "f", new Hcl.Reference("file", "/x/y")));
    assertThat(new Hcl.Reference("env", "HOME")).hasToString("env(\"HOME\")");
  }

  @Test
  void reference_insideAString_isRefused() {
    assertThatThrownBy(() -> Hcl.parse("k = \"Bearer ${env(\"TOKEN\")}\"\n"))
        .isInstanceOfSatisfying(Hcl.Problem.class, p -> assertThat(p.what())
            .startsWith("env(...) must be the whole value of an attribute"));
  }

  @Test
  void reference_resolve_readsEnvironmentAndFileWithoutTrailingNewline(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("token"), "s3cr3t-value\n");

    assertThat(new Hcl.Reference("env", "TOKEN").resolve(Map.of("TOKEN", "abc")::get)).isEqualTo("abc");
    assertThat(new Hcl.Reference("file", secret.toString()).resolve(name -> null)).isEqualTo("s3cr3t-value");
  }

  @Test
  void reference_resolve_missing_saysWhyWithoutAValue(@TempDir Path dir) {
    assertThatThrownBy(() -> new Hcl.Reference("env", "NOPE").resolve(name -> null))
        .hasMessage("env(\"NOPE\") has no value: the environment variable NOPE is not set");
    Path missing = dir.resolve("absent");
    assertThatThrownBy(() -> new Hcl.Reference("file", missing.toString()).resolve(name -> null))
        .hasMessage("file(\"" + missing + "\") has no value: the file cannot be read (NoSuchFile)");
  }
}
