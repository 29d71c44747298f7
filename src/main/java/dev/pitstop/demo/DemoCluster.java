package dev.pitstop.demo;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * An in-memory Kubernetes API server (fabric8's, in CRUD mode) on loopback, holding {@link
 * SampleApp}, with {@link SimulatedControllers} playing the controllers it does not have.
 */
public final class DemoCluster implements AutoCloseable {
  /** The mock server logs every request at INFO; kept referenced so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final SimulatedControllers controllers;

  private DemoCluster(String namespace) {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = newClient();
    SampleApp.create(client, namespace);
    controllers = new SimulatedControllers(client, namespace).start();
  }

  public static DemoCluster start(String namespace) {
    return new DemoCluster(namespace);
  }

  /** A new client for the server, with the client's own retries off as in production. */
  public KubernetesClient newClient() {
    try (KubernetesClient template = server.createClient()) {
      return new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(template.getConfiguration())
                  .withRequestRetryBackoffLimit(0)
                  .build())
          .build();
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public SimulatedControllers controllers() {
    return controllers;
  }

  @Override
  public void close() {
    controllers.close();
    client.close();
    server.destroy();
  }
}
