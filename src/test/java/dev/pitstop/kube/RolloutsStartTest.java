package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A pod watch that cannot start ends the wait at the step's deadline, not never. */
class RolloutsStartTest {

  @Test
  @Timeout(60) // guards against the hang this test is about; not a speed check
  void aWatchTheServerNeverAnswersFailsTheStartAsTransientAtTheLimit() throws Exception {
    CountDownLatch testOver = new CountDownLatch(1);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    // the list answers; the watch that follows is accepted and never answered
    server.createContext(
        "/api/v1/namespaces/shop/pods",
        exchange -> {
          String query = exchange.getRequestURI().getRawQuery();
          if (query != null && query.contains("watch=true")) {
            try {
              testOver.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
          }
          byte[] list =
              "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[]}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, list.length);
          exchange.getResponseBody().write(list);
          exchange.close();
        });
    server.start();
    try (KubernetesClient client =
        KubeClients.build(
            new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0)
                .build())) {
      SharedIndexInformer<Pod> informer = client.pods().inNamespace("shop").runnableInformer(0);

      assertThatThrownBy(() -> Rollouts.startWithin(informer, Duration.ofSeconds(2)))
          .satisfies(
              e -> {
                PitstopException classified = KubeErrors.classify((Exception) e);
                assertThat(classified.exitCode())
                    .as(classified.getMessage())
                    .isEqualTo(ExitCode.TRANSIENT);
                assertThat(classified.getMessage()).contains("did not start within 2.0s");
              });
    } finally {
      testOver.countDown();
      server.stop(0);
    }
  }

  @Test
  void eachAttemptToStartAWatchGetsAThirdOfWhatIsLeftAndAtLeastASecond() {
    assertThat(Rollouts.attemptLimit(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(200));
    assertThat(Rollouts.attemptLimit(Duration.ofSeconds(6))).isEqualTo(Duration.ofSeconds(2));
    assertThat(Rollouts.attemptLimit(Duration.ofMillis(1_500))).isEqualTo(Duration.ofSeconds(1));
    assertThat(Rollouts.attemptLimit(Duration.ofMillis(400))).isEqualTo(Duration.ofMillis(400));
  }
}
