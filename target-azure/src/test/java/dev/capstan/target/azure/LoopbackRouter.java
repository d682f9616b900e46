package dev.capstan.target.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.capstan.testkit.LocalHttpServer;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * The HTTP client a production-pipeline test gives the SDK: it sends each request to the local HTTPS
 * fake standing in for the request's host (so a sovereign cloud's real hosts can be asserted while
 * nothing leaves loopback), trusts only testkit's loopback certificate, and records what the SDK
 * asked for. A host it does not know fails the request instead of reaching the network.
 */
final class LoopbackRouter implements HttpClient {
  /** One request as the SDK built it, before rerouting. */
  record Sent(String method, URL url, String authorization) {}

  private final Map<String, LocalHttpServer> hosts;
  private final HttpClient delegate = new JdkTransport(
      java.net.http.HttpClient.newBuilder().sslContext(LocalHttpServer.clientSslContext()).build(), Duration.ofSeconds(30));
  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  /** @param hosts host (with port for a loopback one, e.g. {@code 127.0.0.1:4431}) to the fake serving it */
  LoopbackRouter(Map<String, LocalHttpServer> hosts) {
    this.hosts = Map.copyOf(hosts);
  }

  List<Sent> sent() {
    return List.copyOf(sent);
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    return Mono.fromCallable(() -> reroute(request)).flatMap(delegate::send);
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    return delegate.sendSync(reroute(request), context);
  }

  private HttpRequest reroute(HttpRequest request) {
    URL url = request.getUrl();
    sent.add(new Sent(request.getHttpMethod().name(), url, request.getHeaders().getValue("Authorization")));
    boolean defaultPort = url.getPort() < 0 || url.getPort() == url.getDefaultPort();
    String host = defaultPort ? url.getHost() : url.getHost() + ":" + url.getPort();
    LocalHttpServer server = hosts.get(host);
    if (server == null) {
      throw new IllegalStateException("test refused a request to " + host + " (not a local fake)");
    }
    URI local = URI.create(server.uri() + url.getFile());
    HttpRequest copy = request.copy();
    copy.setUrl(local.toString());
    return copy;
  }
}
