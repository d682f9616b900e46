package dev.capstan.source.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PrometheusConfigTest {
  private static final String PASSWORD = "hunter2-secret";

  @Test
  void parse_empty_usesPeerDefaults() {
    PrometheusConfig config = PrometheusConfig.parse(Map.of());

    assertThat(config.address()).isEqualTo(URI.create("http://127.0.0.1:9090"));
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.authorization()).isEmpty();
    assertThat(config.headers()).isEmpty();
    assertThat(config.sslContext()).isEmpty();
  }

  @Test
  void parse_trailingSlashAndPathPrefix_keepsPrefixWithoutSlash() {
    assertThat(PrometheusConfig.parse(Map.of("address", "https://metrics.example/prometheus/")).address())
        .isEqualTo(URI.create("https://metrics.example/prometheus"));
  }

  @Test
  void parse_severalBadKeys_reportsAllAtOnce() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("address", "ftp://x", "timeout", "soon",
        "adress", "http://y")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("address was 'ftp://x' but it must be an http or https URI")
        .hasMessageContaining("timeout was 'soon' but it must be a duration")
        .hasMessageContaining("'adress' is not a known key");
  }

  @Test
  void parse_zeroTimeout_isRejected() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("timeout", "0s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("timeout was '0s' but it must be a positive duration");
  }

  @Test
  void parse_userWithoutPassword_isRejected() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("basic_auth_user", "scaler")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic_auth_password is missing but it is required when basic_auth_user is set");
  }

  @Test
  void parse_passwordWithoutUser_isRejectedWithoutQuotingIt() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("basic_auth_password", PASSWORD)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic_auth_password is set but basic_auth_user is not")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void parse_credentialsInAddress_areRejectedWithoutQuotingThem() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("address", "http://scaler:" + PASSWORD + "@prom:9090")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("address must not hold credentials; use basic_auth_user and basic_auth_password")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void parse_credentialsInAddressThatDoesNotParse_areNotQuoted() {
    // An underscore in the host makes the authority registry-based (no user info, no host); a space or a
    // stray '#' makes the URI invalid. The password must stay out of the message either way.
    for (String address : new String[] {"http://scaler:" + PASSWORD + "@prom_server:9090",
        "http://scaler:" + PASSWORD + " x@prom:9090", "http://scaler:#" + PASSWORD + "@prom:9090"}) {
      assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("address", address)))
          .as(address)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("address was 'http://<credentials>@")
          .hasMessageNotContaining(PASSWORD);
    }
  }

  @Test
  void parse_headers_areKeptByNameAndRestrictedOnesRejected() {
    assertThat(PrometheusConfig.parse(Map.of("header.X-Scope-OrgID", "t1")).headers())
        .containsExactly(Map.entry("X-Scope-OrgID", "t1"));
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("header.Host", PASSWORD)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("header.Host is not a header the HTTP client may set")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void parse_authorizationHeaderAndBasicAuth_areExclusive() {
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("basic_auth_user", "u", "basic_auth_password", PASSWORD,
        "header.Authorization", "Bearer abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("header.Authorization is set together with basic_auth_user; use one of them")
        .hasMessageNotContaining(PASSWORD)
        .hasMessageNotContaining("Bearer abc");
  }

  @Test
  void parse_missingCaFile_isRejected(@TempDir Path dir) {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("address", "https://prom:9090", "ca_file", missing.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ca_file was '" + missing + "' but it must name a readable PEM file");
  }

  @Test
  void parse_caFileWithoutCertificates_isRejected(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("address", "https://prom:9090", "ca_file", empty.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ca_file was '" + empty + "' but it must hold");
  }

  @Test
  void parse_caFileWithPlainHttp_isRejected(@TempDir Path dir) throws Exception {
    Path pem = Files.writeString(dir.resolve("ca.pem"), "");
    assertThatThrownBy(() -> PrometheusConfig.parse(Map.of("ca_file", pem.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ca_file is set but address 'http://127.0.0.1:9090' is not https");
  }

  @Test
  void toString_hidesPasswordAndHeaderValues() {
    PrometheusConfig config = PrometheusConfig.parse(Map.of("basic_auth_user", "scaler", "basic_auth_password", PASSWORD,
        "header.X-Token", "tok-999"));

    assertThat(config.toString()).contains("scaler", "X-Token", "<hidden>").doesNotContain(PASSWORD, "tok-999");
  }
}
