package dev.capstan.source.prometheus;

import dev.capstan.config.ConfigReader;
import dev.capstan.config.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The typed configuration of a {@link PrometheusSource}, parsed once from the agent's
 * {@code apm "prometheus"} block.
 *
 * @param address base URI of the Prometheus server, without a trailing slash
 * @param basicAuthUser user for HTTP basic authentication, if any
 * @param basicAuthPassword its password, {@code ""} when there is no user; never printed
 * @param headers extra request headers; their values are never printed either, they often carry tokens
 * @param caFile the PEM file of the CA(s) to trust for {@code https}, if any
 * @param sslContext the TLS context built from {@code caFile}; empty means the JDK's default trust
 * @param timeout how long one query may take, from sending to the end of the answer
 */
record PrometheusConfig(URI address, Optional<String> basicAuthUser, String basicAuthPassword,
    Map<String, String> headers, Optional<Path> caFile, Optional<SSLContext> sslContext, Duration timeout) {

  static final String ADDRESS = "address";
  static final String BASIC_AUTH_USER = "basic_auth_user";
  static final String BASIC_AUTH_PASSWORD = "basic_auth_password";
  static final String HEADER_PREFIX = "header.";
  static final String CA_FILE = "ca_file";
  static final String TIMEOUT = "timeout";

  static final String DEFAULT_ADDRESS = "http://127.0.0.1:9090";
  /** nomad-autoscaler's Prometheus plugin gives each query 10 seconds. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  PrometheusConfig {
    headers = Map.copyOf(headers);
  }

  /**
   * Parses and validates a configuration, reporting every problem at once.
   *
   * @throws dev.capstan.spi.ConfigException naming every bad or unknown key; secrets are never quoted
   */
  static PrometheusConfig parse(Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "prometheus metric source");
    URI address = parseAddress(r);
    Optional<String> user = r.optionalString(BASIC_AUTH_USER);
    // Read the password without the reader's own problem text: that would quote the value.
    r.allow(BASIC_AUTH_PASSWORD);
    String password = config.getOrDefault(BASIC_AUTH_PASSWORD, "");
    if (user.isPresent() && password.isEmpty()) {
      r.problem(BASIC_AUTH_PASSWORD + " is missing but it is required when " + BASIC_AUTH_USER + " is set");
    }
    if (user.isEmpty() && config.containsKey(BASIC_AUTH_PASSWORD)) {
      r.problem(BASIC_AUTH_PASSWORD + " is set but " + BASIC_AUTH_USER + " is not; set both or neither");
    }
    Map<String, String> headers = r.withPrefix(HEADER_PREFIX);
    headers.forEach((name, value) -> checkHeader(r, name, value, user.isPresent()));
    Optional<Path> caFile = r.optionalString(CA_FILE).map(Path::of);
    Optional<SSLContext> ssl = caFile.flatMap(f -> sslContext(r, f));
    if (caFile.isPresent() && !address.getScheme().equals("https")) {
      r.problem(CA_FILE + " is set but " + ADDRESS + " '" + address + "' is not https; use an https address or drop "
          + CA_FILE);
    }
    Duration timeout = r.positiveDuration(TIMEOUT, DEFAULT_TIMEOUT);
    r.rejectUnknownKeys();
    r.validate();
    return new PrometheusConfig(address, user, user.isPresent() ? password : "", headers, caFile, ssl, timeout);
  }

  private static URI parseAddress(ConfigReader r) {
    String text = r.string(ADDRESS, DEFAULT_ADDRESS);
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      addressProblem(r, text, "must be a URI such as " + DEFAULT_ADDRESS);
      return URI.create(DEFAULT_ADDRESS);
    }
    if (uri.getRawUserInfo() != null) {
      // Not via problem(key, rule): the value holds a password.
      r.problem(ADDRESS + " must not hold credentials; use " + BASIC_AUTH_USER + " and " + BASIC_AUTH_PASSWORD);
      return URI.create(DEFAULT_ADDRESS);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      addressProblem(r, text, "must be an http or https URI with a host, such as " + DEFAULT_ADDRESS);
      return URI.create(DEFAULT_ADDRESS);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      addressProblem(r, text, "must not have a query or a fragment");
      return URI.create(DEFAULT_ADDRESS);
    }
    String s = uri.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  /**
   * Records a problem with the address, quoting it with anything before an {@code @} hidden: when the
   * URI does not parse, or its authority is registry-based (e.g. an underscore in the host), the JDK
   * finds no user info, yet the text may still hold a password.
   */
  private static void addressProblem(ConfigReader r, String text, String rule) {
    int at = text.lastIndexOf('@');
    if (at < 0) {
      r.problem(ADDRESS, rule);
      return;
    }
    int scheme = text.indexOf("://");
    int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    r.problem(ADDRESS + " was '" + text.substring(0, start) + "<credentials>" + text.substring(at) + "' but it " + rule);
  }

  private static void checkHeader(ConfigReader r, String name, String value, boolean basicAuth) {
    String key = HEADER_PREFIX + name;
    if (basicAuth && name.equalsIgnoreCase("Authorization")) {
      r.problem(key + " is set together with " + BASIC_AUTH_USER + "; use one of them");
      return;
    }
    try {
      // The JDK client refuses some headers (Host, Connection, Content-Length...); find out now, not per query.
      HttpRequest.newBuilder(URI.create(DEFAULT_ADDRESS)).header(name, value);
    } catch (IllegalArgumentException e) {
      // Header values often carry tokens, so only the name is quoted.
      String why = value.isEmpty() ? e.getMessage() : e.getMessage().replace(value, "<value>");
      r.problem(key + " is not a header the HTTP client may set: " + why);
    }
  }

  private static Optional<SSLContext> sslContext(ConfigReader r, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        r.problem(CA_FILE, "must hold at least one PEM certificate");
        return Optional.empty();
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return Optional.of(context);
    } catch (IOException e) {
      r.problem(CA_FILE, "must name a readable PEM file (" + e + ")");
    } catch (GeneralSecurityException e) {
      r.problem(CA_FILE, "must hold PEM certificates (" + e.getMessage() + ")");
    }
    return Optional.empty();
  }

  /** Returns the {@code Authorization} header value for basic authentication, if configured. */
  Optional<String> authorization() {
    return basicAuthUser.map(u -> "Basic " + Base64.getEncoder()
        .encodeToString((u + ":" + basicAuthPassword).getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String toString() {
    return "PrometheusConfig[address=" + address
        + ", basicAuthUser=" + basicAuthUser.orElse("<none>")
        + ", basicAuthPassword=" + (basicAuthPassword.isEmpty() ? "<none>" : "<hidden>")
        + ", headers=" + headers.keySet()
        + ", caFile=" + caFile.map(Path::toString).orElse("<none>")
        + ", timeout=" + Durations.format(timeout) + "]";
  }
}
