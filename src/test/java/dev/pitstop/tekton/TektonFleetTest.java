package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.tekton.TektonFiles.Doc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pitstop-fleet Pipeline: a matrix of whole-procedure TaskRuns, one per app config, isolated
 * from each other, and a summary of every app.
 */
class TektonFleetTest {
  private static TektonFiles files;
  private static Doc fleet;

  @BeforeAll
  static void load() {
    files = TektonFiles.load();
    fleet = files.pipeline("pitstop-fleet");
  }

  private static JsonNode only(JsonNode list) {
    assertThat(list).hasSize(1);
    return list.get(0);
  }

  private static JsonNode matrixParam(JsonNode pipelineTask) {
    return only(pipelineTask.path("matrix").path("params"));
  }

  private static Doc task(JsonNode pipelineTask) {
    return files.task(pipelineTask.path("taskRef").path("name").asText()).orElseThrow();
  }

  @Test
  void theMatrixRunsTheWholeProcedureOncePerAppConfig() {
    JsonNode migrate = only(fleet.spec().path("tasks"));
    JsonNode configs = fleet.spec().path("params").get(0);
    assertThat(configs.path("name").asText()).isEqualTo("configs");
    assertThat(configs.path("type").asText()).isEqualTo("array");
    assertThat(configs.has("default")).as("a fleet names its apps").isFalse();
    assertThat(matrixParam(migrate).path("name").asText()).isEqualTo("config-file");
    assertThat(matrixParam(migrate).path("value").asText()).isEqualTo("$(params.configs[*])");

    // The unit fanned out is `pitstop run`: Procedure, executed by one process (RunIT checks it
    // on a real database), described in the Task's own words in the procedure's order.
    Doc run = task(migrate);
    JsonNode step = only(run.spec().path("steps"));
    assertThat(step.path("args").get(0).asText()).isEqualTo("run");
    String description = run.spec().path("description").asText().replaceAll("\\s+", " ");
    List<String> order = new ArrayList<>();
    Procedure.FORWARD.forEach(s -> order.add(s.command().replace('-', ' ')));
    order.add(Procedure.ROLLBACK.command());
    Procedure.CLOSING.forEach(s -> order.add(s.command().replace('-', ' ')));
    int at = 0;
    for (String words : order) {
      int found = description.indexOf(words, at);
      assertThat(found).as("%s after position %d of: %s", words, at, description).isNotNegative();
      at = found + words.length();
    }
    assertThat(TektonTasksTest.paramDefault(run, "app"))
        .as("the app comes from its config")
        .isEmpty();
  }

  @Test
  void oneAppsFailureNeitherStopsNorRollsBackAnother() {
    JsonNode migrate = only(fleet.spec().path("tasks"));
    assertThat(migrate.path("retries").asInt(-1))
        .as("a retry after a rollback would migrate the app again")
        .isZero();
    // Nothing runs after the matrix but finally: no app's TaskRun is skipped by another's failure.
    for (JsonNode task : fleet.spec().path("tasks")) {
      assertThat(task.has("runAfter")).isFalse();
    }
    for (JsonNode pipelineTask : fleet.spec().path("finally")) {
      assertThat(pipelineTask.has("when")).as("finish always runs").isFalse();
      Doc task = task(pipelineTask);
      // finish reads each app's own record: an app whose run ended by itself has none left (or a
      // failed rollback, which it keeps), so only what a cut-off TaskRun left is rolled back
      assertThat(only(task.spec().path("steps")).path("args").get(0).asText()).isEqualTo("finish");
    }
    // Each app has its own run record (configmap/pitstop-APP); the run id is the PipelineRun's.
    JsonNode params = migrate.path("params");
    List<String> runIds = new ArrayList<>();
    params.forEach(
        p -> {
          if (p.path("name").asText().equals("run-id")) {
            runIds.add(p.path("value").asText());
          }
        });
    assertThat(runIds).containsExactly("$(context.pipelineRun.uid)");
  }

  @Test
  void finishEndsEveryAppOfTheMatrixFromItsOwnRecord() {
    JsonNode finish = only(fleet.spec().path("finally"));
    assertThat(matrixParam(finish).toString())
        .isEqualTo(matrixParam(only(fleet.spec().path("tasks"))).toString());
    assertThat(task(finish).name()).isEqualTo("pitstop-finish");
    assertThat(TektonTasksTest.paramDefault(task(finish), "app"))
        .as("the app comes from its config")
        .isEmpty();
    assertThat(finish.path("params").findValuesAsText("value"))
        .contains("$(context.pipelineRun.uid)");
  }

  @Test
  void perAppPasswordsComeFromTheCredentialsWorkspaceOrTheSharedSecret() {
    for (JsonNode pipelineTask :
        List.of(only(fleet.spec().path("tasks")), only(fleet.spec().path("finally")))) {
      Doc task = task(pipelineTask);
      assertThat(TektonFiles.names(task.spec().path("workspaces"))).contains("db-credentials");
      List<String> bound = TektonFiles.names(pipelineTask.path("workspaces"));
      assertThat(bound).contains("config", "db-credentials");
      for (JsonNode env : task.spec().findValues("env")) {
        for (JsonNode variable : env) {
          if (variable.path("name").asText().equals("PITSTOP_DB_PASSWORD")) {
            assertThat(variable.path("valueFrom").path("secretKeyRef").path("optional").asBoolean())
                .as("a fleet with per-app passwords has no shared Secret")
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void theExampleRunNamesOneConfigPerAppAndBindsNoVolumeClaim() {
    Doc run =
        files.ofKind("PipelineRun").stream()
            .filter(r -> r.spec().path("pipelineRef").path("name").asText().equals(fleet.name()))
            .findFirst()
            .orElseThrow();
    JsonNode configs = null;
    for (JsonNode param : run.spec().path("params")) {
      if (param.path("name").asText().equals("configs")) {
        configs = param.path("value");
      }
    }
    assertThat(configs).isNotNull();
    assertThat(configs.isArray()).isTrue();
    assertThat(configs.size()).isGreaterThan(1);
    configs.forEach(c -> assertThat(c.asText()).startsWith("/workspace/config/").endsWith(".yaml"));
    assertThat(TektonFiles.names(run.spec().path("workspaces")))
        .contains("config", "db-credentials");
    // a claim bound as a workspace makes Tekton's affinity assistant (coschedule: workspaces, the
    // default) pin every app's TaskRun to one node, where the pods that do not fit stay Pending
    for (JsonNode workspace : run.spec().path("workspaces")) {
      assertThat(workspace.has("persistentVolumeClaim") || workspace.has("volumeClaimTemplate"))
          .as("workspace %s of the fleet example", workspace.path("name"))
          .isFalse();
    }
  }
}
