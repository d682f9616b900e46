package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.capstan.policy.Policies;
import dev.capstan.policy.PolicyException;
import org.junit.jupiter.api.Test;

/** What capstan-core leaves out of a consumer's classpath, and that HCL parses without it. */
final class LeanClasspathTest {

  @Test
  void classpath_withoutHcl4jsHttpStack_parsesHcl() {
    for (String absent : new String[] {"org.apache.http.client.HttpClient", "org.apache.http.HttpEntity",
        "org.apache.http.entity.mime.MultipartEntityBuilder", "org.apache.commons.beanutils.PropertyUtils",
        "org.apache.commons.collections.Buffer", "org.apache.commons.net.SocketClient",
        "org.apache.commons.math3.util.FastMath"}) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(absent), absent);
    }

    assertEquals(1, Policies.parse("scaling \"web\" {\n  max = 3\n  policy {\n    check \"c\" {\n"
        + "      strategy \"fixed-value\" { value = 2 }\n    }\n    target \"t\" {}\n  }\n}\n", "web.hcl").size());
  }

  @Test
  void parse_malformedHcl_throwsPolicyExceptionAndLogsNoError() {
    // verify.groovy checks that hcl4j's own ERROR line and stack trace are not in the build's log.
    PolicyException e = assertThrows(PolicyException.class,
        () -> Policies.parse("scaling \"web\" {\n  min = = 1\n}\n", "web.hcl"));
    assertTrue(e.getMessage().startsWith("web.hcl:2:"), e.getMessage());
  }
}
