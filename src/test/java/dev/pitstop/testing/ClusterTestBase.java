package dev.pitstop.testing;

import static org.awaitility.Awaitility.await;

import dev.pitstop.demo.DemoCluster;
import dev.pitstop.demo.SampleApp;
import dev.pitstop.demo.SimulatedControllers;
import dev.pitstop.testing.CliRunner.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh in-memory API server in CRUD mode for each test ({@link DemoCluster#startServer}) holding
 * {@link SampleApp} in namespace {@code shop}, with {@link SimulatedControllers} running, and the
 * CLI wired to it.
 */
public abstract class ClusterTestBase {
  protected static final String NS = "shop";
  protected static final String RUN = "run-1";

  protected KubernetesMockServer server;
  protected KubernetesClient client;
  protected SimulatedControllers controllers;
  protected CliRunner cli;

  @BeforeEach
  void startCluster() {
    server = DemoCluster.startServer();
    client = server.createClient();
    SampleApp.create(client, NS);
    controllers = new SimulatedControllers(client, NS).start();
    cli = CliRunner.against(server);
    awaitPods("web", 3);
    awaitPods("worker", 2);
  }

  @AfterEach
  void stopCluster() {
    controllers.close();
    client.close();
    server.destroy();
  }

  /** Runs {@code pitstop <command> --app shop -n shop <args>}. */
  protected Result pitstop(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--app", "shop", "-n", NS));
    if (!List.of(args).contains("--timeout")) {
      all.addAll(List.of("--timeout", "20s"));
    }
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new));
  }

  protected Result pitstopRun(String command, String... args) {
    return pitstop(
        command, Stream.concat(Stream.of("--run-id", RUN), Stream.of(args)).toArray(String[]::new));
  }

  protected Deployment web() {
    return client.apps().deployments().inNamespace(NS).withName("web").get();
  }

  protected StatefulSet worker() {
    return client.apps().statefulSets().inNamespace(NS).withName("worker").get();
  }

  protected ConfigMap ledger() {
    return client.configMaps().inNamespace(NS).withName("pitstop-shop").get();
  }

  protected int pods(String component) {
    return client.pods().inNamespace(NS).withLabel("component", component).list().getItems().size();
  }

  protected void awaitPods(String component, int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> pods(component) == count);
  }

  protected List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  /** Every Deployment's and StatefulSet's spec and annotations in the test namespace. */
  public static String workloadState(KubernetesClient client) {
    StringBuilder state = new StringBuilder();
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            d ->
                state
                    .append(d.getMetadata().getName())
                    .append(d.getSpec())
                    .append(d.getMetadata().getAnnotations())
                    .append('\n'));
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            s ->
                state
                    .append(s.getMetadata().getName())
                    .append(s.getSpec())
                    .append(s.getMetadata().getAnnotations())
                    .append('\n'));
    return state.toString();
  }

  /**
   * Everything a step could change, to compare before and after a step that must change nothing.
   */
  protected String snapshotOfState() {
    StringBuilder state = new StringBuilder(workloadState(client));
    client
        .configMaps()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(c -> state.append(c.getMetadata().getName()).append(c.getData()).append('\n'));
    client
        .services()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(s -> state.append(s.getMetadata().getName()).append(s.getSpec()).append('\n'));
    client
        .network()
        .v1()
        .ingresses()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(i -> state.append(i.getMetadata().getName()).append(i.getSpec()).append('\n'));
    state.append("events=").append(events().size());
    return state.toString();
  }
}
