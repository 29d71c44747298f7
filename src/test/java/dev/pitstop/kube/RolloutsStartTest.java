package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.testing.UnansweringServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A pod watch that cannot start ends the wait at the step's deadline, not never. */
class RolloutsStartTest {

  @Test
  @Timeout(60) // guards against the hang this test is about; not a speed check
  void aWatchTheServerNeverAnswersFailsTheStartAsTransientAtTheLimit() throws Exception {
    // the list answers; the watch that follows is accepted and never answered
    try (UnansweringServer server =
            UnansweringServer.start(
                uri -> uri.getRawQuery() != null && uri.getRawQuery().contains("watch=true"),
                200,
                "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[]}");
        KubernetesClient client =
            KubeClients.build(
                new ConfigBuilder()
                    .withMasterUrl(server.url())
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
