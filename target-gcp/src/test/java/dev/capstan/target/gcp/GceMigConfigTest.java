package dev.capstan.target.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class GceMigConfigTest {

  @Test
  void parse_empty_usesDefaultsAndApplicationDefaultCredentials() {
    GceMigConfig config = GceMigConfig.parse(Map.of());

    assertThat(config).isEqualTo(new GceMigConfig(Optional.empty(), Optional.empty(), Optional.empty(), 5,
        Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5),
        Duration.ofSeconds(1)));
  }

  @Test
  void parse_maxRetryDelay_readAndCheckedAgainstRetryDelay() {
    assertThat(GceMigConfig.parse(Map.of("retry_delay", "1s", "max_retry_delay", "4s")).maxRetryDelay())
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(GceMigConfig.parse(Map.of("retry_delay", "45s")).maxRetryDelay())
        .as("a first delay above the default cap is not cut").isEqualTo(Duration.ofSeconds(45));
    assertThatThrownBy(() -> GceMigConfig.parse(Map.of("retry_delay", "5s", "max_retry_delay", "1s")))
        .hasMessageContaining("max_retry_delay was '1s' but it must be at least retry_delay");
  }

  @Test
  void parse_badValues_reportsEveryProblemAtOnce() {
    Map<String, String> config = Map.of("retry_attempts", "0", "poll_interval", "fast", "endpoint", "ftp://x",
        "credentials", "/no/such/key.json", "zone", "us-central1-a", "retry_delay", "0s");

    assertThatThrownBy(() -> GceMigConfig.parse(config))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "retry_attempts was '0' but it must be between 1 and 100",
            "poll_interval was 'fast' but it must be a duration such as 90s, 5m or 1h30m",
            "retry_delay was '0s' but it must be a positive duration",
            "endpoint was 'ftp://x' but it must be an http or https URL such as https://compute.googleapis.com",
            "credentials was '/no/such/key.json' but it must be the path of a readable service-account JSON key file",
            "'zone' is not a known key; known keys are credentials, endpoint, max_retry_delay, operation_timeout,"
                + " poll_interval, project, request_timeout, retry_attempts, retry_delay"));
  }

  @Test
  void migRef_zonal_namesTheZonalResource() {
    MigRef ref = MigRef.parse(Map.of("mig_name", "web", "zone", "us-central1-a"), Optional.of("proj"));

    assertThat(ref).isEqualTo(new MigRef("proj", false, "us-central1-a", "web"));
    assertThat(ref).hasToString("projects/proj/zones/us-central1-a/instanceGroupManagers/web");
  }

  @Test
  void migRef_regionalWithProject_overridesTheAgentProject() {
    MigRef ref = MigRef.parse(Map.of("mig_name", "web", "region", "europe-west1", "project", "other"),
        Optional.of("proj"));

    assertThat(ref).hasToString("projects/other/regions/europe-west1/instanceGroupManagers/web");
  }

  @Test
  void migRef_clusterKeys_areAccepted() {
    Map<String, String> config = new HashMap<>(Map.of("mig_name", "web", "zone", "us-central1-a"));
    InstanceGroup.CLUSTER_KEYS.forEach(key -> config.put(key, "x"));

    assertThat(MigRef.parse(config, Optional.of("proj")).name()).isEqualTo("web");
  }

  @Test
  void migRef_bothZoneAndRegion_isRejected() {
    assertThatThrownBy(() -> MigRef.parse(Map.of("mig_name", "web", "zone", "a", "region", "b"), Optional.of("p")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("exactly one of zone (zonal group) or region (regional group) is required, but both were given");
  }

  @Test
  void migRef_everythingWrong_reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> MigRef.parse(Map.of("mig_name", "Web_1", "mig-name", "web"), Optional.empty()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "mig_name was 'Web_1' but it must be a Compute Engine name: 1 to 63 lower-case letters, digits or"
                + " dashes, starting with a letter",
            "exactly one of zone (zonal group) or region (regional group) is required, but neither was given",
            "project is required here or in the agent config, but was missing in both",
            "'mig-name' is not a known key; known keys are datacenter, mig_name, node_class, node_drain_deadline,"
                + " node_drain_ignore_system_jobs, node_pool, node_purge, node_ready_check, node_selector_strategy, project, region, zone"));
  }
}
