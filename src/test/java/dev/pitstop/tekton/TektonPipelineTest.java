package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.core.Durations;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.Procedure.Edge;
import dev.pitstop.procedure.Procedure.Step;
import dev.pitstop.tekton.TektonFiles.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** The task of the one-pod route: the procedure's window in one TaskRun. */
  private static final String WINDOW = "window";

  private static List<JsonNode> perStepTasks() {
    return list(migration.spec().path("tasks")).stream()
        .filter(t -> !t.path("name").asText().equals(WINDOW))
        .toList();
  }

  private static Map<String, String> params(JsonNode pipelineTask) {
    Map<String, String> values = new LinkedHashMap<>();
    pipelineTask
        .path("params")
        .forEach(p -> values.put(p.path("name").asText(), p.path("value").asText()));
    return values;
  }

  @Test
  void theForwardTasksAndEdgesAreTheProcedure() {
    List<JsonNode> tasks = perStepTasks();
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

  /**
   * The one-pod route: after maintenance-on, pitstop-run executes the procedure from its window's
   * first step to maintenance-off, and leaves the lock to finish, which unlocks from the record.
   */
  @Test
  void theWindowTaskRunsTheProcedureFromScaleDownAfterMaintenanceOnAndLeavesTheLock() {
    JsonNode window = byName(migration.spec().path("tasks")).get(WINDOW);
    List<Step> forward = Procedure.forward(true);
    Step before = forward.get(forward.indexOf(Procedure.WINDOW_START) - 1);
    assertThat(TektonFiles.strings(window.path("runAfter")).values())
        .containsExactly(before.command());
    assertThat(window.path("taskRef").path("name").asText()).isEqualTo("pitstop-run");
    Map<String, String> given = params(window);
    assertThat(given)
        .containsEntry("from", Procedure.WINDOW_START.command())
        .containsEntry("unlock", "false")
        .containsEntry("run-id", "$(context.pipelineRun.uid)")
        .containsEntry("take-snapshot", "$(params.snapshot)");
    // Tekton retries no forward task (below); the CLI retries no step then either: a transient
    // failure is still retried inside each step until its deadline
    assertThat(given).containsEntry("retries", "0");
    for (JsonNode task : list(migration.spec().path("tasks"))) {
      assertThat(TektonFiles.strings(task.path("runAfter")).values())
          .as("nothing runs after the window")
          .doesNotContain(WINDOW);
    }
  }

  /** Both routes run the steps with the same inputs and the same deadline for each step. */
  @Test
  void theWindowTaskGetsWhatEveryTaskOfThePerStepRouteGets() {
    JsonNode window = byName(migration.spec().path("tasks")).get(WINDOW);
    Map<String, String> given = params(window);
    Set<String> declared = new TreeSet<>(TektonFiles.names(taskOf(window).spec().path("params")));
    Map<String, Duration> budgets = new LinkedHashMap<>();
    for (String line : given.get("step-timeouts").split("\\R")) {
      String[] entry = line.split("=");
      budgets.put(entry[0], Durations.parse(entry[1]));
    }
    Duration each = Durations.parse(given.get("timeout"));
    for (JsonNode task : perStepTasks()) {
      String name = task.path("name").asText();
      if (!Procedure.window(true).contains(Procedure.byCommand(name).orElseThrow())) {
        continue;
      }
      params(task)
          .forEach(
              (param, value) -> {
                if (param.equals("timeout")) {
                  assertThat(budgets.getOrDefault(name, each))
                      .as("the window's deadline of %s", name)
                      .isEqualTo(Durations.parse(value));
                } else if (declared.contains(param)) {
                  assertThat(given.get(param))
                      .as("%s gets %s; the window must get the same", name, param)
                      .isEqualTo(value);
                }
              });
    }
    JsonNode finish = list(migration.spec().path("finally")).get(0);
    Map<String, String> closing = params(finish);
    assertThat(budgets.getOrDefault(Procedure.ROLLBACK.command(), each))
        .as("the rollback gets finish's deadline")
        .isEqualTo(Durations.parse(closing.get("timeout")));
    for (String param : List.of("backward-compatible", "release-on-rollback-failure")) {
      assertThat(given.get(param)).as(param).isEqualTo(closing.get(param));
    }
  }

  /**
   * The window's TaskRun holds every step it runs (Tekton's timeout is a fixed duration, never a
   * parameter): the record and input checks, each step's own deadline, and the pod's start.
   */
  @Test
  void theWindowTasksTimeoutHoldsTheChecksAndEveryStepsDeadline() {
    JsonNode window = byName(migration.spec().path("tasks")).get(WINDOW);
    Map<String, String> given = params(window);
    Duration each = Durations.parse(given.get("timeout"));
    Map<String, Duration> budgets = new LinkedHashMap<>();
    for (String line : given.get("step-timeouts").split("\\R")) {
      String[] entry = line.split("=");
      budgets.put(entry[0], Durations.parse(entry[1]));
    }
    Duration sum = each; // the checks of the record and the inputs
    for (Step step : Procedure.window(true)) {
      sum = sum.plus(budgets.getOrDefault(step.command(), each));
    }
    assertThat(budgets.keySet())
        .as("only steps the window runs")
        .isSubsetOf(Procedure.window(true).stream().map(Step::command).toList());
    assertThat(TektonTimeouts.tekton(window.path("timeout").asText()))
        .isGreaterThanOrEqualTo(sum.plus(TektonTimeouts.START_MARGIN));
  }

  /**
   * A `when` that is false skips only its own task: Tekton ignores a parent skipped for its when
   * expressions (pkg/reconciler/pipelinerun/resources/pipelinerunresolution.go
   * skipBecauseParentTaskWasSkipped, the same at v0.59.0 and v1.0.0) and runs its dependents. So
   * every task of a route carries the route's switch itself. Tekton compares the value as written
   * and has no enum without an alpha flag: any value runs exactly one route, one-pod only when it
   * is exactly one-pod.
   */
  @Test
  void everyTaskOfARouteCarriesTheSwitchAndExactlyOneRouteRuns() {
    for (String value : List.of("one-pod", "per-step", "", "One-Pod", "onepod")) {
      List<String> running = new ArrayList<>();
      for (JsonNode task : list(migration.spec().path("tasks"))) {
        if (runs(task, Map.of("window", value, "snapshot", "true"))) {
          running.add(task.path("name").asText());
        }
      }
      List<String> expected =
          value.equals("one-pod")
              ? List.of(Procedure.LOCK.command(), WINDOW)
              : Procedure.forward(true).stream().map(Step::command).toList();
      assertThat(running).as("window=%s", value).isEqualTo(expected);
    }
    assertThat(TektonTasksTest.paramDefault(migration, "window")).isEqualTo("one-pod");
  }

  /** Whether a task's when expressions (all of them: in, notin) hold for these params. */
  private static boolean runs(JsonNode task, Map<String, String> values) {
    for (JsonNode when : task.path("when")) {
      String input = when.path("input").asText();
      assertThat(input).matches("\\$\\(params\\.[a-z-]+\\)");
      String value = values.get(input.substring("$(params.".length(), input.length() - 1));
      boolean in = TektonFiles.strings(when.path("values")).containsValue(value);
      boolean holds =
          switch (when.path("operator").asText()) {
            case "in" -> in;
            case "notin" -> !in;
            default -> throw new AssertionError("operator " + when.path("operator"));
          };
      if (!holds) {
        return false;
      }
    }
    return true;
  }

  @Test
  void onlyTheSnapshotIsOptionalAndItIsSwitchedByAParameter() {
    for (JsonNode task : perStepTasks()) {
      String name = task.path("name").asText();
      boolean optional = Procedure.byCommand(name).orElseThrow().optional();
      List<JsonNode> whens = list(task.path("when"));
      boolean inWindow =
          Procedure.FORWARD.indexOf(Procedure.byCommand(name).orElseThrow())
              >= Procedure.FORWARD.indexOf(Procedure.WINDOW_START);
      assertThat(whens).as("when on %s", name).hasSize((optional ? 1 : 0) + (inWindow ? 1 : 0));
      if (optional) {
        assertThat(name).isEqualTo(Procedure.SNAPSHOT.command());
        // skipped only when switched off in a spelling the CLI reads as false; anything else
        // (True, TRUE, a typo) takes the snapshot, the side a rollback can rely on
        JsonNode when = whens.get(0);
        assertThat(when.path("input").asText()).isEqualTo("$(params.snapshot)");
        assertThat(when.path("operator").asText()).isEqualTo("notin");
        assertThat(TektonFiles.strings(when.path("values")).values())
            .containsExactlyInAnyOrder("false", "False", "FALSE");
      }
    }
    // Without the snapshot the edges are still the procedure's: Tekton runs a skipped task's
    // dependents, so migrate runs right after scale-down.
    assertThat(Procedure.forwardEdges(false))
        .contains(new Edge(Procedure.SCALE_DOWN.command(), Procedure.MIGRATE.command()));
  }

  @Test
  void everyTaskTimeoutLeavesItsStepItsWholeDeadline() {
    for (Doc pipeline : pipelinesRunningPitstop()) {
      for (JsonNode task : allTasks(pipeline)) {
        TektonTimeouts.assertStepFitsTask(
            task.path("name").asText() + " of " + pipeline,
            byName(task.path("params")).getOrDefault("timeout", MISSING).path("value").asText(),
            task.path("timeout").asText());
      }
    }
  }

  @Test
  void onlyFinishIsRetriedBecauseTektonRetriesEveryFailure() {
    for (Doc pipeline : pipelinesRunningPitstop()) {
      // Tekton retries any failure, each try with a fresh timeout: a retried verify, smoke-test or
      // migrate only keeps the app down longer before the rollback; the CLI already retries
      // transient errors inside its --timeout
      for (JsonNode task : pipeline.spec().path("tasks")) {
        assertThat(task.path("retries").asInt(-1)).as("retries of %s", task.path("name")).isZero();
      }
      // finish is what brings the app back: a lost pod there must not leave it down
      for (JsonNode task : pipeline.spec().path("finally")) {
        assertThat(task.path("retries").asInt())
            .as("retries of finish in %s", pipeline)
            .isEqualTo(2);
      }
    }
  }

  private static final JsonNode MISSING =
      com.fasterxml.jackson.databind.node.MissingNode.getInstance();

  /** Pipelines whose tasks all run Pitstop Tasks (the shipped ones and the team example). */
  private static List<Doc> pipelinesRunningPitstop() {
    List<Doc> pipelines = files.ofKind("Pipeline");
    assertThat(pipelines).hasSize(3);
    return pipelines;
  }

  private static List<JsonNode> allTasks(Doc pipeline) {
    List<JsonNode> all = list(pipeline.spec().path("tasks"));
    all.addAll(list(pipeline.spec().path("finally")));
    return all;
  }

  @Test
  void oneFinallyTaskEndsTheRunFromItsRecordWhateverTektonSays() {
    List<JsonNode> finallyTasks = list(migration.spec().path("finally"));
    assertThat(finallyTasks)
        .as("finally tasks run in parallel: one Task orders the tail")
        .hasSize(1);
    JsonNode finish = finallyTasks.get(0);
    // Always scheduled (Tekton skips a finally task only for its own when, a hard cancel or the
    // pipeline timeout): after a failed or timed-out lock it finds no record of this run, or
    // another run's, and changes nothing. No status variable: $(tasks.status) says Completed
    // after a graceful stop or a tasks timeout that skipped the rest of a half-done release.
    assertThat(finish.has("when")).isFalse();
    assertThat(finish.toString()).doesNotContain("$(tasks.");
    assertThat(byName(finish.path("params")).get("run-id").path("value").asText())
        .isEqualTo("$(context.pipelineRun.uid)");

    Doc task = taskOf(finish);
    List<JsonNode> steps = list(task.spec().path("steps"));
    assertThat(steps).hasSize(1);
    assertThat(steps.get(0).path("args").get(0).asText()).isEqualTo("finish");
    assertThat(steps.get(0).has("onError")).isFalse();
    assertThat(TektonTasksTest.paramDefault(task, "release-on-rollback-failure")).isEmpty();

    // finish counts the release complete only when smoke-test, the last task, noted its success
    // in the record under the run's id: the read-only checks get it too
    List<String> forward =
        list(migration.spec().path("tasks")).stream().map(t -> t.path("name").asText()).toList();
    assertThat(forward).last().isEqualTo("smoke-test");
    for (JsonNode forwardTask : migration.spec().path("tasks")) {
      assertThat(byName(forwardTask.path("params")).get("run-id").path("value").asText())
          .as("run-id of %s", forwardTask.path("name"))
          .isEqualTo("$(context.pipelineRun.uid)");
    }
    assertThat(byName(finish.path("params"))).doesNotContainKey("last-step");
  }

  @Test
  void theRunsResultsSayHowItEndedAndWhatTheDatabaseHoldsThen() {
    Map<String, JsonNode> results = byName(migration.spec().path("results"));
    assertThat(results.get("outcome").path("value").asText())
        .isEqualTo("$(finally.finish.results.outcome)");
    assertThat(results.get("schema-version-after").path("value").asText())
        .isEqualTo("$(finally.finish.results.schema-version)");
    assertThat(results.get("schema-version-before").path("value").asText())
        .isEqualTo("$(tasks.migrate.results.schema-version-before)");
    assertThat(results.get("states").path("value").asText())
        .isEqualTo("$(tasks.window.results.states)");
    assertThat(results.get("window-seconds").path("value").asText())
        .isEqualTo("$(finally.finish.results.window-seconds)");
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
    for (Doc pipeline : pipelinesRunningPitstop()) {
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
                  } else if ((parts[0].equals("tasks") || parts[0].equals("finally"))
                      && parts.length == 4) {
                    Map<String, JsonNode> producers =
                        parts[0].equals("tasks") ? tasks : finallyTasks;
                    assertThat(parts[2]).as(where).isEqualTo("results");
                    assertThat(producers).as(where).containsKey(parts[1]);
                    assertThat(
                            TektonFiles.names(
                                taskOf(producers.get(parts[1])).spec().path("results")))
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
  void everySampleRunGivesEveryRequiredParamAndLeavesFinishItsTime() {
    List<Doc> runs = files.ofKind("PipelineRun");
    assertThat(runs).hasSize(3);
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
      assertTimeoutsLeaveFinishItsTime(
          run.toString(),
          pipeline,
          timeouts.path("pipeline").asText(),
          timeouts.path("tasks").asText(),
          timeouts.path("finally").asText());
      assertThat(run.spec().path("taskRunTemplate").path("serviceAccountName").asText())
          .isEqualTo(serviceAccount().name());
    }
  }

  /** A documented start, up to the end of its code block. */
  private static final Pattern TKN_START =
      Pattern.compile("tkn pipeline start (\\S+)(.*?)```", Pattern.DOTALL);

  @Test
  void everyDocumentedTknStartSetsTimeoutsThatLeaveFinishItsTime() throws IOException {
    int found = 0;
    for (Path readme : List.of(Path.of("README.md"), TektonFiles.ROOT.resolve("README.md"))) {
      Matcher m = TKN_START.matcher(Files.readString(readme));
      while (m.find()) {
        found++;
        String command = m.group(2);
        assertTimeoutsLeaveFinishItsTime(
            "tkn pipeline start " + m.group(1) + " in " + readme,
            files.pipeline(m.group(1)),
            flag(command, "--pipeline-timeout"),
            flag(command, "--tasks-timeout"),
            flag(command, "--finally-timeout"));
      }
    }
    assertThat(found).isPositive();
  }

  private static String flag(String command, String name) {
    Matcher m = Pattern.compile(Pattern.quote(name) + "[ =](\\S+)").matcher(command);
    assertThat(m.find()).as("%s in: %s", name, command).isTrue();
    return m.group(1);
  }

  /**
   * A PipelineRun's timeouts end a run through finish: the pipeline timeout (which cancels a
   * running finish and never starts one) covers tasks and finally together; finally covers every
   * try of finish; tasks covers the longest chain of Task timeouts, so a slow but healthy release
   * is not cut off (when it is, finish rolls it back).
   */
  static void assertTimeoutsLeaveFinishItsTime(
      String where, Doc pipeline, String pipelineTimeout, String tasks, String finallyTimeout) {
    Duration total = TektonTimeouts.tekton(pipelineTimeout);
    Duration dag = TektonTimeouts.tekton(tasks);
    Duration tail = TektonTimeouts.tekton(finallyTimeout);
    assertThat(total)
        .as("%s: pipeline covers tasks and finally", where)
        .isGreaterThanOrEqualTo(dag.plus(tail));
    for (JsonNode task : pipeline.spec().path("finally")) {
      Duration everyTry =
          TektonTimeouts.tekton(task.path("timeout").asText())
              .multipliedBy(1 + task.path("retries").asInt());
      assertThat(tail)
          .as("%s: finally covers every try of %s", where, task.path("name"))
          .isGreaterThanOrEqualTo(everyTry);
    }
    assertThat(dag)
        .as("%s: tasks covers the longest chain", where)
        .isGreaterThanOrEqualTo(longestChain(pipeline));
  }

  private static Duration longestChain(Doc pipeline) {
    Map<String, JsonNode> tasks = byName(pipeline.spec().path("tasks"));
    Map<String, Duration> ends = new LinkedHashMap<>();
    Duration longest = Duration.ZERO;
    for (String name : tasks.keySet()) {
      Duration end = chainEnd(name, tasks, ends);
      longest = end.compareTo(longest) > 0 ? end : longest;
    }
    return longest;
  }

  private static Duration chainEnd(
      String name, Map<String, JsonNode> tasks, Map<String, Duration> ends) {
    if (ends.containsKey(name)) {
      return ends.get(name);
    }
    JsonNode task = tasks.get(name);
    Duration start = Duration.ZERO;
    for (JsonNode after : task.path("runAfter")) {
      Duration end = chainEnd(after.asText(), tasks, ends);
      start = end.compareTo(start) > 0 ? end : start;
    }
    Duration end = start.plus(TektonTimeouts.tekton(task.path("timeout").asText()));
    ends.put(name, end);
    return end;
  }

  @Test
  void theTeamExampleLocksMigratesVerifiesAndFinishesAfterVerify() {
    Doc own = files.pipeline("shop-schema-update");
    assertThat(
            list(own.spec().path("tasks")).stream()
                .map(t -> t.path("taskRef").path("name").asText()))
        .containsExactly("pitstop-lock", "pitstop-migrate", "pitstop-verify");
    JsonNode finish = own.spec().path("finally").get(0);
    assertThat(finish.path("taskRef").path("name").asText()).isEqualTo("pitstop-finish");
    assertThat(byName(finish.path("params")).get("last-step").path("value").asText())
        .isEqualTo("verify");
    for (JsonNode task : allTasks(own)) {
      assertThat(byName(task.path("params")).get("run-id").path("value").asText())
          .as("run-id of %s", task.path("name"))
          .isEqualTo("$(context.pipelineRun.uid)");
      assertThat(byName(task.path("params")).get("app").path("value").asText()).isEqualTo("shop");
    }
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
  void theBaseKustomizationInstallsEveryTaskThePipelineAndTheRbacButNotTheFleet() {
    List<Doc> kustomizations = files.ofKind("Kustomization");
    assertThat(kustomizations).hasSize(1);
    Set<String> listed =
        new TreeSet<>(TektonFiles.strings(kustomizations.get(0).node().path("resources")).values());
    Set<String> expected = new TreeSet<>();
    for (Doc task : files.ofKind("Task")) {
      expected.add(TektonFiles.ROOT.relativize(task.file()).toString());
    }
    expected.add(TektonFiles.ROOT.relativize(migration.file()).toString());
    expected.add("rbac/rbac.yaml");
    expected.add("../maintenance-page");
    // the fleet's matrix needs enable-api-fields beta or alpha: it is applied on its own
    assertThat(listed).isEqualTo(expected);
  }
}
