package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.Procedure.Edge;
import dev.pitstop.procedure.Procedure.Step;
import dev.pitstop.step.RunState;
import dev.pitstop.testing.ArgoExpressions;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The pitstop-migration DAG is the procedure {@code pitstop run} executes. */
class MigrationDagTest {
  /** What a submission gives for the parameters that are required or empty by default. */
  static final Map<String, String> SUBMITTED =
      Map.ofEntries(
          Map.entry("app", "shop"),
          Map.entry("jdbc-url", "jdbc:postgresql://shop-db:5432/shop"),
          Map.entry("maintenance-mode", "configmap"),
          Map.entry("maintenance-configmap", "shop-flags"),
          Map.entry("maintenance-key", "maintenance"),
          Map.entry("workloads", "deployment/web\nstatefulset/worker"),
          Map.entry("smoke-urls", "http://web.shop.svc:8080/health"));

  private static final Pattern DEPENDENCY =
      Pattern.compile(
          "(?<![\\w.-])([a-z][a-z0-9-]*)(?:\\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned))?");

  private final Document document = WorkflowFiles.workflowTemplate("pitstop-migration");
  private final JsonNode migration = document.node();
  private final JsonNode dag =
      WorkflowFiles.template(migration, migration.path("spec").path("entrypoint").asText())
          .orElseThrow()
          .path("dag");

  private Map<String, JsonNode> tasks() {
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    dag.path("tasks").forEach(t -> tasks.put(t.path("name").asText(), t));
    return tasks;
  }

  private List<JsonNode> hookSteps() {
    String hook = migration.path("spec").path("hooks").path("exit").path("template").asText();
    return WorkflowFiles.steps(WorkflowFiles.template(migration, hook).orElseThrow());
  }

  /** Task name to the tasks its depends expression names, with the states it names them in. */
  private static Map<String, Set<String>> dependencies(JsonNode task) {
    Map<String, Set<String>> found = new LinkedHashMap<>();
    Matcher m = DEPENDENCY.matcher(task.path("depends").asText());
    while (m.find()) {
      found
          .computeIfAbsent(m.group(1), k -> new java.util.TreeSet<>())
          .add(m.group(2) == null ? "" : m.group(2));
    }
    return found;
  }

  private static String argument(JsonNode call, String name) {
    for (JsonNode p : call.path("arguments").path("parameters")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("value").asText();
      }
    }
    return null;
  }

  @Test
  void forwardTasksAndEdgesAreTheProcedures() {
    Set<String> forward = Procedure.FORWARD.stream().map(Step::command).collect(Collectors.toSet());
    List<Edge> edges = new ArrayList<>();
    tasks()
        .forEach(
            (name, task) -> {
              if (forward.contains(name)) {
                dependencies(task).keySet().stream()
                    .filter(forward::contains)
                    .forEach(from -> edges.add(new Edge(from, name)));
              }
            });
    assertThat(tasks().keySet().stream().filter(forward::contains).toList())
        .containsExactlyElementsOf(Procedure.FORWARD.stream().map(Step::command).toList());
    assertThat(edges).containsExactlyInAnyOrderElementsOf(Procedure.forwardEdges(true));
  }

  @Test
  void everyProcedureTaskCallsTheStepOfTheSameName() {
    List<String> named = new ArrayList<>();
    Procedure.FORWARD.forEach(s -> named.add(s.command()));
    named.add(Procedure.ROLLBACK.command());
    for (String name : named) {
      JsonNode ref = tasks().get(name).path("templateRef");
      assertThat(ref.path("name").asText()).as(name).isEqualTo("pitstop-steps");
      assertThat(ref.path("template").asText()).as(name).isEqualTo(name);
    }
  }

  /** finish counts the release as complete from the steps noted under this run's id. */
  @Test
  void everyStepIsGivenTheRunsIdSoFinishSeesWhatItDid() {
    JsonNode steps = WorkflowFiles.workflowTemplate("pitstop-steps").node();
    List<JsonNode> calls = new ArrayList<>(tasks().values());
    calls.addAll(hookSteps());
    for (JsonNode call : calls) {
      JsonNode template =
          WorkflowFiles.template(steps, call.path("templateRef").path("template").asText())
              .orElseThrow();
      if (StepLibraryTest.defaultOf(template, "run-id") != null) {
        assertThat(argument(call, "run-id"))
            .as(call.path("name").asText())
            .isEqualTo("{{workflow.uid}}");
      }
    }
    assertThat(argument(tasks().get("verify"), "run-id")).isNotNull();
    assertThat(argument(tasks().get("smoke-test"), "run-id")).isNotNull();
  }

  @Test
  void snapshotIsOptionalAndItsSkipDoesNotStopTheMigration() {
    assertThat(Procedure.SNAPSHOT.optional()).isTrue();
    JsonNode snapshot = tasks().get(Procedure.SNAPSHOT.command());
    assertThat(snapshot.path("when").asText()).contains("workflow.parameters.snapshot");
    for (JsonNode task : tasks().values()) {
      Set<String> states = dependencies(task).get(Procedure.SNAPSHOT.command());
      if (states != null && !task.path("name").asText().equals("rollback")) {
        assertThat(states.contains("Skipped") || states.contains(""))
            .as(task.path("name").asText() + " must run when snapshot is Skipped")
            .isTrue();
      }
    }
    for (String on : List.of("true", "false")) {
      assertThat(running(Map.of("window", "per-step", "snapshot", on)))
          .as("snapshot=" + on)
          .containsExactlyElementsOf(
              commands(Procedure.forward(on.equals("true")), Procedure.ROLLBACK));
    }
  }

  /** The workflow's parameters: the template's values, SUBMITTED for the empty ones, then these. */
  private Map<String, String> parameters(Map<String, String> given) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      String name = p.path("name").asText();
      String value = p.path("value").asText();
      values.put(name, value.isEmpty() ? SUBMITTED.getOrDefault(name, "") : value);
    }
    values.putAll(given);
    return values;
  }

  /** The tasks whose `when` lets them run with these parameters, in the DAG's order. */
  private List<String> running(Map<String, String> given) {
    Map<String, String> values = parameters(given);
    return tasks().values().stream()
        .filter(t -> ArgoExpressions.runs(t.path("when").asText(), values))
        .map(t -> t.path("name").asText())
        .toList();
  }

  private static List<String> commands(List<Step> steps, Step... more) {
    List<String> names = new ArrayList<>(steps.stream().map(Step::command).toList());
    for (Step step : more) {
      names.add(step.command());
    }
    return names;
  }

  /**
   * A submitted value is not checked against the enum (validate.go validateArgumentsValues checks
   * the parameter's own value, and a submitted one replaces the parameter, enum and all): every
   * value must run exactly one route, never both and never neither. Only one-pod, in any case,
   * takes the one-pod route.
   */
  @Test
  void exactlyOneRouteRunsWhateverWindowIsSubmitted() {
    List<String> onePod = List.of(Procedure.LOCK.command(), "window", Procedure.ROLLBACK.command());
    List<String> perStep = commands(Procedure.forward(true), Procedure.ROLLBACK);
    for (String value : List.of("one-pod", "ONE-POD", "One-Pod")) {
      assertThat(running(Map.of("window", value))).as("window=" + value).isEqualTo(onePod);
    }
    for (String value : List.of("per-step", "PER-STEP", "", "onepod", "one_pod", "one pod")) {
      assertThat(running(Map.of("window", value))).as("window=" + value).isEqualTo(perStep);
    }
    assertThat(running(Map.of())).as("the default").isEqualTo(onePod);
  }

  /**
   * The one-pod route: after maintenance-on, one task runs the procedure from its window's first
   * step to maintenance-off in one process. Its own run rolls back, so it stays out of the DAG
   * rollback's depends: a rollback after a window that exits 1 only because maintenance-off failed
   * would undo a completed release. It is a leaf, so its failure makes the run Failed (dag.go
   * assessDAGPhase takes the phase from the leaves).
   */
  @Test
  void theWindowTaskRunsTheProcedureFromScaleDownAfterMaintenanceOnAndIsALeaf() {
    JsonNode window = tasks().get("window");
    List<Step> forward = Procedure.forward(true);
    Step before = forward.get(forward.indexOf(Procedure.WINDOW_START) - 1);
    assertThat(window.path("depends").asText()).isEqualTo(before.command());
    assertThat(window.path("templateRef").path("template").asText()).isEqualTo("window");
    assertThat(dependencies(tasks().get(Procedure.ROLLBACK.command()))).doesNotContainKey("window");
    assertThat(tasks().values())
        .as("nothing depends on the window")
        .noneMatch(t -> dependencies(t).containsKey("window"));
    assertThat(argument(window, "run-id")).isEqualTo("{{workflow.uid}}");
    // the snapshot switch reads as the per-step route reads it: anything but false takes it
    Map<String, String> values = parameters(Map.of());
    for (String snapshot : List.of("true", "True", "yes", "", "false", "FALSE")) {
      values.put("snapshot", snapshot);
      assertThat(ArgoExpressions.substitute(argument(window, "snapshot"), values))
          .as("snapshot=" + snapshot)
          .isEqualTo(snapshot.equalsIgnoreCase("false") ? "false" : "true");
    }
  }

  /** Both routes run the steps with the same inputs: what a step task is given, the window is. */
  @Test
  void theWindowTaskGetsWhatEveryStepTaskOfThePerStepRouteGets() {
    JsonNode template =
        WorkflowFiles.template(
                WorkflowFiles.workflowTemplate("pitstop-steps").node(),
                tasks().get("window").path("templateRef").path("template").asText())
            .orElseThrow();
    JsonNode window = tasks().get("window");
    List<String> inRoute = new ArrayList<>(commands(Procedure.window(true)));
    inRoute.remove(Procedure.MAINTENANCE_OFF.command());
    for (String step : inRoute) {
      for (JsonNode argument : tasks().get(step).path("arguments").path("parameters")) {
        String input = argument.path("name").asText();
        if (StepLibraryTest.defaultOf(template, input) == null) {
          continue;
        }
        assertThat(argument(window, input))
            .as(step + " gets " + input + "; the window must get the same")
            .isEqualTo(argument.path("value").asText());
      }
    }
    JsonNode finish = hookSteps().get(0);
    assertThat(argument(window, "release-on-rollback-failure"))
        .isEqualTo(argument(finish, "release-on-rollback-failure"));
  }

  @Test
  void rollbackRunsWhenAnyStepAfterLockFailsOrErrors() {
    Map<String, Set<String>> depends = dependencies(tasks().get(Procedure.ROLLBACK.command()));
    String expression = tasks().get(Procedure.ROLLBACK.command()).path("depends").asText();
    assertThat(expression).doesNotContain("&&");
    for (Step step : Procedure.coveredByRollback()) {
      assertThat(depends.get(step.command()))
          .as("rollback on " + step.command())
          .containsExactlyInAnyOrder("Failed", "Errored");
    }
    assertThat(depends).doesNotContainKey(Procedure.LOCK.command());
  }

  /**
   * Argo takes a DAG's phase from its leaves (dag.go assessDAGPhase): a rollback that ran and
   * succeeded would make a rolled-back run Succeeded.
   */
  @Test
  void aRolledBackRunEndsFailedBecauseTheRollbackExitsOneAfterSucceeding() {
    List<String> afterRollback =
        tasks().values().stream()
            .filter(t -> dependencies(t).containsKey(Procedure.ROLLBACK.command()))
            .map(t -> t.path("name").asText())
            .toList();
    assertThat(afterRollback).as("the rollback is a leaf").isEmpty();
    assertThat(argument(tasks().get(Procedure.ROLLBACK.command()), "fail-after-rollback"))
        .isEqualTo("true");
  }

  /**
   * The exit hook (spec.hooks.exit, run on success, failure, `argo stop` and the deadline:
   * operator.go operate, ShutdownStrategy.ShouldExecute) ends the run with finish, which does the
   * closing steps in order (rollback unless the release completed, maintenance-off, unlock) from
   * the run record. After a stop or the deadline Argo retries nothing (operator.go
   * processNodeRetries returns before the retry), so a second finish meets one transient failure of
   * the first.
   */
  @Test
  void theExitHookFinishesTheRunAndSurvivesOneFailedAttempt() {
    assertThat(Procedure.CLOSING.stream().map(Step::command).toList())
        .containsExactly("maintenance-off", "unlock");
    List<JsonNode> steps = hookSteps();
    assertThat(steps).hasSize(2);
    for (JsonNode step : steps) {
      assertThat(step.path("templateRef").path("template").asText()).isEqualTo("finish");
      assertThat(argument(step, "run-id")).isEqualTo("{{workflow.uid}}");
      assertThat(argument(step, "release-on-rollback-failure"))
          .isEqualTo("{{workflow.parameters.release-after-failed-rollback}}");
      assertThat(argument(step, "last-step"))
          .as("the default last step is the procedure's last forward step")
          .isNull();
    }
    assertThat(RunState.DEFAULT_LAST_STEP)
        .isEqualTo(Procedure.FORWARD.get(Procedure.FORWARD.size() - 1).command());
    JsonNode first = steps.get(0);
    JsonNode second = steps.get(1);
    assertThat(first.path("continueOn").path("failed").asBoolean()).isTrue();
    assertThat(first.path("continueOn").path("error").asBoolean()).isTrue();
    assertThat(first.has("when")).isFalse();
    assertThat(second.path("when").asText())
        .isEqualTo("{{steps." + first.path("name").asText() + ".status}} != Succeeded");
    assertThat(second.has("continueOn")).as("its failure is the hook's").isFalse();
    for (JsonNode group :
        WorkflowFiles.template(migration, "closing").orElseThrow().path("steps")) {
      assertThat(group).as("one step at a time").hasSize(1);
    }
  }

  @Test
  void everyStepIsRetriedOnlyOnTransientFailuresAndVanishedPods() {
    JsonNode steps = WorkflowFiles.workflowTemplate("pitstop-steps").node();
    List<JsonNode> calls = new ArrayList<>(tasks().values());
    calls.addAll(hookSteps());
    for (JsonNode call : calls) {
      String name = call.path("templateRef").path("template").asText();
      JsonNode retry = WorkflowFiles.template(steps, name).orElseThrow().path("retryStrategy");
      assertThat(retry.path("expression").asText())
          .as(name)
          .isEqualTo(ArgoRulesTest.RETRY_EXPRESSION);
      assertThat(retry.path("retryPolicy").asText()).isEqualTo("Always");
    }
  }

  @Test
  void runsAreSerialisedPerAppAndBounded() {
    JsonNode spec = migration.path("spec");
    assertThat(spec.path("synchronization").has("mutex")).isFalse();
    assertThat(spec.path("synchronization").path("mutexes").get(0).path("name").asText())
        .isEqualTo("pitstop-{{workflow.parameters.app}}");
    assertThat(spec.path("activeDeadlineSeconds").asInt()).isPositive();
  }

  /**
   * A parameter without a value must be given at submission (validate.go validateArgumentsValues):
   * app names the mutex and cannot come from a config file, and the database URL is never guessed.
   */
  @Test
  void appAndTheDatabaseUrlMustBeGivenAtSubmission() {
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      String name = p.path("name").asText();
      assertThat(p.has("value"))
          .as(name + " has a value")
          .isEqualTo(!name.equals("app") && !name.equals("jdbc-url"));
    }
  }

  @Test
  void databasePasswordIsNeverAParameter() {
    List<String> names = new ArrayList<>();
    migration
        .path("spec")
        .path("arguments")
        .path("parameters")
        .forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).noneMatch(n -> n.contains("password") && !n.startsWith("db-password-"));
    assertThat(names).contains("db-password-secret", "db-password-key");
  }

  /** The cluster/ component's JSON patch names every templateRef by its index: none may slip. */
  @Test
  void theClusterVariantCallsTheClusterScopedStepLibraryEverywhere() throws IOException {
    JsonNode cluster = WorkflowFiles.clusterVariant(document);
    List<JsonNode> calls = WorkflowFiles.calls(cluster);
    assertThat(calls).hasSize(tasks().size() + hookSteps().size());
    for (JsonNode call : calls) {
      assertThat(call.path("templateRef").path("clusterScope").asBoolean())
          .as(call.path("name").asText())
          .isTrue();
    }
  }
}
