package dev.pitstop.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitstop.kube.KubeClients;
import dev.pitstop.testing.CliRunner;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator is killed as each step of the run starts (the run record's write that notes the
 * start is held until then), and another replica takes over through the lease: the run, which lives
 * in its Job, still ends in one of the three end states, recorded exactly once.
 *
 * <p>A killed replica's every request goes to a closed port from then on, as if its pod were gone
 * without a word: it renews no lease, writes no status and releases nothing.
 */
class OperatorFailoverIT extends OperatorTestBase {
  private final Map<String, AtomicBoolean> dead = new ConcurrentHashMap<>();
  private final Set<String> leaders = ConcurrentHashMap.newKeySet();
  private final List<String> killedAt = new CopyOnWriteArrayList<>();
  private final AtomicInteger names = new AtomicInteger();
  private final ExecutorService starter = Executors.newSingleThreadExecutor();

  @Override
  Duration lease() {
    return Duration.ofSeconds(1);
  }

  @AfterEach
  void stopStarter() {
    starter.shutdownNow();
  }

  /** A replica whose client can be cut off at once. */
  private void replica() {
    String identity = "replica-" + names.incrementAndGet();
    AtomicBoolean cut = new AtomicBoolean();
    dead.put(identity, cut);
    KubernetesClient replicaClient =
        new KubernetesClientBuilder()
            .withConfig(client.getConfiguration())
            .withHttpClientBuilderConsumer(
                http ->
                    http.addOrReplaceInterceptor(
                        "killed",
                        new Interceptor() {
                          @Override
                          public void before(
                              BasicBuilder builder, HttpRequest request, RequestTags tags) {
                            if (cut.get()) {
                              builder.uri(
                                  URI.create("http://127.0.0.1:1" + request.uri().getPath()));
                            }
                          }
                        }))
            .build();
    startReplica(identity, replicaClient);
  }

  private String holder() {
    Lease lease = client.leases().inNamespace("default").withName(PitstopOperator.LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * As a step starts: kill the leader, start a new standby, and hold the step until a live replica
   * leads.
   */
  private void killLeader(String step) {
    String leader = holder();
    if (leader == null || dead.get(leader).get()) {
      return;
    }
    dead.get(leader).set(true);
    killedAt.add(step + ":" + leader);
    starter.execute(this::replica);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> holder() != null && !dead.get(holder()).get());
    leaders.add(holder());
  }

  /** The Jobs' clients: each write of the run record that starts a step waits for a kill. */
  @Override
  Supplier<KubernetesClient> stepClients() {
    return () ->
        KubeClients.build(
            CliRunner.clientFor(server).getConfiguration(),
            http ->
                http.addOrReplaceInterceptor(
                    "kill-at-each-step",
                    new Interceptor() {
                      @Override
                      public void before(
                          BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        String path = request.uri().getPath();
                        String body = request.bodyString();
                        boolean record = path.contains("/configmaps");
                        boolean starts =
                            (request.method().equals("POST")
                                    && body != null
                                    && body.contains("pitstop-shop"))
                                || (request.method().equals("PUT")
                                    && path.endsWith("/pitstop-shop")
                                    && body != null
                                    && body.contains("running"));
                        if (record && starts) {
                          killLeader(body.contains("running") ? "a step" : "lock");
                        }
                      }
                    }));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({"v2, Succeeded, migrated", "v4, RolledBack, rolled-back"})
  void operatorKilledAsEachStepStartsLeavesTheRunToEndOnceInOneEndState(
      String migrations, String phase, String endState) throws Exception {
    migrationsConfigMap(migrations);
    replica();
    replica();
    await().atMost(Duration.ofSeconds(30)).until(() -> holder() != null);
    post(migration("release"));
    awaitPhase("release", phase);

    assertThat(killedAt).as("a leader killed at each step's start").hasSizeGreaterThanOrEqualTo(7);
    assertThat(leaders).hasSizeGreaterThanOrEqualTo(7);
    assertThat(status("release").endState).isEqualTo(endState);
    // one run, one end: the Job ran once, nothing had to finish it, and the end was posted once
    assertThat(jobs.attempts("release-run")).hasSize(1);
    assertThat(jobExists("release-finish")).isFalse();
    assertThat(events("release", "Started")).hasSize(1);
    assertThat(events("release", phase)).hasSize(1);
    assertThat(ledger()).isNull();
    assertThat(fixture.version()).isEqualTo(migrations.equals("v2") ? "2" : "1");
  }
}
