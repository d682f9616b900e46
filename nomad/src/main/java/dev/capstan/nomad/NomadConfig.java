package dev.capstan.nomad;

import dev.capstan.config.ConfigReader;
import dev.capstan.config.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How to reach Nomad: the keys of nomad-autoscaler's {@code nomad {}} agent block, parsed once.
 *
 * <p>Each key is accepted in the agent block's spelling ({@code address}, {@code http_auth}, ...) and
 * in the {@code nomad_}-prefixed spelling nomad-autoscaler's plug-ins take ({@code nomad_address},
 * {@code nomad_http-auth}, ...); a key absent from both falls back to Nomad's environment variable
 * ({@code NOMAD_ADDR}, ...), read through the function given, so tests need not touch the process
 * environment. {@code token} and {@code http_auth} are never quoted, printed or logged.
 *
 * @param address Nomad's HTTP address, without a trailing slash (default {@code http://127.0.0.1:4646})
 * @param region the region sent as {@code ?region=}, empty for the agent's own
 * @param namespaces the namespaces (a name, a comma-separated list, or {@code *}); default {@code default}
 * @param token the ACL token sent as {@code X-Nomad-Token}, {@code ""} for none; never printed
 * @param httpAuth {@code user[:password]} for basic authentication, {@code ""} for none; never printed
 * @param sslContext the TLS context built from the certificate keys, empty for the JDK's default
 * @param blockingWait how long one blocking query may wait (default 5m, Nomad's own default)
 */
record NomadConfig(URI address, Optional<String> region, List<String> namespaces, String token, String httpAuth,
    Optional<SSLContext> sslContext, Duration blockingWait) {

  static final String DEFAULT_ADDRESS = "http://127.0.0.1:4646";
  static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

  /** A key in both spellings and its environment variable. */
  record Key(String agent, String plugin, String env) {
    Optional<String> read(ConfigReader r, Map<String, String> config, Function<String, String> env, boolean secret) {
      r.allow(agent, plugin);
      String name = config.containsKey(agent) ? agent : plugin;
      if (secret) {
        String v = config.get(name);
        if (v == null) {
          v = env.apply(this.env);
        }
        return Optional.ofNullable(v).filter(s -> !s.isBlank());
      }
      Optional<String> v = config.containsKey(name) ? r.optionalString(name) : Optional.empty();
      if (v.isEmpty() && !config.containsKey(name)) {
        v = Optional.ofNullable(env.apply(this.env)).map(String::strip).filter(s -> !s.isEmpty());
      }
      return v;
    }

    /** The spelling the configuration used, for problems. */
    String used(Map<String, String> config) {
      return config.containsKey(agent) ? agent : config.containsKey(plugin) ? plugin : env;
    }
  }

  static final Key ADDRESS = new Key("address", "nomad_address", "NOMAD_ADDR");
  static final Key REGION = new Key("region", "nomad_region", "NOMAD_REGION");
  static final Key NAMESPACE = new Key("namespace", "nomad_namespace", "NOMAD_NAMESPACE");
  static final Key TOKEN = new Key("token", "nomad_token", "NOMAD_TOKEN");
  static final Key HTTP_AUTH = new Key("http_auth", "nomad_http-auth", "NOMAD_HTTP_AUTH");
  static final Key CA_CERT = new Key("ca_cert", "nomad_ca-cert", "NOMAD_CACERT");
  static final Key CA_PATH = new Key("ca_path", "nomad_ca-path", "NOMAD_CAPATH");
  static final Key CLIENT_CERT = new Key("client_cert", "nomad_client-cert", "NOMAD_CLIENT_CERT");
  static final Key CLIENT_KEY = new Key("client_key", "nomad_client-key", "NOMAD_CLIENT_KEY");
  static final Key TLS_SERVER_NAME = new Key("tls_server_name", "nomad_tls-server-name", "NOMAD_TLS_SERVER_NAME");
  static final Key SKIP_VERIFY = new Key("skip_verify", "nomad_skip-verify", "NOMAD_SKIP_VERIFY");
  static final Key WAIT = new Key("block_query_wait_time", "nomad_block-query-wait-time", "NOMAD_BLOCK_QUERY_WAIT_TIME");
  /** Every key, in the agent block's order. */
  static final List<Key> KEYS = List.of(ADDRESS, REGION, NAMESPACE, TOKEN, HTTP_AUTH, CA_CERT, CA_PATH, CLIENT_CERT,
      CLIENT_KEY, TLS_SERVER_NAME, SKIP_VERIFY, WAIT);

  NomadConfig {
    namespaces = List.copyOf(namespaces);
  }

  /**
   * Reads the Nomad keys; the caller reads its own keys with the same reader, then rejects unknown
   * keys and validates.
   */
  static NomadConfig read(ConfigReader r, Map<String, String> config, Function<String, String> env) {
    URI address = address(r, config, env);
    Optional<String> region = REGION.read(r, config, env, false);
    List<String> namespaces = NAMESPACE.read(r, config, env, false)
        .map(s -> Stream.of(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList())
        .filter(l -> !l.isEmpty()).orElse(List.of("default"));
    String token = TOKEN.read(r, config, env, true).orElse("");
    String httpAuth = HTTP_AUTH.read(r, config, env, true).orElse("");
    Optional<String> caCert = CA_CERT.read(r, config, env, false);
    Optional<String> caPath = CA_PATH.read(r, config, env, false);
    Optional<String> clientCert = CLIENT_CERT.read(r, config, env, false);
    Optional<String> clientKey = CLIENT_KEY.read(r, config, env, false);
    Optional<String> serverName = TLS_SERVER_NAME.read(r, config, env, false);
    boolean skipVerify = SKIP_VERIFY.read(r, config, env, false).map(v -> bool(r, config, v)).orElse(false);
    Duration wait = WAIT.read(r, config, env, false).map(v -> wait(r, config, v)).orElse(DEFAULT_WAIT);
    if (clientCert.isPresent() != clientKey.isPresent()) {
      r.problem(CLIENT_CERT.agent() + " and " + CLIENT_KEY.agent() + " must be set together");
    }
    serverName.ifPresent(n -> r.problem(TLS_SERVER_NAME.used(config) + " was '" + n
        + "' but it is not supported by Capstan yet; connect to an address whose host the certificate names"));
    Optional<SSLContext> ssl = Optional.empty();
    if (caCert.isPresent() || caPath.isPresent() || clientCert.isPresent() || skipVerify) {
      ssl = ssl(r, config, caCert, caPath, clientCert, clientKey, skipVerify);
    }
    return new NomadConfig(address, region, namespaces, token, httpAuth, ssl, wait);
  }

  private static URI address(ConfigReader r, Map<String, String> config, Function<String, String> env) {
    String text = ADDRESS.read(r, config, env, false).orElse(DEFAULT_ADDRESS);
    String rule = "must be an http or https URL such as " + DEFAULT_ADDRESS;
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getRawUserInfo() != null) {
        // Not quoted: the value holds a password.
        r.problem(ADDRESS.used(config) + " must not hold credentials; use " + HTTP_AUTH.agent());
      } else if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      } else {
        r.problem(ADDRESS.used(config) + " was '" + text + "' but it " + rule);
      }
    } catch (URISyntaxException e) {
      r.problem(ADDRESS.used(config) + " was '" + text + "' but it " + rule);
    }
    return URI.create(DEFAULT_ADDRESS);
  }

  private static boolean bool(ConfigReader r, Map<String, String> config, String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1":
        return true;
      case "false", "f", "0":
        return false;
      default:
        r.problem(SKIP_VERIFY.used(config) + " was '" + v + "' but it must be true or false");
        return false;
    }
  }

  private static Duration wait(ConfigReader r, Map<String, String> config, String v) {
    try {
      Duration d = Durations.parse(v);
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    r.problem(WAIT.used(config) + " was '" + v + "' but it must be a positive duration such as 5m");
    return DEFAULT_WAIT;
  }

  private static Optional<SSLContext> ssl(ConfigReader r, Map<String, String> config, Optional<String> caCert,
      Optional<String> caPath, Optional<String> clientCert, Optional<String> clientKey, boolean skipVerify) {
    try {
      TrustManager[] trust = null;
      if (skipVerify) {
        trust = new TrustManager[] {new TrustAll()};
      } else if (caCert.isPresent() || caPath.isPresent()) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        List<Path> files = new ArrayList<>();
        caCert.ifPresent(f -> files.add(Path.of(f)));
        if (caPath.isPresent()) {
          try (Stream<Path> s = Files.list(Path.of(caPath.get()))) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
          }
        }
        int i = 0;
        for (Path f : files) {
          for (Certificate c : certificates(f)) {
            store.setCertificateEntry("ca-" + i++, c);
          }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        trust = tmf.getTrustManagers();
      }
      javax.net.ssl.KeyManager[] keys = null;
      if (clientCert.isPresent() && clientKey.isPresent()) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        Certificate[] chain = certificates(Path.of(clientCert.get())).toArray(new Certificate[0]);
        store.setKeyEntry("client", privateKey(Path.of(clientKey.get())), new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        keys = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return Optional.of(context);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      r.problem("the TLS files (" + CA_CERT.agent() + ", " + CA_PATH.agent() + ", " + CLIENT_CERT.agent() + ", "
          + CLIENT_KEY.agent() + ") could not be read as PEM: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new GeneralSecurityException(file + " holds no certificate");
      }
      return certs;
    }
  }

  /** Reads a PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), RSA or EC. */
  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    } catch (GeneralSecurityException e) {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    }
  }

  /** {@code skip_verify}: trusts any certificate and any host name, as Nomad's {@code -tls-skip-verify}. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Returns the HTTP timeout of one blocking query: longer than the wait plus Nomad's jitter (wait/16). */
  Duration blockingTimeout() {
    return blockingWait.plus(blockingWait.dividedBy(16)).plusSeconds(30);
  }

  @Override
  public String toString() {
    return "NomadConfig[address=" + address + ", region=" + region.orElse("<agent's>")
        + ", namespaces=" + String.join(",", namespaces)
        + ", token=" + (token.isEmpty() ? "<none>" : "<hidden>")
        + ", http_auth=" + (httpAuth.isEmpty() ? "<none>" : "<hidden>")
        + ", tls=" + (sslContext.isPresent() ? "custom" : "default")
        + ", block_query_wait_time=" + Durations.format(blockingWait) + "]";
  }
}
