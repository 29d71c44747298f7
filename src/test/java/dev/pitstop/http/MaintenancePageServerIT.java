package dev.pitstop.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MaintenancePageServerIT {
  private static final String CHROME_ACCEPT =
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MaintenancePageServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        startServer(
            MaintenancePage.builtIn(
                "Shop <upgrade>", "Orders & carts are safe.", Duration.ofMinutes(10)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static MaintenancePageServer startServer(MaintenancePage page) throws IOException {
    return MaintenancePageServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), page, 4);
  }

  private HttpResponse<String> send(String method, String path, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void everyPathAndMethodAnswers503WithRetryAfterAndNoStore() throws Exception {
    for (String path : List.of("/", "/orders/42?page=2", "/api/cart", "/healthz/extra")) {
      for (String method : List.of("GET", "POST", "DELETE")) {
        HttpResponse<String> response = send(method, path, null);

        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("600");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(response.headers().firstValue("Vary")).contains("Accept");
      }
    }
  }

  @Test
  void browsersGetTheBuiltInPageWithTheTextEscaped() throws Exception {
    HttpResponse<String> response = send("GET", "/checkout", CHROME_ACCEPT);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .contains("default-src 'none'; style-src 'unsafe-inline'");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.body())
        .startsWith("<!DOCTYPE html>")
        .contains("<html lang=\"en\">", "<main>", "<title>Shop &lt;upgrade&gt;</title>")
        .contains("<h1>Shop &lt;upgrade&gt;</h1>", "Orders &amp; carts are safe.")
        .contains("try again in about 10 minutes")
        .doesNotContain("<upgrade>", "<script");
  }

  @Test
  void apiClientsThatPreferJsonGetJson() throws Exception {
    HttpResponse<String> response = send("GET", "/api/orders", "application/json");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.headers().firstValue("Retry-After")).contains("600");
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(body.path("status").asInt()).isEqualTo(503);
    assertThat(body.path("error").asText()).isEqualTo("maintenance");
    assertThat(body.path("title").asText()).isEqualTo("Shop <upgrade>");
    assertThat(body.path("message").asText()).isEqualTo("Orders & carts are safe.");
    assertThat(body.path("retryAfterSeconds").asLong()).isEqualTo(600);
  }

  @Test
  void htmlWinsWhenTheClientWeighsItHigherOrEqual() throws Exception {
    assertThat(send("GET", "/", "application/json;q=0.5, text/html").body())
        .startsWith("<!DOCTYPE html>");
    assertThat(send("GET", "/", "*/*").body()).startsWith("<!DOCTYPE html>");
    assertThat(send("GET", "/", "text/html;q=0.1, application/json").body()).startsWith("{");
  }

  @Test
  void healthzAnswers200ForProbesWithoutRetryAfter() throws Exception {
    HttpResponse<String> response = send("GET", "/healthz", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok\n");
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void headGetsTheHeadersAndNoBody() throws Exception {
    HttpResponse<String> response = send("HEAD", "/", null);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValue("Retry-After")).contains("600");
    assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
  }

  @Test
  void aCustomPageIsServedAsItIsAndJsonStillCarriesTheFacts() throws Exception {
    server.close();
    String html = "<!doctype html><title>Wartung</title><img src=\"/logo.png\" alt=\"Logo\">ü";
    server =
        startServer(MaintenancePage.custom(html, "Wartung", "Bald zurück", Duration.ofSeconds(90)));

    HttpResponse<String> page = send("GET", "/", CHROME_ACCEPT);
    HttpResponse<String> json = send("GET", "/", "application/json");

    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.body()).isEqualTo(html);
    assertThat(page.headers().firstValue("Content-Security-Policy")).isEmpty();
    assertThat(page.headers().firstValue("Retry-After")).contains("90");
    assertThat(new ObjectMapper().readTree(json.body()).path("message").asText())
        .isEqualTo("Bald zurück");
  }

  @Test
  void manyConcurrentClientsAreAllAnswered() {
    HttpClient many = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> responses =
        IntStream.range(0, 300)
            .mapToObj(
                i ->
                    many.sendAsync(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/item/" + i))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                        BodyHandlers.ofString()))
            .toList();

    assertThat(responses)
        .allSatisfy(response -> assertThat(response.join().statusCode()).isEqualTo(503));
  }

  @Test
  void afterStopNoNewConnectionIsAccepted() throws Exception {
    assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);

    server.stop(Duration.ZERO);

    assertThatThrownBy(() -> send("GET", "/healthz", null)).isInstanceOf(ConnectException.class);
  }
}
