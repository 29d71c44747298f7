package dev.pitstop.demo;

import dev.pitstop.operator.PitstopOperator;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import dev.pitstop.operator.model.MigrationStatus;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's operator act: the operator runs against the demo's cluster, the Job runner plays the
 * Job controller, and a Migration is posted as a user would with kubectl; every change of its phase
 * and step is printed as {@code kubectl get psm -w} would show it.
 */
public final class OperatorAct {
  /** What the act ended with. */
  public record Ended(String phase, String endState, String planHash, String downtime) {}

  private OperatorAct() {}

  /**
   * Posts Migration {@code name} of {@code app} (its migrations V1, V2 and a V3 that adds a column,
   * from a ConfigMap) and waits until it has ended.
   */
  public static Ended run(
      DemoCluster cluster,
      String app,
      String name,
      String jdbcUrl,
      String healthUrl,
      PrintWriter out,
      Clock clock) {
    KubernetesClient client = cluster.client();
    loadCrd(client);
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(app + "-db")
                .withNamespace(app)
                .endMetadata()
                .addToStringData("password", DemoDatabase.PASSWORD)
                .build())
        .createOr(existing -> existing.update());
    Map<String, String> files = new LinkedHashMap<>();
    for (String file :
        List.of(
            "v1/V1__create_orders.sql",
            "v2/V2__add_order_status.sql",
            "operator/V3__add_order_notes.sql")) {
      files.put(file.substring(file.indexOf('/') + 1), resource("/pitstop/demo/" + file));
    }
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(app + "-migrations")
                .withNamespace(app)
                .endMetadata()
                .withData(files)
                .build())
        .createOr(existing -> existing.update());
    PrintWriter quiet = new PrintWriter(System.err, true);
    try (SimulatedJobs jobs = new SimulatedJobs(client, cluster::newClient, clock, quiet).start();
        PitstopOperator operator =
            new PitstopOperator(
                    new KubernetesClientBuilder().withConfig(client.getConfiguration()).build(),
                    new PitstopOperator.Settings(
                        "pitstop-operator-demo",
                        "default",
                        "ghcr.io/pitstop-dev/pitstop:demo",
                        Duration.ofSeconds(5),
                        false),
                    clock)
                .start()) {
      out.println("$ pitstop operator   (one replica; it takes the lease pitstop-operator)");
      out.println("$ kubectl apply -f - <<EOF   # migration/" + name + ", approval auto");
      out.println(
          "  spec: {app: "
              + app
              + ", selector: app="
              + app
              + ", maintenance: {mode: configmap, configMap: "
              + app
              + "-settings, key: maintenance},");
      out.println(
          "         migrations: {configMap: "
              + app
              + "-migrations}, database: {passwordSecretRef: {name: "
              + app
              + "-db, key: password}, ...}}");
      out.println("$ kubectl get psm -w");
      out.printf("  %-10s %-6s %-12s %-16s%n", "NAME", "APP", "PHASE", "STEP");
      out.flush();
      CountDownLatch ended = new CountDownLatch(1);
      AtomicReference<MigrationStatus> last = new AtomicReference<>();
      AtomicReference<String> shown = new AtomicReference<>("");
      try (Watch watch =
          client
              .resources(Migration.class)
              .inNamespace(app)
              .withName(name)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Migration migration) {
                      MigrationStatus status = migration.getStatus();
                      if (status == null || status.phase == null) {
                        return;
                      }
                      last.set(status);
                      String line =
                          String.format(
                              "  %-10s %-6s %-12s %-16s",
                              name,
                              app,
                              status.phase,
                              status.currentStep == null ? "" : status.currentStep);
                      if (!line.equals(shown.getAndSet(line))) {
                        out.println(line);
                        out.flush();
                      }
                      if (status.endState != null) {
                        ended.countDown();
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  })) {
        client.resource(migration(app, name, jdbcUrl, healthUrl)).create();
        if (!ended.await(120, TimeUnit.SECONDS)) {
          out.println("  the Migration did not end within 2 minutes");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      MigrationStatus status = last.get();
      if (status == null) {
        return new Ended("none", null, null, null);
      }
      out.println(
          "  status: plan "
              + (status.plan == null ? "-" : status.plan.hash)
              + " (downtime estimate "
              + (status.plan == null ? "-" : status.plan.downtime)
              + "), run id "
              + status.runId
              + ", exit code "
              + status.exitCode
              + ", end state "
              + status.endState);
      status.steps.forEach(
          s ->
              out.printf(
                  "    %-16s %-10s %s%n", s.name, s.state, s.message == null ? "" : s.message));
      out.println("  the procedure ran in job/" + status.job + ": " + jobs.attempts(status.job));
      out.flush();
      return new Ended(
          status.phase,
          status.endState,
          status.plan == null ? null : status.plan.hash,
          status.plan == null ? null : status.plan.downtime);
    }
  }

  private static Migration migration(String app, String name, String jdbcUrl, String healthUrl) {
    MigrationSpec spec = new MigrationSpec();
    spec.app = app;
    spec.selector = "app=" + app;
    spec.images = List.of("web=" + app + ":3.1");
    spec.maintenance = new MigrationSpec.Maintenance();
    spec.maintenance.mode = "configmap";
    spec.maintenance.configMap = app + "-settings";
    spec.maintenance.key = "maintenance";
    spec.maintenance.value = "on";
    spec.database = new MigrationSpec.Database();
    spec.database.jdbcUrl = jdbcUrl;
    spec.database.user = DemoDatabase.USER;
    spec.database.passwordSecretRef = new MigrationSpec.SecretKey();
    spec.database.passwordSecretRef.name = app + "-db";
    spec.database.passwordSecretRef.key = "password";
    spec.database.terminateSessions = true;
    spec.migrations = new MigrationSpec.Migrations();
    spec.migrations.configMap = app + "-migrations";
    spec.verify = new MigrationSpec.Verify();
    spec.verify.expectVersion = "3";
    spec.smoke = new MigrationSpec.Smoke();
    spec.smoke.urls = List.of(healthUrl);
    spec.smoke.expectJson = "/status=UP";
    spec.smoke.interval = "200ms";
    spec.timeout = "60s";
    spec.retries = 1;
    Migration migration = new Migration();
    migration.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(app).build());
    migration.setSpec(spec);
    return migration;
  }

  private static void loadCrd(KubernetesClient client) {
    try (InputStream crd =
        OperatorAct.class.getResourceAsStream("/pitstop/operator/migrations.pitstop.dev-v1.yml")) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).createOr(c -> c.update());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String path) {
    try (InputStream in = OperatorAct.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
