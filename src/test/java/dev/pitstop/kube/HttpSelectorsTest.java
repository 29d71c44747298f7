package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.UnansweringServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Before the process exits, the JDK HTTP client's idle selector threads are stopped. */
class HttpSelectorsTest {

  @Test
  void anIdleClientsSelectorThreadEnds() throws Exception {
    try (UnansweringServer server = UnansweringServer.start(uri -> false, 204, "")) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<Void> response =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/")).build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(204);
      assertThat(selectorThreads()).isNotEmpty();

      HttpSelectors.stop();

      assertThat(selectorThreads()).isEmpty();
    }
  }

  private static List<String> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("HttpClient-") && name.endsWith("-SelectorManager"))
        .toList();
  }
}
