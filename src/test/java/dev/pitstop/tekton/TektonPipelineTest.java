package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.Procedure.Edge;
import dev.pitstop.procedure.Procedure.Step;
import dev.pitstop.tekton.TektonFiles.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pitstop-migration Pipeline against the procedure, and every Pipeline's references. */
class TektonPipelineTest {
  private static final Set<String> CONTEXT_VARIABLES =
      Set.of(
          "context.pipelineRun.uid", "context.pipelineRun.name", "context.pipelineRun.namespace");
  private static TektonFiles files;
  private static Doc migration;

  @BeforeAll
  static void load() {
    files = TektonFiles.load();
    migration = files.pipeline("pitstop-migration");
  }

  private static List<JsonNode> list(JsonNode node) {
    List<JsonNode> items = new ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  private static Map<String, JsonNode> byName(JsonNode node) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    node.forEach(item -> items.put(item.path("name").asText(), item));
    return items;
  }

  private static Doc taskOf(JsonNode pipelineTask) {
    String name = pipelineTask.path("taskRef").path("name").asText();
    return files
        .task(name)
        .orElseThrow(() -> new AssertionError("no Task " + name + " under tekton-tasks/"));
  }

  @Test
  void theForwardTasksAndEdgesAreTheProcedure() {
    List<JsonNode> tasks = list(migration.spec().path("tasks"));
    List<String> names = tasks.stream().map(t -> t.path("name").asText()).toList();
    assertThat(names)
        .containsExactlyElementsOf(Procedure.forward(true).stream().map(Step::command).toList());

    List<Edge> edges = new ArrayList<>();
    for (JsonNode task : tasks) {
      task.path("runAfter")
          .forEach(after -> edges.add(new Edge(after.asText(), task.path("name").asText())));
      assertThat(task.path("taskRef").path("name").asText())
          .isEqualTo("pitstop-" + task.path("name").asText());
    }
    assertThat(edges).containsExactlyInAnyOrderElementsOf(Procedure.forwardEdges(true));
  }

  @Test
  void onlyTheSnapshotIsOptionalAndItIsSwitchedByAParameter() {
    for (JsonNode task : migration.spec().path("tasks")) {
      String name = task.path("name").asText();
      boolean optional = Procedure.byCommand(name).orElseThrow().optional();
      assertThat(task.has("when")).as("when on %s", name).isEqualTo(optional);
      if (optional) {
        assertThat(name).isEqualTo(Procedure.SNAPSHOT.command());
        JsonNode when = task.path("when").get(0);
        assertThat(when.path("input").asText()).isEqualTo("$(params.snapshot)");
        assertThat(when.path("operator").asText()).isEqualTo("in");
        assertThat(TektonFiles.strings(when.path("values")).values()).containsExactly("true");
      }
    }
    // Without the snapshot the edges are still the procedure's: Tekton runs a skipped task's
    // dependents, so migrate runs right after scale-down.
    assertThat(Procedure.forwardEdges(false))
        .contains(new Edge(Procedure.SCALE_DOWN.command(), Procedure.MIGRATE.command()));
  }

  @Test
  void everyTaskHasATimeoutAndRetriesWhereARerunIsSafe() {
    for (JsonNode task : migration.spec().path("tasks")) {
      String name = task.path("name").asText();
      assertThat(task.path("timeout").asText()).as("timeout of %s", name).matches("\\d+[hm]");
      assertThat(task.path("retries").isInt()).as("retries of %s", name).isTrue();
    }
    assertThat(byName(migration.spec().path("tasks")).get("migrate").path("retries").asInt())
        .as("a failed migration is rolled back, not retried; the CLI retries transient errors")
        .isZero();
  }

  @Test
  void oneFinallyTaskRollsBackOnFailureThenClosesInOrder() {
    List<JsonNode> finallyTasks = list(migration.spec().path("finally"));
    assertThat(finallyTasks)
        .as("finally tasks run in parallel: one Task orders the tail")
        .hasSize(1);
    JsonNode finish = finallyTasks.get(0);

    // Nothing when lock failed: another run owns the app.
    JsonNode guard = finish.path("when").get(0);
    assertThat(guard.path("input").asText())
        .isEqualTo("$(tasks." + Procedure.LOCK.command() + ".status)");
    assertThat(guard.path("operator").asText()).isEqualTo("in");
    assertThat(TektonFiles.strings(guard.path("values")).values()).containsExactly("Succeeded");
    assertThat(byName(finish.path("params")).get("tasks-status").path("value").asText())
        .isEqualTo("$(tasks.status)");

    Doc task = taskOf(finish);
    List<JsonNode> steps = list(task.spec().path("steps"));
    List<String> expected = new ArrayList<>();
    expected.add(Procedure.ROLLBACK.command());
    Procedure.CLOSING.forEach(s -> expected.add(s.command()));
    assertThat(steps.stream().map(s -> s.path("name").asText()).toList())
        .containsExactlyElementsOf(expected);
    for (JsonNode step : steps) {
      assertThat(step.path("args").get(0).asText()).isEqualTo(step.path("name").asText());
    }

    JsonNode rollback = steps.get(0);
    JsonNode when = rollback.path("when").get(0);
    assertThat(when.path("input").asText()).isEqualTo("$(params.tasks-status)");
    assertThat(when.path("operator").asText()).isEqualTo("in");
    assertThat(TektonFiles.strings(when.path("values")).values()).containsExactly("Failed");
    assertThat(TektonTasksTest.paramDefault(task, "tasks-status")).isNotEqualTo("Failed");
    // A failed rollback stops the steps after it unless the run asks otherwise.
    assertThat(rollback.path("onError").asText()).isEqualTo("$(params.rollback-on-error)");
    assertThat(TektonTasksTest.paramDefault(task, "rollback-on-error")).isEqualTo("stopAndFail");
    for (JsonNode closing : steps.subList(1, steps.size())) {
      assertThat(closing.has("when")).as("%s always runs", closing.path("name")).isFalse();
      assertThat(closing.has("onError")).isFalse();
    }
  }

  @Test
  void statusVariablesAppearOnlyInFinally() {
    for (Doc pipeline : files.ofKind("Pipeline")) {
      TektonFiles.strings(pipeline.spec())
          .forEach(
              (path, text) -> {
                for (String variable : TektonFiles.variables(text)) {
                  if (variable.equals("tasks.status")
                      || variable.matches("tasks\\.[^.]+\\.status")) {
                    assertThat(path).as("%s in %s", variable, pipeline).startsWith("/finally/");
                  }
                }
              });
    }
    for (Doc task : files.ofKind("Task")) {
      assertThat(task.spec().toString()).doesNotContain("$(tasks.");
    }
  }

  @Test
  void everyPipelineReferenceIsDeclared() {
    List<Doc> pipelines = files.ofKind("Pipeline");
    assertThat(pipelines).hasSizeGreaterThanOrEqualTo(2);
    for (Doc pipeline : pipelines) {
      Set<String> params = new TreeSet<>(TektonFiles.names(pipeline.spec().path("params")));
      Set<String> workspaces = new TreeSet<>(TektonFiles.names(pipeline.spec().path("workspaces")));
      Map<String, JsonNode> tasks = byName(pipeline.spec().path("tasks"));
      Map<String, JsonNode> finallyTasks = byName(pipeline.spec().path("finally"));
      Set<String> usedParams = new TreeSet<>();

      TektonFiles.strings(pipeline.spec())
          .forEach(
              (path, text) -> {
                for (String variable : TektonFiles.variables(text)) {
                  String where = variable + " at " + path + " of " + pipeline;
                  String[] parts = variable.split("\\.");
                  if (parts[0].equals("params")) {
                    // an array param is used whole, with [*]
                    String param = parts[1].replace("[*]", "");
                    assertThat(params).as(where).contains(param);
                    usedParams.add(param);
                  } else if (CONTEXT_VARIABLES.contains(variable)
                      || variable.equals("tasks.status")) {
                    continue;
                  } else if (parts[0].equals("tasks") && parts.length == 3) {
                    assertThat(parts[2]).as(where).isEqualTo("status");
                    assertThat(tasks).as(where).containsKey(parts[1]);
                  } else if (parts[0].equals("tasks") && parts.length == 4) {
                    assertThat(parts[2]).as(where).isEqualTo("results");
                    assertThat(tasks).as(where).containsKey(parts[1]);
                    assertThat(
                            TektonFiles.names(taskOf(tasks.get(parts[1])).spec().path("results")))
                        .as(where)
                        .contains(parts[3]);
                  } else {
                    throw new AssertionError("unexpected variable " + where);
                  }
                }
              });
      assertThat(usedParams).as("every param of %s is used", pipeline).isEqualTo(params);

      Map<String, JsonNode> all = new LinkedHashMap<>(tasks);
      all.putAll(finallyTasks);
      for (JsonNode pipelineTask : all.values()) {
        String name = pipelineTask.path("name").asText();
        pipelineTask
            .path("runAfter")
            .forEach(
                after -> assertThat(tasks).as("runAfter of %s", name).containsKey(after.asText()));
        Doc task = taskOf(pipelineTask);
        Map<String, JsonNode> taskParams = byName(task.spec().path("params"));
        Set<String> given = new TreeSet<>(byName(pipelineTask.path("params")).keySet());
        given.addAll(byName(pipelineTask.path("matrix").path("params")).keySet());
        assertThat(taskParams.keySet()).as("params %s gives to %s", name, task).containsAll(given);
        taskParams.forEach(
            (param, spec) -> {
              if (!spec.has("default")) {
                assertThat(given).as("%s gives required param %s", name, param).contains(param);
              }
            });
        Map<String, JsonNode> taskWorkspaces = byName(task.spec().path("workspaces"));
        for (JsonNode binding : pipelineTask.path("workspaces")) {
          assertThat(taskWorkspaces).containsKey(binding.path("name").asText());
          assertThat(workspaces).contains(binding.path("workspace").asText());
        }
        taskWorkspaces.forEach(
            (workspace, spec) -> {
              if (!spec.path("optional").asBoolean()) {
                assertThat(byName(pipelineTask.path("workspaces")))
                    .as("%s binds workspace %s", name, workspace)
                    .containsKey(workspace);
              }
            });
      }
    }
  }

  @Test
  void theExampleRunGivesEveryRequiredParamAndAllThreeTimeouts() {
    List<Doc> runs = files.ofKind("PipelineRun");
    assertThat(runs).isNotEmpty();
    for (Doc run : runs) {
      Doc pipeline = files.pipeline(run.spec().path("pipelineRef").path("name").asText());
      Map<String, JsonNode> declared = byName(pipeline.spec().path("params"));
      Set<String> given = byName(run.spec().path("params")).keySet();
      assertThat(declared.keySet()).containsAll(given);
      declared.forEach(
          (name, spec) -> {
            if (!spec.has("default")) {
              assertThat(given).as("%s gives %s", run, name).contains(name);
            }
          });
      assertThat(TektonFiles.names(pipeline.spec().path("workspaces")))
          .containsAll(TektonFiles.names(run.spec().path("workspaces")));
      JsonNode timeouts = run.spec().path("timeouts");
      for (String timeout : List.of("pipeline", "tasks", "finally")) {
        assertThat(timeouts.path(timeout).asText()).as("timeouts.%s", timeout).isNotBlank();
      }
      assertThat(run.spec().path("taskRunTemplate").path("serviceAccountName").asText())
          .isEqualTo(serviceAccount().name());
    }
  }

  @Test
  void theExampleUserPipelineReusesJustMigrateAndVerify() {
    Doc own = files.pipeline("shop-schema-update");
    assertThat(
            list(own.spec().path("tasks")).stream()
                .map(t -> t.path("taskRef").path("name").asText()))
        .containsExactly("pitstop-migrate", "pitstop-verify");
  }

  private static Doc serviceAccount() {
    List<Doc> accounts = files.ofKind("ServiceAccount");
    assertThat(accounts).hasSize(1);
    return accounts.get(0);
  }

  @Test
  void theRoleGrantsNamedVerbsOnNamedResourcesToTheServiceAccount() {
    Doc role = files.ofKind("Role").get(0);
    for (JsonNode rule : role.node().path("rules")) {
      assertThat(TektonFiles.strings(rule).values()).doesNotContain("*");
      assertThat(TektonFiles.strings(rule.path("verbs")).values())
          .isSubsetOf("get", "list", "watch", "create", "update", "delete");
    }
    Doc binding = files.ofKind("RoleBinding").get(0);
    assertThat(binding.node().path("roleRef").path("name").asText()).isEqualTo(role.name());
    assertThat(binding.node().path("subjects").get(0).path("name").asText())
        .isEqualTo(serviceAccount().name());
  }

  @Test
  void theKustomizationInstallsEveryTaskThePipelineAndTheRbac() throws IOException {
    Doc kustomization = files.ofKind("Kustomization").get(0);
    Set<String> listed =
        new TreeSet<>(TektonFiles.strings(kustomization.node().path("resources")).values());
    Set<String> expected = new TreeSet<>();
    for (String folder : List.of("tasks", "pipeline", "rbac")) {
      try (Stream<Path> found = Files.list(TektonFiles.ROOT.resolve(folder))) {
        found.forEach(f -> expected.add(folder + "/" + f.getFileName()));
      }
    }
    expected.add("../maintenance-page");
    assertThat(listed).isEqualTo(expected);
  }
}
