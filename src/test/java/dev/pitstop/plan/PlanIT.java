package dev.pitstop.plan;

import static dev.pitstop.plan.ClusterShapes.env;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.kube.Survey;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.DbFaults;
import dev.pitstop.testing.GatewayApi;
import dev.pitstop.testing.RequestRecorder;
import dev.pitstop.testing.RequestRecorder.Access;
import dev.pitstop.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pitstop plan} as a whole: it only reads, it says what would fight the scale-down and where
 * users reach the app, it judges the migrations and the rights, and it reports what it cannot find
 * out instead of failing on it.
 */
class PlanIT extends PlanTestBase {
  @TempDir Path dir;

  private void usersOfTheDatabase() {
    shapes
        .webEnv(env("SPRING_DATASOURCE_URL", shapes.url("db", "shop")))
        .workerEnvFrom(
            "worker-db",
            Map.of(
                "PGHOST",
                "db.shop.svc",
                "PGPORT",
                String.valueOf(shapes.port()),
                "PGDATABASE",
                "shop"));
  }

  @Test
  void planSendsOnlyReadsAndAccessReviewsAndNoWriteSql() throws Exception {
    accessReviews(review -> true);
    usersOfTheDatabase();
    shapes
        .cronJob(
            "report",
            env("DATABASE_URL", "postgres://report:hunter2@db:" + shapes.port() + "/shop"))
        .cloudNativePgSecret("shop-db", "shop", "cnpg-secret-pw");
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .resource(dev.pitstop.demo.SampleApp.hpa("web", "Deployment", "web", 0, 5))
        .create();
    GatewayApi.install(client, NS);
    String clusterBefore = snapshotOfState();
    String schemaBefore = postgres.schemaFingerprint("shop");
    String databasesBefore =
        postgres.queryString(
            "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database");
    RequestRecorder recorder = new RequestRecorder();
    DbFaults statements = new DbFaults();
    CliRunner recorded = new CliRunner(() -> recorder.clientFor(server)).connections(statements);

    Result result =
        recorded.run(
            "plan",
            "--app",
            "shop",
            "-n",
            NS,
            "--timeout",
            "20s",
            "--jdbc-url",
            jdbcUrl(),
            "--db-user",
            "postgres",
            "--locations",
            dev.pitstop.testing.RunFixture.V2,
            "--read-secrets");

    assertExit(result, 0);
    assertThat(recorder.seen())
        .isNotEmpty()
        .allSatisfy(
            access ->
                assertThat(List.of("get", "list").contains(access.verb()) || isAccessReview(access))
                    .as(access.toString())
                    .isTrue());
    assertThat(recorder.count("authorization.k8s.io", "selfsubjectaccessreviews", "create"))
        .isPositive();
    assertThat(statements.executed())
        .isNotEmpty()
        .allSatisfy(
            s ->
                assertThat(s.sql().replaceFirst("(?s)^\\s*(/\\*.*?\\*/\\s*)*", ""))
                    .as("statement %s", s.sql())
                    .matches("(?is)^(select|show|set)\\b.*"));
    assertThat(snapshotOfState()).isEqualTo(clusterBefore);
    assertThat(postgres.schemaFingerprint("shop")).isEqualTo(schemaBefore);
    assertThat(
            postgres.queryString(
                "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"))
        .isEqualTo(databasesBefore);
    assertThat(result.out() + result.err())
        .doesNotContain("hunter2")
        .doesNotContain("cnpg-secret-pw");
  }

  @Test
  void theShippedPlanRoleAllowsEveryReadOfThePlanAndNoMore() throws Exception {
    accessReviews(review -> true);
    usersOfTheDatabase();
    shapes
        .cloudNativePgSecret("shop-db", "shop", "pw")
        .deployment(NS, "catalog", ClusterShapes.fromSecret("DATABASE_URL", "shop-db-app", "uri"));
    GatewayApi.install(client, NS);
    shapes.crd(Survey.ROLLOUTS);
    shapes.crd(Survey.SCALED_OBJECTS);
    shapes.crd(Survey.SCALED_JOBS);
    RequestRecorder recorder = new RequestRecorder();
    CliRunner recorded = new CliRunner(() -> recorder.clientFor(server));
    String[] common = {
      "plan",
      "--app",
      "shop",
      "-n",
      NS,
      "--timeout",
      "20s",
      "--jdbc-url",
      jdbcUrl(),
      "--db-user",
      "postgres",
      "--read-secrets",
      "--maintenance-backend",
      "maintenance-page:80"
    };

    for (String[] mode :
        new String[][] {
          {"--mode", "ingress", "--ingress", "shop"}, {"--mode", "httproute", "--httproute", "shop"}
        }) {
      Result result =
          recorded.run(
              java.util.stream.Stream.concat(
                      java.util.Arrays.stream(common), java.util.Arrays.stream(mode))
                  .toArray(String[]::new));
      assertExit(result, 0);
    }

    java.util.Set<String> used = new java.util.TreeSet<>();
    for (Access access : recorder.seen()) {
      if (!isAccessReview(access)) {
        assertThat(access.namespace()).as(access.toString()).isEqualTo(NS);
        used.add(
            (access.group().isEmpty() ? "core" : access.group())
                + " "
                + access.resource()
                + " "
                + access.verb());
      }
    }
    java.util.Set<String> granted = new java.util.TreeSet<>();
    try (var parser =
        ShippedPipelines.YAML
            .getFactory()
            .createParser(Path.of("workflow-templates", "rbac-plan.yaml").toFile())) {
      for (JsonNode doc : ShippedPipelines.YAML.readValues(parser, JsonNode.class).readAll()) {
        for (JsonNode rule : doc.path("rules")) {
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              for (JsonNode verb : rule.path("verbs")) {
                granted.add(
                    (group.asText().isEmpty() ? "core" : group.asText())
                        + " "
                        + resource.asText()
                        + " "
                        + verb.asText());
              }
            }
          }
        }
      }
    }
    assertThat(granted).isEqualTo(used);
  }

  /** "step: change" lines of the JSON plan. */
  private static List<String> changes(JsonNode plan) {
    List<String> lines = new java.util.ArrayList<>();
    plan.path("changes")
        .forEach(c -> lines.add(c.path("step").asText() + ": " + c.path("change").asText()));
    return lines;
  }

  /** A review is a question the API server answers and keeps nowhere: not a write. */
  private static boolean isAccessReview(Access access) {
    return access.group().equals("authorization.k8s.io")
        && access.resource().equals("selfsubjectaccessreviews")
        && access.verb().equals("create");
  }

  @Test
  void everySessionOfThePlanIsReadOnlyOnTheServer() {
    DbFaults statements = new DbFaults();
    accessReviews(review -> true);
    usersOfTheDatabase();

    Result result =
        cli.connections(statements)
            .run(
                "plan",
                "--app",
                "shop",
                "-n",
                NS,
                "--timeout",
                "20s",
                "--jdbc-url",
                jdbcUrl(),
                "--db-user",
                "postgres",
                "--locations",
                dev.pitstop.testing.RunFixture.V2);

    assertExit(result, 0);
    assertThat(statements.executed())
        .anyMatch(s -> s.sql().equals("SET default_transaction_read_only = on"));
  }

  @Test
  void whatFightsTheScaleDownIsFoundAndArgoCdSelfHealProposesPausingIt() {
    accessReviews(review -> true);
    usersOfTheDatabase();
    shapes.cronJob(
        "report",
        env("PGHOST", "db"),
        env("PGPORT", String.valueOf(shapes.port())),
        env("PGDATABASE", "shop"));
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .resource(dev.pitstop.demo.SampleApp.hpa("web", "Deployment", "web", 0, 5))
        .create();
    shapes.crd(Survey.SCALED_OBJECTS);
    shapes.create(
        Survey.SCALED_OBJECTS,
        NS,
        "{\"apiVersion\":\"keda.sh/v1alpha1\",\"kind\":\"ScaledObject\",\"metadata\":{\"name\":\"worker\"},"
            + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"StatefulSet\",\"name\":\"worker\"}}}");
    shapes.crd(Survey.APPLICATIONS);
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("argocd")
                .endMetadata()
                .build())
        .create();
    shapes.create(
        Survey.APPLICATIONS,
        "argocd",
        "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\",\"metadata\":{\"name\":\"shop\"},"
            + "\"spec\":{\"syncPolicy\":{\"automated\":{\"prune\":true,\"selfHeal\":true}}}}");
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        // a merge patch carries no resourceVersion: the simulated controllers writing the
        // workloads' status meanwhile cannot make it conflict
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"argocd.argoproj.io/tracking-id\":"
                + "\"shop:apps/Deployment:shop/web\"}}}");
    shapes.crd(Survey.KUSTOMIZATIONS);
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("flux-system")
                .endMetadata()
                .build())
        .create();
    shapes.create(
        Survey.KUSTOMIZATIONS,
        "flux-system",
        "{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
            + "\"metadata\":{\"name\":\"apps\"},\"spec\":{\"interval\":\"10m\",\"prune\":true}}");
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("worker")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"kustomize.toolkit.fluxcd.io/name\":\"apps\","
                + "\"kustomize.toolkit.fluxcd.io/namespace\":\"flux-system\"}}}");
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withNewMinAvailable(2)
                .withNewSelector()
                .addToMatchLabels("component", "web")
                .endSelector()
                .endSpec()
                .build())
        .create();

    Result result = plan("-o", "json");

    assertExit(result, 0);
    JsonNode plan = json(result);
    assertThat(texts(plan.path("pauses")))
        .anyMatch(p -> p.startsWith("hold hpa/web at minReplicas 1"))
        .anyMatch(p -> p.startsWith("pause KEDA scaledobject/worker"))
        .anyMatch(p -> p.startsWith("pause automated sync of Argo CD Application argocd/shop"));
    assertThat(plan.path("options").path("pause-argocd").asBoolean()).isTrue();
    assertThat(changes(plan)).anyMatch(c -> c.contains("suspend cronjob/report"));
    assertThat(texts(plan.path("warnings")))
        .anyMatch(
            w ->
                w.contains("Flux Kustomization flux-system/apps manages statefulset/worker")
                    && w.contains("flux suspend kustomization apps -n flux-system"));
    assertThat(texts(plan.path("notes")))
        .anyMatch(
            n -> n.startsWith("poddisruptionbudget/web (minAvailable 2) covers deployment/web"));
    assertThat(plan.path("rights").path("all").toString())
        .contains("\"resource\":\"applications\"")
        .contains("\"namespace\":\"argocd\"")
        .contains("\"resource\":\"scaledobjects\"");
  }

  @Test
  void anHttpRouteToTheAppIsTheProposedFrontDoorAndTheMaintenancePageIsChecked() throws Exception {
    accessReviews(review -> true);
    usersOfTheDatabase();
    GatewayApi.install(client, NS);

    JsonNode withoutPage = json(plan("-o", "json"));
    kubectlApply(Path.of("maintenance-page", "service.yaml"));
    kubectlApply(Path.of("maintenance-page", "deployment.yaml"));
    awaitPods("maintenance-page-ready", 0);
    JsonNode withPage = json(plan("-o", "json"));

    JsonNode door = withoutPage.path("front-door");
    assertThat(texts(door.path("services"))).containsExactly("shop-web");
    assertThat(texts(door.path("ingresses"))).containsExactly("shop");
    assertThat(texts(door.path("httproutes"))).containsExactly("shop");
    assertThat(door.path("mode").asText()).isEqualTo("httproute");
    assertThat(withoutPage.path("options").path("httproute").asText()).isEqualTo("shop");
    assertThat(withoutPage.path("options").path("maintenance-backend").asText())
        .isEqualTo("maintenance-page:80");
    assertThat(door.path("maintenance-page").asText()).startsWith("not installed");
    assertThat(texts(withoutPage.path("warnings")))
        .anyMatch(w -> w.contains("kubectl apply -k maintenance-page/"));
    assertThat(withPage.path("front-door").path("maintenance-page").asText())
        .startsWith("installed");
  }

  private void kubectlApply(Path file) throws Exception {
    try (var in = java.nio.file.Files.newInputStream(file)) {
      client.load(in).inNamespace(NS).create();
    }
  }

  @Test
  void aDaemonSetThatUsesTheDatabaseIsABlockerAndExit5() {
    accessReviews(review -> true);
    usersOfTheDatabase();
    shapes.daemonSet(
        "log-shipper",
        env("PGHOST", "db"),
        env("PGPORT", String.valueOf(shapes.port())),
        env("PGDATABASE", "shop"));

    Result text = plan();
    Result json = plan("-o", "json");

    assertExit(text, 5);
    assertThat(text.out())
        .contains("X daemonset/log-shipper uses the database and Pitstop cannot scale a DaemonSet")
        .contains("plan: NOT runnable, 1 blocker(s) (exit 5)");
    assertExit(json, 5);
    assertThat(json(json).path("runnable").asBoolean()).isFalse();
  }

  @Test
  void missingRightsAreListedAndBlockTheRun() {
    accessReviews(
        review ->
            !("update".equals(review.get("verb")) && "deployments".equals(review.get("resource"))));
    usersOfTheDatabase();

    Result result = plan();

    assertExit(result, 5);
    assertThat(result.out())
        .contains("1 missing")
        .contains("X update deployments.apps in namespace shop")
        .contains("lacks 1 right(s) the run needs");
  }

  @Test
  void whatCannotBeFoundOutIsUnknownWithItsReasonAndThePlanStillComes() {
    // no answer to access reviews, a list the identity may not make, a database that is not there
    server
        .expect()
        .get()
        .withPath("/apis/apps/v1/namespaces/shop/daemonsets")
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Forbidden")
                .withCode(403)
                .withMessage(
                    "daemonsets.apps is forbidden: User \"dev\" cannot list resource \"daemonsets\"")
                .build())
        .always();
    usersOfTheDatabase();

    Result result =
        pitstop(
            "plan",
            "--timeout",
            "5s",
            "--jdbc-url",
            "jdbc:postgresql://127.0.0.1:1/shop?password=hunter2",
            "--db-user",
            "postgres",
            "--workload",
            "deployment/web",
            "-o",
            "json");

    assertExit(result, 0);
    JsonNode plan = json(result);
    assertThat(plan.path("unknowns").toString())
        .contains("daemonsets.apps")
        .contains("cannot list resource")
        .contains("database postgres@127.0.0.1:1/shop")
        .contains("right to update deployments.apps");
    assertThat(changes(plan)).anyMatch(c -> c.contains("deployment/web 3 -> 0"));
    assertThat(result.out() + result.err()).doesNotContain("hunter2");
  }

  @Test
  void aMigrationOutsideATransactionProposesNoAtomicAndASnapshot() throws Exception {
    accessReviews(review -> true);
    usersOfTheDatabase();
    TestPostgres.migration(
        dir, "V2__index_orders.sql", "CREATE INDEX CONCURRENTLY orders_by_id ON orders (id);");

    JsonNode plan =
        json(
            pitstop(
                "plan",
                "--jdbc-url",
                jdbcUrl(),
                "--db-user",
                "postgres",
                "--locations",
                "classpath:pitstop/demo/v1,filesystem:" + dir,
                "-o",
                "json"));

    assertThat(plan.path("options").path("atomic").asBoolean(true)).isFalse();
    assertThat(plan.path("options").path("snapshot").asBoolean()).isTrue();
    assertThat(changes(plan))
        .anyMatch(c -> c.contains("V2 \"index orders\" (outside a transaction), each on its own"));
    assertThat(plan.path("database").path("pending").get(0).path("transactional").asBoolean(true))
        .isFalse();
    assertThat(plan.path("database").path("may-create-databases").asBoolean()).isTrue();
    assertThat(plan.path("downtime").path("steps").toString()).contains("\"step\":\"snapshot\"");
  }

  @Test
  void aKedaScaledJobIsABlockerUnlessPausedAndARunningJobAWarning() {
    accessReviews(review -> true);
    usersOfTheDatabase();
    shapes.crd(Survey.SCALED_JOBS);
    String template =
        "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"import\",\"image\":\"import:1\","
            + "\"env\":[{\"name\":\"DATABASE_URL\",\"value\":\""
            + shapes.url("db", "shop")
            + "\"}]}]}}}";
    shapes.create(
        Survey.SCALED_JOBS,
        NS,
        "{\"apiVersion\":\"keda.sh/v1alpha1\",\"kind\":\"ScaledJob\",\"metadata\":{\"name\":\"import\"},"
            + "\"spec\":{\"jobTargetRef\":"
            + template
            + "}}");
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                .withNewMetadata()
                .withName("backfill")
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("backfill")
                .withImage("backfill:1")
                .withEnv(
                    env("PGHOST", "db"),
                    env("PGPORT", String.valueOf(shapes.port())),
                    env("PGDATABASE", "shop"))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    Result result = plan();

    assertExit(result, 5);
    assertThat(result.out())
        .contains(
            "X KEDA scaledjob/import starts Jobs that use the database and Pitstop does not pause ScaledJobs")
        .contains("! job/backfill uses the database and has not finished");
  }

  @Test
  void failedMigrationsInTheHistoryAreABlocker() throws Exception {
    accessReviews(review -> true);
    usersOfTheDatabase();
    postgres.execute(
        "shop",
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
            + " checksum, installed_by, execution_time, success) VALUES (2, '2', 'add order"
            + " status', 'SQL', 'V2__add_order_status.sql', 0, 'postgres', 10, false)");

    Result result = plan();

    assertExit(result, 5);
    assertThat(result.out())
        .contains("X the schema history records failed migration(s) V2 \"add order status\"");
  }

  @Test
  void aLockedAppAndWorkloadsThatDoNotExistAreBlockers() {
    accessReviews(review -> true);
    usersOfTheDatabase();
    assertExit(pitstop("lock", "--run-id", "other-run"), 0);

    Result result = plan("--workload", "deployment/web", "--workload", "deployment/nope");

    assertExit(result, 5);
    assertThat(result.out())
        .contains("X app shop is locked by run other-run")
        .contains("X deployment/nope does not exist in namespace shop")
        .contains("! statefulset/worker uses the database but is not among the workloads given");
  }
}
