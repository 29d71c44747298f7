package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.Procedure.Edge;
import dev.pitstop.procedure.Procedure.Step;
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
  private static final Pattern DEPENDENCY =
      Pattern.compile(
          "(?<![\\w.-])([a-z][a-z0-9-]*)(?:\\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned))?");

  private final JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();
  private final JsonNode dag =
      WorkflowFiles.template(migration, migration.path("spec").path("entrypoint").asText())
          .orElseThrow()
          .path("dag");

  private Map<String, JsonNode> tasks() {
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    dag.path("tasks").forEach(t -> tasks.put(t.path("name").asText(), t));
    return tasks;
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

  @Test
  void snapshotIsOptionalAndItsSkipDoesNotStopTheMigration() {
    assertThat(Procedure.SNAPSHOT.optional()).isTrue();
    JsonNode snapshot = tasks().get(Procedure.SNAPSHOT.command());
    assertThat(snapshot.path("when").asText()).contains("{{workflow.parameters.snapshot}}");
    for (JsonNode task : tasks().values()) {
      Set<String> states = dependencies(task).get(Procedure.SNAPSHOT.command());
      if (states != null && !task.path("name").asText().equals("rollback")) {
        assertThat(states.contains("Skipped") || states.contains(""))
            .as(task.path("name").asText() + " must run when snapshot is Skipped")
            .isTrue();
      }
    }
    for (JsonNode task : tasks().values()) {
      if (!Procedure.byCommand(task.path("name").asText()).map(Step::optional).orElse(true)) {
        assertThat(task.has("when")).as(task.path("name").asText() + " always runs").isFalse();
      }
    }
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

  @Test
  void aRolledBackRunEndsFailedBecauseTheRollbackExitsOneAfterSucceeding() {
    List<String> afterRollback =
        tasks().values().stream()
            .filter(t -> dependencies(t).containsKey(Procedure.ROLLBACK.command()))
            .map(t -> t.path("name").asText())
            .toList();
    assertThat(afterRollback).as("the rollback is a leaf").isEmpty();
    JsonNode rollback = tasks().get(Procedure.ROLLBACK.command());
    List<String> failAfter = new java.util.ArrayList<>();
    rollback
        .path("arguments")
        .path("parameters")
        .forEach(
            p -> {
              if (p.path("name").asText().equals("fail-after-rollback")) {
                failAfter.add(p.path("value").asText());
              }
            });
    assertThat(failAfter).containsExactly("true");
  }

  @Test
  void exitHookRunsTheClosingStepsInOrder() {
    String hook = migration.path("spec").path("hooks").path("exit").path("template").asText();
    List<JsonNode> steps =
        WorkflowFiles.steps(WorkflowFiles.template(migration, hook).orElseThrow());
    Set<String> closing = Procedure.CLOSING.stream().map(Step::command).collect(Collectors.toSet());
    List<String> closingSteps =
        steps.stream().map(s -> s.path("name").asText()).filter(closing::contains).toList();
    assertThat(closingSteps)
        .containsExactlyElementsOf(Procedure.CLOSING.stream().map(Step::command).toList());
    for (JsonNode step : steps) {
      String name = step.path("name").asText();
      if (closing.contains(name)) {
        assertThat(step.path("templateRef").path("template").asText()).isEqualTo(name);
        assertThat(step.path("when").asText())
            .as(name + " keeps maintenance and the lock when rollback failed")
            .contains("rollback-failed")
            .contains("workflow.uid");
      }
    }
    JsonNode readRecord = steps.get(0);
    assertThat(readRecord.path("templateRef").path("template").asText()).isEqualTo("status");
  }

  @Test
  void everyStepIsRetriedOnlyOnTransientFailuresWithBackoff() {
    JsonNode steps = WorkflowFiles.workflowTemplate("pitstop-steps").node();
    for (JsonNode call : WorkflowFiles.calls(migration)) {
      if (!call.has("templateRef")) {
        continue;
      }
      String name = call.path("templateRef").path("template").asText();
      JsonNode retry = WorkflowFiles.template(steps, name).orElseThrow().path("retryStrategy");
      assertThat(retry.path("expression").asText())
          .as(name)
          .isEqualTo("asInt(lastRetry.exitCode) == 75");
      assertThat(retry.path("limit").isTextual()).as(name + " limit is a string").isTrue();
      assertThat(retry.path("backoff").path("factor").asText()).as(name).isNotEmpty();
      assertThat(retry.path("backoff").path("duration").asText()).as(name).isNotEmpty();
    }
  }

  @Test
  void runsAreSerialisedPerAppAndBounded() {
    JsonNode spec = migration.path("spec");
    assertThat(spec.path("synchronization").has("mutex")).isFalse();
    assertThat(spec.path("synchronization").path("mutexes").get(0).path("name").asText())
        .contains("{{workflow.parameters.app}}");
    assertThat(spec.path("activeDeadlineSeconds").asInt()).isPositive();
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
}
