package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent file's {@code high_availability} block. */
final class AgentHighAvailabilityConfigTest {

  private static AgentConfig parse(String body) {
    return AgentConfig.parse("high_availability {\n" + body + "\n}\n", "agent.hcl");
  }

  private static void assertProblem(String body, String problem) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("agent file agent.hcl")
        .hasMessageContaining("high_availability block: " + problem);
  }

  @Test
  void parse_enabledWithEveryKey_readsTheGroup() {
    AgentConfig config = parse("""
        enabled         = true
        zookeeper       = "h1:2181,h2:2181"
        path            = "/capstan/prod"
        session_timeout = "15s"
        """);

    assertThat(config.highAvailability()).contains(
        new AgentConfig.HighAvailability("h1:2181,h2:2181", "/capstan/prod", Duration.ofSeconds(15), Optional.empty()));
    assertThat(config.ignored()).isEmpty();
  }

  @Test
  void parse_enabledWithOnlyZookeeper_usesDefaultPathAndSessionTimeout() {
    AgentConfig config = parse("enabled = true\nzookeeper = \"127.0.0.1:2181\"");

    assertThat(config.highAvailability()).contains(new AgentConfig.HighAvailability("127.0.0.1:2181", "/capstan",
        Duration.ofSeconds(10), Optional.empty()));
  }

  @Test
  void parse_notEnabled_isASingleAgent() {
    assertThat(parse("zookeeper = \"h1:2181\"").highAvailability()).isEmpty();
    assertThat(parse("enabled = false\nzookeeper = \"h1:2181\"").highAvailability()).isEmpty();
    assertThat(AgentConfig.parse("log_level = \"INFO\"", "agent.hcl").highAvailability()).isEmpty();
  }

  @Test
  void parse_peerLockKeysNextToZookeeper_areAcceptedAndListedAsIgnored() {
    AgentConfig config = parse("enabled = true\nzookeeper = \"h1:2181\"\nlock_ttl = \"30s\"\nlock_path = \"x\"");

    assertThat(config.highAvailability()).isPresent();
    assertThat(config.ignored()).containsExactly("high_availability.lock_path", "high_availability.lock_ttl");
  }

  @Test
  void parse_peersNomadLockForm_isIgnoredAndLeavesASingleAgent() {
    AgentConfig config = parse("enabled = true\nlock_namespace = \"ns\"\nlock_ttl = \"30s\"");

    assertThat(config.highAvailability()).isEmpty();
    assertThat(config.ignored()).containsExactly("high_availability");
  }

  @Test
  void parse_enabledWithoutZookeeper_isAnError() {
    assertProblem("enabled = true", "zookeeper is missing but it must be set when enabled = true");
  }

  @Test
  void parse_badEnabled_namesTheValue() {
    assertProblem("enabled = \"maybe\"\nzookeeper = \"h1:2181\"", "enabled was 'maybe' but it");
  }

  @Test
  void parse_zookeeperWithoutPort_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1,h2:2181\"",
        "zookeeper was 'h1,h2:2181' but it must list host:port pairs separated by commas");
  }

  @Test
  void parse_zookeeperPortOutOfRange_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1:99999\"", "zookeeper was 'h1:99999' but it must list host:port pairs");
  }

  @Test
  void parse_relativePath_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\npath = \"capstan\"",
        "path was 'capstan' but it must be an absolute ZooKeeper path");
  }

  @Test
  void parse_pathWithTrailingSlash_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\npath = \"/capstan/\"",
        "path was '/capstan/' but it must be an absolute ZooKeeper path");
  }

  @Test
  void parse_sessionTimeoutNotADuration_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\nsession_timeout = \"soon\"", "session_timeout was 'soon' but it");
  }

  @Test
  void parse_sessionTimeoutZero_namesTheValue() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\nsession_timeout = \"0s\"",
        "session_timeout was '0s' but it must be positive");
  }

  @Test
  void parse_unknownKey_isAnErrorListingTheKnownOnes() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\nzk_path = \"/x\"", "'zk_path' is not a known key");
  }

  @Test
  void parse_severalBadValues_reportsEveryOneAtOnce() {
    assertThatThrownBy(() -> parse("enabled = true\nzookeeper = \"nope\"\npath = \"rel\"\nsession_timeout = \"-1s\""))
        .hasMessageContaining("zookeeper was 'nope'")
        .hasMessageContaining("path was 'rel'")
        .hasMessageContaining("session_timeout was '-1s'");
  }

  @Test
  void parse_notABlock_isAnError() {
    assertThatThrownBy(() -> AgentConfig.parse("high_availability = \"yes\"", "agent.hcl"))
        .hasMessageContaining("agent file agent.hcl")
        .hasMessageContaining("'high_availability' must be a block");
  }

  @Test
  void parse_memberId_isRead() {
    assertThat(parse("enabled = true\nzookeeper = \"h1:2181\"\nmember_id = \"agent-a\"").highAvailability())
        .map(AgentConfig.HighAvailability::memberId).contains(Optional.of("agent-a"));
  }

  @Test
  void parse_blankMemberId_namesIt() {
    assertProblem("enabled = true\nzookeeper = \"h1:2181\"\nmember_id = \" \"", "member_id was ' ' but it must not be blank");
  }

  @Test
  void flags_enabled_switchesOnTheFilesBlockWithItsKeys() {
    AgentConfig config = parse("zookeeper = \"h1:2181\"\npath = \"/capstan/prod\"\nmember_id = \"a\"")
        .withHighAvailabilityFlags(true, null, null);

    assertThat(config.highAvailability()).contains(
        new AgentConfig.HighAvailability("h1:2181", "/capstan/prod", Duration.ofSeconds(10), Optional.of("a")));
  }

  @Test
  void flags_enabledFalse_leavesASingleAgent() {
    assertThat(parse("enabled = true\nzookeeper = \"h1:2181\"").withHighAvailabilityFlags(false, null, null)
        .highAvailability()).isEmpty();
  }

  @Test
  void flags_zookeeperAndMemberId_replaceTheFilesKeys() {
    AgentConfig config = parse("enabled = true\nzookeeper = \"h1:2181\"\nmember_id = \"a\"")
        .withHighAvailabilityFlags(null, "h2:2181,h3:2181", "b");

    assertThat(config.highAvailability()).contains(
        new AgentConfig.HighAvailability("h2:2181,h3:2181", "/capstan", Duration.ofSeconds(10), Optional.of("b")));
  }

  @Test
  void flags_enabledWithoutAnyZookeeper_namesTheFlag() {
    assertThatThrownBy(() -> AgentConfig.defaults().withHighAvailabilityFlags(true, null, null))
        .hasMessageContaining("-high-availability-enabled needs a ZooKeeper");
  }

  @Test
  void flags_badZookeeper_namesTheFlagAndValue() {
    assertThatThrownBy(() -> AgentConfig.defaults().withHighAvailabilityFlags(true, "h1", null))
        .hasMessageContaining("-high-availability-zookeeper was 'h1' but it must list host:port pairs");
  }
}
