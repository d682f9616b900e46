package dev.capstan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;
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
}
