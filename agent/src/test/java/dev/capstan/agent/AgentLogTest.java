package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

final class AgentLogTest {
  private static final Instant NOW = Instant.parse("2026-12-01T13:15:02.123Z");

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final Logger log = new AgentLog().getLogger("dev.capstan.agent.Agent");

  @BeforeEach
  void capture() {
    AgentLog.writeTo(new PrintStream(bytes, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void reset() {
    AgentLog.reset();
  }

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void text_isThePeersShape() {
    AgentLog.configure(Level.INFO, false, false);

    log.info("policy {} loaded", "web");

    assertThat(written()).isEqualTo("2026-12-01T13:15:02.123Z [INFO]  dev.capstan.agent.Agent: policy web loaded"
        + System.lineSeparator());
  }

  @Test
  void includeLocation_namesTheFileAndLineThatLogged() {
    AgentLog.configure(Level.INFO, false, true);

    int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
    log.warn("slow");

    assertThat(written()).startsWith("2026-12-01T13:15:02.123Z [WARN]  AgentLogTest.java:" + line
        + ": dev.capstan.agent.Agent: slow");
  }

  @Test
  void json_isOneObjectALineWithTheKeysOfThePeersLogger() throws Exception {
    AgentLog.configure(Level.INFO, true, true);

    log.error("target {} failed", "aws-asg", new IllegalStateException("throttled"));

    assertThat(written().lines()).hasSize(1);
    JsonNode event = new ObjectMapper().readTree(written());
    assertThat(event.get("@timestamp").asText()).isEqualTo("2026-12-01T13:15:02.123Z");
    assertThat(event.get("@level").asText()).isEqualTo("error");
    assertThat(event.get("@module").asText()).isEqualTo("dev.capstan.agent.Agent");
    assertThat(event.get("@message").asText()).isEqualTo("target aws-asg failed");
    assertThat(event.get("@caller").asText()).startsWith("AgentLogTest.java:");
    assertThat(event.get("@exception").asText()).startsWith("java.lang.IllegalStateException: throttled");
  }

  @Test
  void level_appliesToCapstansLoggersAndLibrariesStayAtInfo() {
    Logger library = new AgentLog().getLogger("software.amazon.awssdk.request");
    AgentLog.configure(Level.DEBUG, false, false);

    log.debug("ours");
    library.debug("theirs");
    library.info("theirs at info");
    AgentLog.configure(Level.WARN, false, false);
    log.info("hidden");

    assertThat(written()).contains("ours").contains("theirs at info").doesNotContain("theirs\n")
        .doesNotContain("hidden");
  }

  @Test
  void azureCredentialLoggers_areHeardOnlyAtDebug() {
    Logger msal = new AgentLog().getLogger("com.microsoft.aad.msal4j.ConfidentialClientApplication");
    Logger credential = new AgentLog().getLogger("com.azure.identity.ClientSecretCredential");
    Logger arm = new AgentLog().getLogger("com.azure.core.http.policy.HttpLoggingPolicy");

    msal.warn("msal refused");
    credential.error("credential refused");
    arm.warn("arm warning");
    AgentLog.configure(Level.DEBUG, false, false);
    credential.error("credential refused, told at debug");

    assertThat(written()).doesNotContain("msal refused").doesNotContain("credential refused\n")
        .contains("arm warning").contains("credential refused, told at debug");
  }

  @Test
  void provider_isTheOneSlf4jUses() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(AgentLog.class);
  }
}
