package dev.capstan.testkit;

import dev.capstan.testkit.LocalHttpServer.RecordedRequest;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Microsoft Entra ID (Azure AD) v2.0 token endpoint's client-credentials grant,
 * so a real Azure credential (azure-identity's {@code ClientSecretCredential}, MSAL underneath) can
 * be run in a test. Serve it over TLS, as the real one is and as MSAL requires:
 *
 * <pre>{@code
 * FakeEntraId entra = new FakeEntraId("tenant-1", "client-1", "the-secret");
 * try (LocalHttpServer login = LocalHttpServer.startHttps(entra)) {
 *   // authority host = login.uri(); trust it with LocalHttpServer.clientSslContext()
 * }
 * }</pre>
 *
 * <p>{@code POST /{tenant}/oauth2/v2.0/token} with the form fields {@code grant_type=client_credentials},
 * {@code client_id}, {@code client_secret} and {@code scope} answers, as the public documentation of
 * the Microsoft identity platform defines it, {@code 200 {"token_type":"Bearer","expires_in":3599,
 * "ext_expires_in":3599,"access_token":"..."}} with a fresh token ({@link #issuedTokens()}). Refusals
 * carry the service's error shape ({@code error}, {@code error_description} starting with the AADSTS
 * code, {@code error_codes}, {@code timestamp}, {@code trace_id}, {@code correlation_id},
 * {@code error_uri}):
 * <ul>
 *   <li>an unknown tenant: 400 {@code invalid_request}, AADSTS90002;</li>
 *   <li>an unknown client id: 400 {@code unauthorized_client}, AADSTS700016;</li>
 *   <li>a wrong client secret: 401 {@code invalid_client}, AADSTS7000215;</li>
 *   <li>no secret: 401 {@code invalid_client}, AADSTS7000218;</li>
 *   <li>another grant type: 400 {@code unsupported_grant_type}, AADSTS70003.</li>
 * </ul>
 * Like the real service, no error text ever repeats the secret that was sent.
 *
 * <p>{@code GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...}, which MSAL
 * asks before its first token request unless instance discovery is disabled, answers the service's
 * instance metadata for the host the authorization endpoint names ({@code tenant_discovery_endpoint},
 * {@code api-version}, {@code metadata[]} with {@code preferred_network}, {@code preferred_cache} and
 * {@code aliases}). Any other path answers 404. Requests are recorded by the server; {@link #tokenRequests()} keeps those to the token path.
 */
public final class FakeEntraId implements Function<RecordedRequest, Response> {
  private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
  private static final String TRACE_ID = "0b6a5c1e-0000-4000-8000-00000000c0de";
  private static final String CORRELATION_ID = "c0ffee00-0000-4000-8000-000000000001";

  private final String tenantId;
  private final String clientId;
  private final String clientSecret;
  private final AtomicInteger issued = new AtomicInteger();
  private final List<String> tokens = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> tokenRequests = new CopyOnWriteArrayList<>();

  /**
   * Creates a token endpoint that knows one application in one tenant.
   *
   * @param tenantId the tenant (directory) id the path must name
   * @param clientId the application's client id
   * @param clientSecret the only secret it accepts
   */
  public FakeEntraId(String tenantId, String clientId, String clientSecret) {
    this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
  }

  /**
   * Returns the access tokens issued so far, oldest first.
   *
   * @return an immutable copy
   */
  public List<String> issuedTokens() {
    return List.copyOf(tokens);
  }

  /**
   * Returns the requests that reached the token path, granted or refused, in arrival order.
   *
   * @return an immutable copy
   */
  public List<RecordedRequest> tokenRequests() {
    return List.copyOf(tokenRequests);
  }

  @Override
  public Response apply(RecordedRequest request) {
    Response response = answer(request);
    // The service echoes the caller's correlation id when asked to (MSAL asks, and checks it).
    String requestId = request.header("client-request-id");
    return requestId != null && "true".equals(request.header("return-client-request-id"))
        ? response.withHeader("client-request-id", requestId) : response;
  }

  private Response answer(RecordedRequest request) {
    if (request.method().equals("GET") && request.path().equals("/common/discovery/instance")) {
      return instanceDiscovery(request);
    }
    Matcher token = TOKEN_PATH.matcher(request.path());
    if (!token.matches()) {
      return Response.json(404, "{\"error\":\"not_found\",\"error_description\":\"no such endpoint in FakeEntraId: "
          + request.method() + " " + request.path() + "\"}");
    }
    if (!request.method().equals("POST")) {
      return Response.json(405, "{\"error\":\"invalid_request\"}");
    }
    tokenRequests.add(request);
    Map<String, String> form = request.formParams();
    if (!token.group(1).equals(tenantId)) {
      return error(400, "invalid_request", 90002, "Tenant '" + token.group(1) + "' not found. Check to make sure you "
          + "have the correct tenant ID and are signing into the correct cloud.");
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
          + form.getOrDefault("grant_type", "") + "'.");
    }
    if (!clientId.equals(form.get("client_id"))) {
      return error(400, "unauthorized_client", 700016, "Application with identifier '"
          + form.getOrDefault("client_id", "") + "' was not found in the directory '" + tenantId + "'.");
    }
    String secret = form.get("client_secret");
    if (secret == null || secret.isEmpty()) {
      return error(401, "invalid_client", 7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (!clientSecret.equals(secret)) {
      return error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent "
          + "in the request is the client secret value, not the client secret ID, for a secret added to app '"
          + clientId + "'.");
    }
    String accessToken = "fake-entra-token-" + issued.incrementAndGet();
    tokens.add(accessToken);
    return Response.json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
        + "\"access_token\":\"" + accessToken + "\"}");
  }

  private Response instanceDiscovery(RecordedRequest request) {
    String endpoint = request.queryParams().getOrDefault("authorization_endpoint", "");
    java.net.URI authorize;
    try {
      authorize = java.net.URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      authorize = null;
    }
    if (authorize == null || authorize.getHost() == null) {
      return error(400, "invalid_instance", 50049, "Unknown or invalid instance.");
    }
    String host = authorize.getPort() < 0 ? authorize.getHost() : authorize.getHost() + ":" + authorize.getPort();
    return Response.json(200, "{\"tenant_discovery_endpoint\":\"https://" + host + "/" + tenantId
        + "/v2.0/.well-known/openid-configuration\",\"api-version\":\"1.1\",\"metadata\":[{\"preferred_network\":\""
        + host + "\",\"preferred_cache\":\"" + host + "\",\"aliases\":[\"" + host + "\"]}]}");
  }

  private static Response error(int status, String error, int code, String message) {
    String description = "AADSTS" + code + ": " + message + "\\r\\nTrace ID: " + TRACE_ID + "\\r\\nCorrelation ID: "
        + CORRELATION_ID + "\\r\\nTimestamp: 2026-01-01 00:00:00Z";
    return Response.json(status, "{\"error\":\"" + error + "\",\"error_description\":\"" + description.replace("\"", "\\\"")
        + "\",\"error_codes\":[" + code + "],\"timestamp\":\"2026-01-01 00:00:00Z\",\"trace_id\":\"" + TRACE_ID
        + "\",\"correlation_id\":\"" + CORRELATION_ID + "\",\"error_uri\":\"https://login.microsoftonline.com/error?code="
        + code + "\"}");
  }
}
