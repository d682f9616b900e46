package dev.capstan.source.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.MetricSourceException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ca_file} against an https server whose self-signed certificate the JDK's keytool makes, so
 * the trust really comes from the PEM file.
 */
final class TlsTest {
  private static final char[] STORE_PASSWORD = "changeit".toCharArray();
  private static final Instant AT = Instant.ofEpochSecond(1795608000);

  @TempDir
  static Path dir;
  private static HttpsServer server;
  private static Path caPem;

  @BeforeAll
  static void startHttpsServer() throws Exception {
    Path keystore = dir.resolve("server.p12");
    caPem = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "prom", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "prom", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-file", caPem.toString());

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, STORE_PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, STORE_PASSWORD);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    server.createContext("/", exchange -> {
      byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[" + AT.getEpochSecond()
          + ",\"3\"]}}").getBytes(StandardCharsets.UTF_8);
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterAll
  static void stopHttpsServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static void keytool(String... args) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", args[0], output).isZero();
  }

  private static String address() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void query_caFileTrustsServer_succeeds() {
    try (MetricSource source = new PrometheusSourceProvider().create(Map.of("address", address(),
        "ca_file", caPem.toString()))) {
      assertThat(source.query("scalar(up)", AT, AT)).isEqualTo(MetricSeries.of(AT.toEpochMilli(), 3));
    }
  }

  @Test
  void query_withoutCaFile_failsTheHandshake() {
    try (MetricSource source = new PrometheusSourceProvider().create(Map.of("address", address()))) {
      assertThatThrownBy(() -> source.query("scalar(up)", AT, AT))
          .isInstanceOf(MetricSourceException.class)
          .hasMessageContaining("Prometheus at " + address() + ", query 'scalar(up)': TLS failed")
          .hasMessageContaining("set ca_file");
    }
  }
}
