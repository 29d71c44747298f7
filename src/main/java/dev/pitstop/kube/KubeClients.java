package dev.pitstop.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** Builds the one Kubernetes client a command uses. */
public final class KubeClients {
  private KubeClients() {}

  /**
   * A client configured as kubectl would be (in-cluster ServiceAccount, or kubeconfig), with the
   * client's own retries off: Pitstop retries transient failures itself, within {@code --timeout}.
   */
  public static KubernetesClient fromEnvironment() {
    Config config =
        new ConfigBuilder(Config.autoConfigure(null))
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(10_000)
            .withRequestTimeout(30_000)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
