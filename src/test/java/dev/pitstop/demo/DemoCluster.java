package dev.pitstop.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.kube.KubeClients;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * An in-memory Kubernetes API server (fabric8's, in CRUD mode) on loopback, holding {@link
 * SampleApp}, with {@link SimulatedControllers} playing the controllers it does not have.
 */
public final class DemoCluster implements AutoCloseable {
  /** The mock server logs every request at INFO; kept referenced so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;

  /** The server's address, with the client's own retries off as in production. */
  private final Config config;

  private final KubernetesClient client;
  private final SimulatedControllers controllers;

  private DemoCluster(String namespace) {
    server = startServer();
    // the demo runs as the cluster's administrator: every access review says yes
    answerAccessReviews(server, review -> true);
    // and the rules review the operator's leader election asks first
    RulesReviews.answerAll(server);
    try (KubernetesClient template = server.createClient()) {
      config =
          new ConfigBuilder(template.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    }
    // the simulated controllers and test set-ups use fabric8's default client, which knows every
    // kind; Pitstop's steps get newClient()
    client = new KubernetesClientBuilder().withConfig(config).build();
    SampleApp.create(client, namespace);
    controllers = new SimulatedControllers(client, namespace).start();
  }

  /**
   * An empty in-memory API server in CRUD mode on loopback, over plain HTTP, whose watches close
   * without stalling it ({@link WatchClosingDispatcher}).
   */
  public static KubernetesMockServer startServer() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new WatchClosingDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return server;
  }

  /** Where SelfSubjectAccessReviews are sent. */
  public static final String ACCESS_REVIEWS =
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

  /**
   * Makes the server answer SelfSubjectAccessReviews as an API server does, which the in-memory
   * server cannot on its own: allowed when {@code allowed} accepts the review's {@code
   * spec.resourceAttributes} (namespace, verb, group, resource), denied otherwise. Call it before
   * the first review is sent; the answer holds for the server's life.
   */
  public static void answerAccessReviews(
      KubernetesMockServer server, Predicate<Map<String, Object>> allowed) {
    ObjectMapper json = new ObjectMapper();
    server
        .expect()
        .post()
        .withPath(ACCESS_REVIEWS)
        .andReply(
            201,
            request -> {
              try {
                Map<String, Object> review =
                    json.readValue(request.getUtf8Body(), new TypeReference<>() {});
                Object spec = review.get("spec");
                Object attributes =
                    spec instanceof Map<?, ?> m ? m.get("resourceAttributes") : null;
                @SuppressWarnings("unchecked")
                Map<String, Object> asked =
                    attributes instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of();
                boolean yes = allowed.test(asked);
                review.put(
                    "status",
                    yes
                        ? Map.of("allowed", true)
                        : Map.of("allowed", false, "reason", "no RBAC rule allows it"));
                return json.writeValueAsString(review);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .always();
  }

  public static DemoCluster start(String namespace) {
    return new DemoCluster(namespace);
  }

  /** A new client for the server, with the client's own retries off as in production. */
  public KubernetesClient newClient() {
    return KubeClients.build(config);
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
