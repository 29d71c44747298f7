package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitstop.tekton.TektonFiles.Doc;
import dev.pitstop.tekton.TektonTools.Output;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Tekton's reconciler does with the shipped Pipelines when a run fails, is stopped, cancelled
 * or times out, computed by Tekton v1.0's own code (the shared {@code state} tool): finish is
 * scheduled at every end but a plain cancel, the one end that runs no finally task at all. What
 * finish then does at each end is the run record's business (TektonFinishIT).
 *
 * <p>Where the tool is absent these tests are skipped; the rule they check also holds statically
 * (TektonPipelineTest): finish has no {@code when} and reads no status variable, and Tekton skips a
 * finally task only for its own {@code when}, a plain cancel or the pipeline timeout.
 */
class TektonPipelineStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TektonFiles FILES = TektonFiles.load();
  private static final List<String> FORWARD =
      List.of(
          "lock",
          "maintenance-on",
          "scale-down",
          "snapshot",
          "migrate",
          "verify",
          "scale-up",
          "smoke-test");

  @TempDir Path dir;

  /** One scenario: the run's spec.status, each task's outcome, what Tekton must then do. */
  private ObjectNode scenario(
      ArrayNode scenarios, String name, String status, Map<String, String> tasks) {
    ObjectNode scenario = scenarios.addObject();
    scenario.put("name", name);
    scenario.put("status", status);
    ObjectNode outcomes = scenario.putObject("tasks");
    tasks.forEach(outcomes::put);
    return scenario.putObject("expect");
  }

  /** The tasks each route of {@code window} runs, in order. */
  private static final Map<String, List<String>> ROUTES =
      Map.of("per-step", FORWARD, "one-pod", List.of("lock", "maintenance-on", "window"));

  /** The tasks of {@code route} before {@code task} succeeded, {@code task} ended as given. */
  private static Map<String, String> upTo(List<String> route, String task, String outcome) {
    Map<String, String> tasks = new java.util.LinkedHashMap<>();
    for (String earlier : route.subList(0, route.indexOf(task))) {
      tasks.put(earlier, "Succeeded");
    }
    tasks.put(task, outcome);
    return tasks;
  }

  private Output state(Doc pipeline, ObjectNode file) throws IOException {
    Path scenarios = dir.resolve(pipeline.name() + ".json");
    Files.writeString(scenarios, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file));
    return TektonTools.run(
        TektonTools.NEWEST, List.of("state", pipeline.file().toString(), scenarios.toString()));
  }

  /** Every SCENARIO section of the output whose finish line does not say SCHEDULED. */
  private static List<String> unscheduled(String out) {
    List<String> found = new ArrayList<>();
    for (String section : out.split("\nSCENARIO ")) {
      if (section.contains("finally finish")
          && !section.contains("finally finish                 SCHEDULED")) {
        found.add(section.lines().findFirst().orElse(section));
      }
    }
    return found;
  }

  /**
   * Both routes of {@code window}: finish is scheduled at every end of every task the route runs.
   * The other route's tasks are skipped by their own `when`, so a clean run ends True/Completed and
   * finally tasks see $(tasks.status) Completed (pipelinerunstate.go GetPipelineTaskStatus and
   * GetPipelineConditionStatus count a when-skipped task as skipped): finish reads the record, not
   * that.
   */
  @ParameterizedTest(name = "window={0}")
  @ValueSource(strings = {"per-step", "one-pod"})
  void finishIsScheduledAfterAFailureAStopACancelOrATimeoutAtEveryTask(String window)
      throws IOException {
    Doc migration = FILES.pipeline("pitstop-migration");
    List<String> route = ROUTES.get(window);
    String last = route.get(route.size() - 1);
    boolean onePod = window.equals("one-pod");
    ObjectNode file = JSON.createObjectNode();
    file.put("pipeline", migration.name());
    file.putObject("params").put("app", "shop").put("window", window);
    ArrayNode scenarios = file.putArray("scenarios");

    ObjectNode expect = scenario(scenarios, "clean run", "", upTo(route, last, "Succeeded"));
    expect.put("finally.finish", "scheduled");
    // the other route's tasks are skipped by their `when`: True/Completed, not True/Succeeded
    expect.put("condition", "True/Completed");
    for (String task : route) {
      expect = scenario(scenarios, task + " failed", "", upTo(route, task, "Failed"));
      expect.put("finally.finish", "scheduled");
      expect.put("condition", "False/Failed");
      expect = scenario(scenarios, task + " timed out", "", upTo(route, task, "TimedOut"));
      expect.put("finally.finish", "scheduled");
      expect.put("condition", "False/Failed");
      // the PipelineRun's tasks timeout cancels the running TaskRun and skips the rest (the tool
      // models that cancellation as a plain TaskRunCancelled)
      expect =
          scenario(
              scenarios,
              "tasks timeout while " + task + " ran",
              "",
              upTo(route, task, "Cancelled"));
      expect.put("finally.finish", "scheduled");
      for (String status : List.of("StoppedRunFinally", "CancelledRunFinally")) {
        expect =
            scenario(scenarios, status + " after " + task, status, upTo(route, task, "Succeeded"));
        expect.put("finally.finish", "scheduled");
        // $(tasks.status) says Completed: nothing failed, the rest (and the other route) skipped
        expect.put("tasks.status", "Completed");
        expect.put("condition", "False/Cancelled");
      }
      expect =
          scenario(
              scenarios,
              "CancelledRunFinally while " + task + " ran",
              "CancelledRunFinally",
              upTo(route, task, "Cancelled"));
      expect.put("finally.finish", "scheduled");
      expect =
          scenario(
              scenarios,
              "plain cancel while " + task + " ran",
              "Cancelled",
              upTo(route, task, "Running"));
      expect.put("condition", "False/Cancelled");
    }
    for (String off : List.of("false", "False", "FALSE")) {
      ObjectNode scenario = scenarios.addObject();
      scenario.put("name", "snapshot=" + off + " skips the snapshot");
      scenario.putObject("params").put("snapshot", off);
      ObjectNode tasks = scenario.putObject("tasks");
      ObjectNode expected = scenario.putObject("expect").put("task.snapshot", "skipped");
      if (onePod) {
        // the window's own run leaves it out (take-snapshot false)
        upTo(route, "maintenance-on", "Succeeded").forEach(tasks::put);
        expected.put("task.window", "next");
      } else {
        upTo(route, "scale-down", "Succeeded").forEach(tasks::put);
        expected.put("task.migrate", "next");
      }
    }
    for (String on : List.of("true", "True", "TRUE", "yes")) {
      ObjectNode scenario = scenarios.addObject();
      scenario.put("name", "snapshot=" + on + " takes the snapshot");
      scenario.putObject("params").put("snapshot", on);
      ObjectNode tasks = scenario.putObject("tasks");
      if (onePod) {
        upTo(route, "maintenance-on", "Succeeded").forEach(tasks::put);
        scenario.putObject("expect").put("task.window", "next").put("task.snapshot", "skipped");
      } else {
        upTo(route, "scale-down", "Succeeded").forEach(tasks::put);
        scenario.putObject("expect").put("task.snapshot", "next");
      }
    }
    // after maintenance-on, the route's first task starts and the other route's is skipped
    ObjectNode next = scenarios.addObject();
    next.put("name", "after maintenance-on");
    ObjectNode tasks = next.putObject("tasks");
    upTo(FORWARD, "maintenance-on", "Succeeded").forEach(tasks::put);
    next.putObject("expect")
        .put("task.window", onePod ? "next" : "skipped")
        .put("task.scale-down", onePod ? "skipped" : "next");

    Output output = state(migration, file);

    assertThat(output.out()).doesNotContain("EXPECT FAIL");
    assertThat(output.exitCode()).as(output.out()).isZero();
    assertThat(output.out()).contains("expect ok");
    List<String> notScheduled = unscheduled(output.out());
    assertThat(notScheduled)
        .as("only a plain cancel runs no finally task")
        .hasSize(route.size())
        .allMatch(s -> s.startsWith("plain cancel"));
  }

  @Test
  void theTeamExampleAndTheFleetFinishAtEveryEnd() throws IOException {
    for (String name : List.of("shop-schema-update", "pitstop-fleet")) {
      Doc pipeline = FILES.pipeline(name);
      ObjectNode file = JSON.createObjectNode();
      file.put("pipeline", name);
      ObjectNode params = file.putObject("params");
      if (name.equals("pitstop-fleet")) {
        params.putArray("configs").add("/workspace/config/shop.yaml");
      } else {
        params.put("target-version", "24");
      }
      ArrayNode scenarios = file.putArray("scenarios");
      List<String> tasks = TektonFiles.names(pipeline.spec().path("tasks"));
      for (String task : tasks) {
        for (String outcome : List.of("Failed", "TimedOut", "Cancelled")) {
          Map<String, String> outcomes = new java.util.LinkedHashMap<>();
          tasks.subList(0, tasks.indexOf(task)).forEach(t -> outcomes.put(t, "Succeeded"));
          outcomes.put(task, outcome);
          scenario(scenarios, task + " " + outcome, "", outcomes)
              .put("finally.finish", "scheduled");
          scenario(
                  scenarios,
                  task + " " + outcome + " under CancelledRunFinally",
                  "CancelledRunFinally",
                  outcomes)
              .put("finally.finish", "scheduled");
        }
        Map<String, String> done = new java.util.LinkedHashMap<>();
        tasks.subList(0, tasks.indexOf(task) + 1).forEach(t -> done.put(t, "Succeeded"));
        scenario(scenarios, "StoppedRunFinally after " + task, "StoppedRunFinally", done)
            .put("finally.finish", "scheduled");
      }

      Output output = state(pipeline, file);

      assertThat(output.out()).doesNotContain("EXPECT FAIL");
      assertThat(output.exitCode()).as(output.out()).isZero();
      assertThat(unscheduled(output.out())).as(name).isEmpty();
    }
  }
}
