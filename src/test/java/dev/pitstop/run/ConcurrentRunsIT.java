package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.demo.SampleApp;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two {@code run}s started together, in two threads of one JVM against one cluster. */
class ConcurrentRunsIT extends ClusterTestBase {
  private static TestPostgres postgres;
  private RunFixture shop;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void shopAtVersion1() throws Exception {
    shop = RunFixture.start(postgres, "shop", cli);
  }

  @AfterEach
  void stopHealth() {
    shop.close();
  }

  private List<String> runArgs(RunFixture db, String app, String runId) {
    List<String> args = new ArrayList<>(List.of("run", "--app", app, "-n", NS));
    args.addAll(db.runArgs(app, runId));
    args.addAll(
        List.of(
            "--timeout",
            "10s",
            "--locations",
            RunFixture.V2,
            "--image",
            "web=shop:2.0",
            "--expect-version",
            "2"));
    return args;
  }

  /** Starts both invocations at the same moment and waits for both. */
  private static List<Result> together(List<String> first, List<String> second, CliRunner cli)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    CompletableFuture<Result> a =
        CompletableFuture.supplyAsync(
            () -> {
              await(start);
              return cli.run(first.toArray(String[]::new));
            });
    CompletableFuture<Result> b =
        CompletableFuture.supplyAsync(
            () -> {
              await(start);
              return cli.run(second.toArray(String[]::new));
            });
    return List.of(a.get(), b.get());
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void twoRunsForTheSameAppStartedTogetherLetExactlyOneProceedAndTheOtherChangesNothing()
      throws Exception {
    String rowsBefore = shop.originalRows();

    List<Result> results =
        together(runArgs(shop, "shop", "run-a"), runArgs(shop, "shop", "run-b"), cli);

    assertThat(results).extracting(Result::exitCode).containsExactlyInAnyOrder(0, 3);
    Result loser = results.stream().filter(r -> r.exitCode() == 3).findFirst().orElseThrow();
    String loserId = results.get(0) == loser ? "run-a" : "run-b";
    String winnerId = loserId.equals("run-a") ? "run-b" : "run-a";
    assertThat(loser.err()).contains("is locked by run " + winnerId);
    assertThat(loser.out()).contains("not started");
    // the winner migrated and released everything; nothing carries the loser's id
    assertThat(shop.version()).isEqualTo("2");
    assertThat(shop.originalRows()).isEqualTo(rowsBefore);
    assertThat(web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("shop:2.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(ledger()).isNull();
    assertThat(events())
        .isNotEmpty()
        .noneMatch(e -> String.valueOf(e.getMessage()).contains(loserId))
        .noneMatch(e -> loserId.equals(e.getMetadata().getAnnotations().get("pitstop.dev/run-id")));
    assertThat(snapshotOfState()).doesNotContain(loserId);
  }

  @Test
  void runsForTwoAppsInOneNamespaceDoNotInterfere() throws Exception {
    client.apps().deployments().inNamespace(NS).resource(blogWeb()).create();
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("blog-settings")
                .endMetadata()
                .addToData("greeting", "hi")
                .build())
        .create();
    awaitPods("blog-web", 2);
    try (RunFixture blog = RunFixture.start(postgres, "blog", cli)) {
      List<String> blogRun = runArgs(blog, "blog", "run-blog");
      blogRun.set(blogRun.indexOf("web=shop:2.0"), "blog-web=blog:2.0");

      List<Result> results = together(runArgs(shop, "shop", "run-shop"), blogRun, cli);

      assertThat(results.get(0).exitCode()).as(results.get(0).toString()).isZero();
      assertThat(results.get(1).exitCode()).as(results.get(1).toString()).isZero();
      assertThat(shop.version()).isEqualTo("2");
      assertThat(blog.version()).isEqualTo("2");
      assertThat(image("web")).isEqualTo("shop:2.0");
      assertThat(image("blog-web")).isEqualTo("blog:2.0");
      assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
      assertThat(deployment("blog-web").getSpec().getReplicas()).isEqualTo(2);
      assertThat(client.configMaps().inNamespace(NS).withName("pitstop-shop").get()).isNull();
      assertThat(client.configMaps().inNamespace(NS).withName("pitstop-blog").get()).isNull();
      assertThat(pods("web")).isEqualTo(3);
      assertThat(pods("blog-web")).isEqualTo(2);
    }
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private String image(String deployment) {
    return deployment(deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();
  }

  /** A second app, {@code blog}, in the same namespace: labelled app=blog everywhere. */
  private static Deployment blogWeb() {
    Deployment web = SampleApp.deployment("blog-web", 2, "blog:1.0");
    return new DeploymentBuilder(web)
        .editMetadata()
        .addToLabels("app", "blog")
        .endMetadata()
        .editSpec()
        .editSelector()
        .addToMatchLabels("app", "blog")
        .endSelector()
        .editTemplate()
        .editMetadata()
        .addToLabels("app", "blog")
        .endMetadata()
        .endTemplate()
        .endSpec()
        .build();
  }
}
