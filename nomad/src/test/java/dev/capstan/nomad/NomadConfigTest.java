package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

final class NomadConfigTest {

  private static NomadConfig parse(Map<String, String> config, Function<String, String> env) {
    ConfigReader r = ConfigReader.of(config, "nomad test");
    NomadConfig c = NomadConfig.read(r, config, env);
    r.rejectUnknownKeys();
    r.validate();
    return c;
  }

  @Test
  void read_nothingSet_nomadsDefaults() {
    NomadConfig c = parse(Map.of(), name -> null);
    assertThat(c.address()).hasToString("http://127.0.0.1:4646");
    assertThat(c.region()).isEmpty();
    assertThat(c.namespaces()).containsExactly("default");
    assertThat(c.token()).isEmpty();
    assertThat(c.blockingWait()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.blockingTimeout()).isGreaterThan(c.blockingWait().plus(c.blockingWait().dividedBy(16)));
  }

  @Test
  void read_environmentFallbacks_usedOnlyForUnsetKeys() {
    Map<String, String> env = Map.of("NOMAD_ADDR", "http://nomad.internal:4646/", "NOMAD_TOKEN", "env-secret",
        "NOMAD_REGION", "eu", "NOMAD_NAMESPACE", "a, b");
    NomadConfig c = parse(Map.of("region", "us"), env::get);
    assertThat(c.address()).hasToString("http://nomad.internal:4646");
    assertThat(c.region()).hasValue("us");
    assertThat(c.namespaces()).containsExactly("a", "b");
    assertThat(c.token()).isEqualTo("env-secret");
  }

  @Test
  void read_peersPluginSpellings_accepted() {
    NomadConfig c = parse(Map.of("nomad_address", "https://n:4646", "nomad_http-auth", "u:p",
        "nomad_block-query-wait-time", "30s"), name -> null);
    assertThat(c.address()).hasToString("https://n:4646");
    assertThat(c.httpAuth()).isEqualTo("u:p");
    assertThat(c.blockingWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void toString_andProblems_neverShowSecrets() {
    NomadConfig c = parse(Map.of("token", "s3cret", "http_auth", "user:pa55"), name -> null);
    assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("pa55").contains("token=<hidden>");
    assertThatThrownBy(() -> parse(Map.of("address", "http://user:pa55@h:4646", "token", "s3cret", "tokn", "x"),
        name -> null)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("address must not hold credentials").hasMessageContaining("'tokn' is not a known key")
        .hasMessageNotContaining("pa55").hasMessageNotContaining("s3cret");
  }

  @Test
  void read_badValues_allReportedAtOnce() {
    assertThatThrownBy(() -> parse(Map.of("address", "ftp://x", "skip_verify", "maybe", "client_cert", "/c.pem",
        "tls_server_name", "nomad.service"), name -> null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("address was 'ftp://x' but it must be an http or https URL")
        .hasMessageContaining("skip_verify was 'maybe' but it must be true or false")
        .hasMessageContaining("client_cert and client_key must be set together")
        .hasMessageContaining("tls_server_name was 'nomad.service' but it is not supported by Capstan yet");
  }

  @Test
  void read_skipVerify_buildsTrustAllContext() {
    assertThat(parse(Map.of("skip_verify", "true"), name -> null).sslContext()).isPresent();
    assertThat(parse(Map.of(), name -> null).sslContext()).isEmpty();
  }
}
