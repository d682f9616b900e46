package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

final class LocalHttpServerTest {

  @Test
  void request_isRecordedAndAnswered() throws Exception {
    try (LocalHttpServer server = LocalHttpServer.start(req ->
        LocalHttpServer.Response.json(201, "{\"echo\":\"" + req.formParams().get("Action") + "\"}").withHeader("X-Test", "1"))) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.uri() + "/x/y?a=1&b=two%20words"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("Action=Describe&Version=2011-01-01")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.body()).isEqualTo("{\"echo\":\"Describe\"}");
      assertThat(response.headers().firstValue("X-Test")).hasValue("1");
      LocalHttpServer.RecordedRequest req = server.requests().get(0);
      assertThat(req.method()).isEqualTo("POST");
      assertThat(req.path()).isEqualTo("/x/y");
      assertThat(req.queryParams()).containsEntry("a", "1").containsEntry("b", "two words");
      assertThat(req.header("content-type")).isEqualTo("application/x-www-form-urlencoded");
      assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void throwingHandler_answers500() throws Exception {
    try (LocalHttpServer server = LocalHttpServer.start(req -> {
      throw new IllegalStateException("nope");
    })) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).contains("nope");
    }
  }

  @Test
  void https_servesTheBundledCertificateWhichOnlyClientSslContextTrusts() throws Exception {
    try (LocalHttpServer server = LocalHttpServer.startHttps(req -> LocalHttpServer.Response.text(200, "tls"))) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      HttpResponse<String> response = HttpClient.newBuilder().sslContext(LocalHttpServer.clientSslContext()).build()
          .send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("tls");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.ofString()))
          .as("the system trust store does not know the test certificate")
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }
}
