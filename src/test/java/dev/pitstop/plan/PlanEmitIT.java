package dev.pitstop.plan;

import static dev.pitstop.plan.ClusterShapes.env;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.RequestRecorder;
import dev.pitstop.testing.RequestRecorder.Access;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code plan --emit} prints runs as it is, with no more rights than the plan checked. */
class PlanEmitIT extends PlanTestBase {
  @TempDir Path dir;

  private void usersOfTheDatabase() {
    accessReviews(review -> true);
    shapes
        .webEnv(env("SPRING_DATASOURCE_URL", shapes.url("db", "shop")))
        .workerEnvFrom(
            "worker-db",
            Map.of("PGHOST", "db", "PGPORT", String.valueOf(shapes.port()), "PGDATABASE", "shop"))
        .cronJob("report", env("DATABASE_URL", "postgres://report@db:" + shapes.port() + "/shop"));
  }

  @Test
  void theEmittedConfigRunsAsItIsWithNoRightThePlanDidNotCheck() throws Exception {
    usersOfTheDatabase();
    Result config = plan("--emit", "config");
    JsonNode checked = json(plan("-o", "json"));
    Path file = dir.resolve("pitstop.yaml");
    Files.writeString(file, config.out());
    RequestRecorder recorder = new RequestRecorder();
    CliRunner recorded = new CliRunner(() -> recorder.clientFor(server));

    Result run =
        recorded.run("run", "--config", file.toString(), "--run-id", "r1", "--timeout", "30s");

    assertExit(config, 0);
    assertThat(config.err()).contains("Pitstop plan for app shop");
    assertExit(run, 0);
    assertThat(run.out()).contains("migrated and up");
    Set<String> rights = new LinkedHashSet<>();
    checked
        .path("rights")
        .path("all")
        .forEach(
            r ->
                rights.add(
                    r.path("group").asText()
                        + " "
                        + r.path("resource").asText()
                        + " "
                        + r.path("verb").asText()
                        + " in "
                        + r.path("namespace").asText()));
    Set<String> used = new LinkedHashSet<>();
    for (Access access : recorder.seen()) {
      used.add(
          access.group()
              + " "
              + access.resource()
              + " "
              + access.verb()
              + " in "
              + access.namespace());
    }
    assertThat(rights).containsAll(used);
  }

  @Test
  void theArgoCommandAndThePipelineRunUseTheShippedParameters() throws Exception {
    usersOfTheDatabase();

    Result argo = plan("--emit", "argo");
    Result tekton = plan("--emit", "tekton");
    JsonNode json = json(plan("--emit", "argo", "-o", "json"));

    assertExit(argo, 0);
    Map<String, String> arguments = ShippedPipelines.checkArgo(argo.out());
    assertThat(arguments)
        .containsEntry("app", "shop")
        .containsEntry("workloads", "deployment/web\nstatefulset/worker\ncronjob/report")
        .containsEntry("jdbc-url", jdbcUrl());
    Map<String, String> params = ShippedPipelines.checkTekton(tekton.out());
    assertThat(params)
        .containsEntry("maintenance-mode", "ingress")
        .containsEntry("snapshot", "true");
    assertThat(json.path("emitted").path("form").asText()).isEqualTo("argo");
    assertThat(json.path("emitted").path("text").asText()).isEqualTo(argo.out().stripTrailing());
  }
}
