package dev.pitstop.plan;

import static dev.pitstop.plan.ClusterShapes.env;
import static dev.pitstop.plan.ClusterShapes.fromSecret;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.testing.CliRunner.Result;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who uses the database: each way real apps are configured is found, with its certainty and
 * evidence, and the look-alikes are not.
 */
class PlanConsumersIT extends PlanTestBase {

  @Test
  void springBootQuarkusHerokuAndLibpqSettingsAreCertainUsersAndProposedAsTheWorkloads() {
    accessReviews(review -> true);
    shapes
        .webEnv(env("SPRING_DATASOURCE_URL", shapes.url("db.shop.svc.cluster.local", "shop")))
        .workerEnvFrom(
            "worker-db",
            Map.of("PGHOST", "db", "PGPORT", String.valueOf(shapes.port()), "PGDATABASE", "shop"))
        .deployment(NS, "orders", env("QUARKUS_DATASOURCE_JDBC_URL", shapes.url("db", "shop")))
        .cronJob(
            "report",
            env(
                "DATABASE_URL",
                "postgres://report:hunter2@db.shop.svc:"
                    + shapes.port()
                    + "/shop?sslmode=disable"));

    Result result = plan("-o", "json");

    assertExit(result, 0);
    JsonNode plan = json(result);
    assertThat(consumers(plan))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "deployment/web", "certain",
                "statefulset/worker", "certain",
                "deployment/orders", "certain",
                "cronjob/report", "certain"));
    assertThat(texts(plan.path("workloads").path("proposed")))
        .containsExactly(
            "deployment/orders", "deployment/web", "statefulset/worker", "cronjob/report");
    assertThat(plan.toString())
        .contains("env SPRING_DATASOURCE_URL = jdbc:postgresql://db.shop.svc.cluster.local:")
        .contains("envFrom configmap/worker-db: PGHOST=db")
        .contains("postgres://report:****@db.shop.svc:")
        .doesNotContain("hunter2");
    assertThat(plan.path("schema").asText()).isEqualTo("pitstop.dev/plan/v1");
  }

  @Test
  void lookAlikesAreNotUsers() {
    accessReviews(review -> true);
    int port = shapes.port();
    shapes
        .webEnv(env("SPRING_DATASOURCE_URL", shapes.url("db", "shop")))
        // the same Service name in another namespace is another server
        .deployment(
            NS,
            "ledger-sync",
            env("DATABASE_URL", shapes.url("db.billing.svc.cluster.local", "shop")))
        // another database on the same server is not touched by this migration
        .deployment(NS, "analytics", env("SPRING_DATASOURCE_URL", shapes.url("db", "analytics")))
        // a variable that is no database setting
        .deployment(
            NS,
            "cache",
            env("REDIS_URL", "redis://db:" + port + "/0"),
            env("PORT", String.valueOf(port)))
        // an URL commented out in the app's settings file
        .deploymentWithConfigFile(
            "legacy",
            "legacy-config",
            "application.properties",
            "# spring.datasource.url=jdbc:postgresql://db:" + port + "/shop\nserver.port=8080\n");
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("billing")
                .endMetadata()
                .build())
        .create();
    shapes
        .databaseService("billing", "db")
        .deployment("billing", "billing", env("SPRING_DATASOURCE_URL", shapes.url("db", "shop")));

    JsonNode plan = json(plan("-o", "json"));

    assertThat(consumers(plan)).containsOnlyKeys("deployment/web");
  }

  @Test
  void aSettingsFileInAConfigMapIsRead() {
    accessReviews(review -> true);
    shapes.deploymentWithConfigFile(
        "api",
        "api-config",
        "application.yaml",
        "spring:\n  datasource:\n    url: " + shapes.url("db.shop", "shop") + "\n");

    JsonNode plan = json(plan("-o", "json"));

    assertThat(consumers(plan)).containsEntry("deployment/api", "certain");
    assertThat(plan.path("consumers").get(0).path("evidence").get(0).asText())
        .contains("file from configmap/api-config at /config key application.yaml");
  }

  @Test
  void operatorSecretsAreLikelyUnreadAndCertainReadWithoutShowingTheirPasswords() {
    accessReviews(review -> true);
    shapes
        .databaseService(NS, "shop-db-rw")
        .databaseService(NS, "shop-db-primary")
        .cloudNativePgSecret("shop-db", "shop", "cnpg-secret-pw")
        .crunchySecret("shop-db", "search", "shop", "crunchy-secret-pw")
        .deployment(NS, "catalog", fromSecret("DATABASE_URL", "shop-db-app", "uri"))
        .deploymentWithEnvFromSecret("search", "shop-db-pguser-search")
        .secret("importer-env", Map.of("url", "postgres://x:y@elsewhere/shop"))
        .deployment(NS, "importer", fromSecret("DATABASE_URL", "importer-env", "url"));
    String target = "jdbc:postgresql://localhost:" + shapes.port() + "/shop";

    JsonNode unread =
        json(pitstop("plan", "--jdbc-url", target, "--db-user", "postgres", "-o", "json"));
    Result readResult =
        pitstop(
            "plan", "--jdbc-url", target, "--db-user", "postgres", "--read-secrets", "-o", "json");
    JsonNode read = json(readResult);

    assertThat(consumers(unread))
        .containsEntry("deployment/catalog", "likely")
        .containsEntry("deployment/search", "likely")
        .containsEntry("deployment/importer", "possible");
    assertThat(texts(unread.path("workloads").path("proposed")))
        .contains("deployment/catalog", "deployment/search")
        .doesNotContain("deployment/importer");
    assertThat(texts(unread.path("warnings")))
        .anyMatch(w -> w.startsWith("deployment/importer may use the database"));
    assertThat(consumers(read))
        .containsEntry("deployment/catalog", "certain")
        .containsEntry("deployment/search", "certain")
        .doesNotContainKey("deployment/importer");
    assertThat(readResult.out() + readResult.err())
        .doesNotContain("cnpg-secret-pw")
        .doesNotContain("crunchy-secret-pw");
  }

  @Test
  void aLiveSessionFromAPodMakesItsDeploymentACertainUserEvenWithoutSettings() throws Exception {
    accessReviews(review -> true);
    client.apps().deployments().inNamespace(NS).resource(ClusterShapes.app("invoicer")).create();
    // the pod a ReplicaSet of deployment/invoicer made, at the address the test connects from
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("invoicer-5f7d8-x2x9q")
                .addToLabels("pod-template-hash", "5f7d8")
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName("invoicer-5f7d8")
                .withUid("rs-uid")
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("invoicer")
                .withImage("invoicer:1.0")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPodIP("127.0.0.1")
                .addNewPodIP("127.0.0.1")
                .addNewPodIP("::1")
                .endStatus()
                .build())
        .create();

    JsonNode plan;
    try (Connection session = postgres.jdbc("shop", "invoicer")) {
      plan = json(plan("-o", "json"));
    }

    assertThat(consumers(plan)).containsEntry("deployment/invoicer", "certain");
    assertThat(plan.toString())
        .contains("connected now: session pid")
        .contains("(pod invoicer-5f7d8-x2x9q), user postgres, application invoicer");
    assertThat(texts(plan.path("workloads").path("proposed"))).contains("deployment/invoicer");
  }
}
