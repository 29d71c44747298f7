package dev.pitstop.operator;

import static org.awaitility.Awaitility.await;

import dev.pitstop.demo.DemoCluster;
import dev.pitstop.demo.RulesReviews;
import dev.pitstop.demo.SimulatedJobs;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import dev.pitstop.operator.model.MigrationStatus;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The in-memory cluster with the Migration CRD, the sample app, an embedded PostgreSQL at the
 * demo's version 1, the Job runner, and one operator replica (more can be started).
 */
abstract class OperatorTestBase extends ClusterTestBase {
  static final String V2 = "v2";
  static final String V4 = "v4";

  static TestPostgres postgres;
  RunFixture fixture;
  SimulatedJobs jobs;
  final List<PitstopOperator> replicas = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void operatorWorld() throws Exception {
    DemoCluster.answerAccessReviews(server, review -> true);
    RulesReviews.answerAll(server);
    try (InputStream crd = Files.newInputStream(Path.of("operator/crd.yaml"))) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    fixture = RunFixture.start(postgres, "shop", cli);
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("shop-db")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("password", "not-needed-by-trust-auth")
                .build())
        .create();
    migrationsConfigMap(V2);
    jobs = new SimulatedJobs(client, stepClients(), Clock.systemUTC(), jobLog()).start();
  }

  /** The clients the Jobs' pitstop commands get. */
  Supplier<KubernetesClient> stepClients() {
    return () -> CliRunner.clientFor(server);
  }

  PrintWriter jobLog() {
    return new PrintWriter(System.err, true);
  }

  @AfterEach
  void stopOperator() {
    synchronized (replicas) {
      replicas.forEach(PitstopOperator::close);
    }
    jobs.close();
    fixture.close();
  }

  /** A replica of the operator, started; the first one takes the lease. */
  PitstopOperator startReplica(String identity, KubernetesClient replicaClient) {
    PitstopOperator operator =
        new PitstopOperator(
            replicaClient,
            new PitstopOperator.Settings(identity, "default", "pitstop:test", lease(), false),
            Clock.systemUTC());
    synchronized (replicas) {
      replicas.add(operator);
    }
    return operator.start();
  }

  /** How long a lease holds: a dead leader is replaced after it. */
  Duration lease() {
    return Duration.ofSeconds(2);
  }

  PitstopOperator startReplica(String identity) {
    return startReplica(
        identity, new KubernetesClientBuilder().withConfig(client.getConfiguration()).build());
  }

  /** The ConfigMap shop-migrations with the demo's migrations up to v2, or up to a failing V4. */
  void migrationsConfigMap(String upTo) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(List.of("v1/V1__create_orders.sql"));
    names.add("v2/V2__add_order_status.sql");
    if (upTo.equals(V4)) {
      names.add("v3/V3__create_discounts.sql");
      names.add("v3/V4__apply_discounts.sql");
    }
    for (String name : names) {
      try (InputStream in = getClass().getResourceAsStream("/pitstop/demo/" + name)) {
        files.put(name.substring(3), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("shop-migrations")
                .withNamespace(NS)
                .endMetadata()
                .withData(files)
                .build())
        .createOr(existing -> existing.update());
  }

  /** A Migration of app shop: every workload labelled app=shop, configmap maintenance. */
  Migration migration(String name) {
    MigrationSpec spec = new MigrationSpec();
    spec.app = "shop";
    spec.selector = "app=shop";
    spec.maintenance = new MigrationSpec.Maintenance();
    spec.maintenance.mode = "configmap";
    spec.maintenance.configMap = "shop-settings";
    spec.maintenance.key = "maintenance";
    spec.database = new MigrationSpec.Database();
    spec.database.jdbcUrl = fixture.jdbcUrl();
    spec.database.user = "postgres";
    spec.database.passwordSecretRef = new MigrationSpec.SecretKey();
    spec.database.passwordSecretRef.name = "shop-db";
    spec.database.passwordSecretRef.key = "password";
    spec.database.sessionsTimeout = "1s";
    spec.migrations = new MigrationSpec.Migrations();
    spec.migrations.configMap = "shop-migrations";
    spec.smoke = new MigrationSpec.Smoke();
    spec.smoke.urls = List.of(fixture.healthUrl());
    spec.smoke.interval = "100ms";
    spec.retries = 0;
    spec.timeout = "20s";
    Migration migration = new Migration();
    migration.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    migration.setSpec(spec);
    return migration;
  }

  Resource<Migration> migrations(String name) {
    return client.resources(Migration.class).inNamespace(NS).withName(name);
  }

  Migration post(Migration migration) {
    return client.resource(migration).create();
  }

  MigrationStatus status(String name) {
    Migration found = migrations(name).get();
    return found == null || found.getStatus() == null ? new MigrationStatus() : found.getStatus();
  }

  String phase(String name) {
    return status(name).phase;
  }

  void awaitPhase(String name, String phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThat(phase(name))
                    .as("phase of migration/%s: %s", name, status(name).message)
                    .isEqualTo(phase));
  }

  String condition(String name, String type) {
    return status(name).conditions.stream()
        .filter(c -> type.equals(c.type))
        .map(c -> c.status + "/" + c.reason)
        .findFirst()
        .orElse("none");
  }

  /** Events the operator posted on migration/{@code name} with {@code reason}. */
  List<Event> events(String name, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  boolean jobExists(String name) {
    return client.batch().v1().jobs().inNamespace(NS).withName(name).get() != null;
  }
}
