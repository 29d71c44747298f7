package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.core.ExitCode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;

/** How an error of the Kubernetes client becomes an exit code. */
class KubeErrorsTest {
  /**
   * A watch that breaks off mid-stream (the informer behind scale-down's wait) is retried like any
   * other passing trouble of the API server, not a failed step that rolls the run back.
   */
  @Test
  void aBrokenWatchIsTransientButARefusedOneIsNot() {
    WatcherException broken =
        new WatcherException("Could not process Watch response", new RuntimeException("eof"));
    assertThat(KubeErrors.classify(broken).exitCode()).isEqualTo(ExitCode.TRANSIENT);
    assertThat(KubeErrors.classify(broken).getMessage()).contains("broke off a watch");

    KubernetesClientException forbidden =
        new KubernetesClientException(
            new StatusBuilder().withCode(403).withMessage("pods is forbidden").build());
    WatcherException refused = new WatcherException("watch refused", forbidden);
    assertThat(KubeErrors.classify(refused).exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(KubeErrors.classify(refused).getMessage()).contains("403", "pods is forbidden");
  }
}
