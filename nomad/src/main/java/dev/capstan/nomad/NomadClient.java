package dev.capstan.nomad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A small client of Nomad's HTTP API over {@code java.net.http}: JSON in and out, the region on every
 * request, the ACL token in {@code X-Nomad-Token}, basic auth in {@code Authorization}, and blocking
 * queries whose HTTP timeout outlasts their wait. Thread-safe; one per plug-in configuration.
 */
final class NomadClient {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Ordinary calls answer at once; a minute covers a slow leader election. */
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(1);

  /** An answer: its JSON body and its {@code X-Nomad-Index}, 0 when absent. */
  record Reply(JsonNode body, long index) {}

  private final NomadConfig config;
  private final HttpClient http;

  NomadClient(NomadConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    config.sslContext().ifPresent(b::sslContext);
    this.http = b.build();
  }

  NomadConfig config() {
    return config;
  }

  /** Reads a resource now. */
  Reply get(String path, Map<String, String> query) {
    return send("GET", path, query, null, CALL_TIMEOUT);
  }

  /**
   * Reads a resource once its index has passed {@code index}, or when the configured wait ran out
   * (then the answer is the unchanged resource).
   */
  Reply block(String path, Map<String, String> query, long index) {
    Map<String, String> q = new LinkedHashMap<>(query);
    q.put("index", Long.toUnsignedString(index));
    q.put("wait", config.blockingWait().toSeconds() + "s");
    return send("GET", path, q, null, config.blockingTimeout());
  }

  /** Writes with {@code PUT} or {@code POST} and a JSON body. */
  Reply write(String method, String path, Map<String, String> query, Object body) {
    return send(method, path, query, body, CALL_TIMEOUT);
  }

  private Reply send(String method, String path, Map<String, String> query, Object body, Duration timeout) {
    Map<String, String> q = new LinkedHashMap<>(query);
    config.region().ifPresent(r -> q.putIfAbsent("region", r));
    StringBuilder uri = new StringBuilder(config.address().toString()).append(path);
    char sep = '?';
    for (Map.Entry<String, String> e : q.entrySet()) {
      uri.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(timeout)
        .header("Accept", "application/json");
    if (!config.token().isEmpty()) {
      req.header("X-Nomad-Token", config.token());
    }
    if (!config.httpAuth().isEmpty()) {
      req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          config.httpAuth().getBytes(StandardCharsets.UTF_8)));
    }
    if (body == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      try {
        req.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("could not write a Nomad request body", e);
      }
    }
    String what = method + " " + path;
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new NomadApiException(0, "could not reach Nomad at " + config.address() + ": " + e, what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NomadApiException(0, "interrupted while waiting for Nomad", what);
    }
    if (resp.statusCode() / 100 != 2) {
      throw new NomadApiException(resp.statusCode(), resp.body().strip(), what);
    }
    long index = resp.headers().firstValue("X-Nomad-Index").map(NomadClient::parseIndex).orElse(0L);
    try {
      JsonNode json = resp.body().isBlank() ? JSON.nullNode() : JSON.readTree(resp.body());
      return new Reply(json, index);
    } catch (JsonProcessingException e) {
      throw new NomadApiException(resp.statusCode(), "answered with a body that is not JSON: "
          + e.getOriginalMessage(), what);
    }
  }

  private static long parseIndex(String text) {
    try {
      return Long.parseUnsignedLong(text.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "NomadClient[" + config + "]";
  }
}
