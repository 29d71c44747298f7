package dev.pitstop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.testing.ArgoExpressions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pods a shipped pipeline starts inside the maintenance window, read from its YAML: after the
 * pod that switches maintenance on, up to and including the pod that switches it off. Each is a pod
 * start (scheduling, the orchestrator's init containers, the image, a JVM) users wait for before
 * that step does any work. A run is followed through the DAG (Argo: `depends` and `when`, then the
 * exit hook) or the Pipeline (Tekton: `runAfter` and `when`, then `finally`), clean or with one
 * step failing; what a task does is its step's subcommand.
 */
final class WindowPods {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ARGO = Path.of("workflow-templates");
  private static final Path TEKTON = Path.of("tekton-tasks");

  /** Subcommands that switch maintenance off: the window ends when their pod ends. */
  private static final Set<String> SWITCH_OFF = Set.of("maintenance-off", "finish", "run");

  private WindowPods() {}

  /** The tasks, in order, whose pods start inside the window; {@code failing} fails, or null. */
  static List<String> argo(String window, String failing) {
    JsonNode migration = read(ARGO.resolve("pitstop-migration.yaml"));
    JsonNode steps = read(ARGO.resolve("pitstop-steps.yaml"));
    Map<String, String> params = new LinkedHashMap<>();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      params.put(p.path("name").asText(), p.path("value").asText());
    }
    params.put("window", window);
    String entry = migration.path("spec").path("entrypoint").asText();
    Map<String, String> phases = new LinkedHashMap<>();
    List<Pod> pods = new ArrayList<>();
    for (JsonNode task : template(migration, entry).path("dag").path("tasks")) {
      String name = task.path("name").asText();
      if (!dependsHold(task.path("depends").asText(), phases)) {
        phases.put(name, "Omitted");
      } else if (!ArgoExpressions.runs(task.path("when").asText(), params)) {
        phases.put(name, "Skipped");
      } else {
        JsonNode container =
            template(steps, task.path("templateRef").path("template").asText()).path("container");
        Pod pod = new Pod(name, args(container.path("args")));
        phases.put(name, pod.runs(failing) ? "Failed" : "Succeeded");
        pods.add(pod);
      }
    }
    // the exit hook: its first step always; a second one only when the first did not succeed
    String hook = migration.path("spec").path("hooks").path("exit").path("template").asText();
    for (JsonNode group : template(migration, hook).path("steps")) {
      for (JsonNode step : group) {
        if (step.path("when").asText().isEmpty()) {
          JsonNode container =
              template(steps, step.path("templateRef").path("template").asText()).path("container");
          pods.add(new Pod(step.path("name").asText(), args(container.path("args"))));
        }
      }
    }
    return inside(pods);
  }

  /** The tasks, in order, whose pods start inside the window; {@code failing} fails, or null. */
  static List<String> tekton(String window, String failing) {
    JsonNode pipeline =
        read(TEKTON.resolve("pipeline/pitstop-migration/0.1/pitstop-migration.yaml"));
    Map<String, String> params = new LinkedHashMap<>();
    for (JsonNode p : pipeline.path("spec").path("params")) {
      params.put(p.path("name").asText(), p.path("default").asText());
    }
    params.put("window", window);
    List<Pod> pods = new ArrayList<>();
    boolean stopping = false;
    for (JsonNode task : pipeline.path("spec").path("tasks")) {
      // a failed task stops the run: Tekton schedules nothing more but finally
      if (stopping || !whenHolds(task.path("when"), params)) {
        continue;
      }
      Pod pod = tektonPod(task);
      pods.add(pod);
      stopping = pod.runs(failing);
    }
    for (JsonNode task : pipeline.path("spec").path("finally")) {
      pods.add(tektonPod(task));
    }
    return inside(pods);
  }

  /** A pod and the command line of its step, the pipeline's own arguments in. */
  private record Pod(String task, List<String> args) {
    String subcommand() {
      return args.get(0);
    }

    /** The first step this pod runs: a run starts where --from says, else at lock. */
    String from() {
      int at = args.indexOf("--from");
      return at < 0 ? Procedure.LOCK.command() : args.get(at + 1);
    }

    boolean switchesOn() {
      return subcommand().equals("maintenance-on")
          || subcommand().equals("run")
              && Procedure.FORWARD.indexOf(Procedure.byCommand(from()).orElseThrow())
                  <= Procedure.FORWARD.indexOf(Procedure.MAINTENANCE_ON);
    }

    /** Whether {@code failing} is this pod's step or one of the steps its run executes. */
    boolean runs(String failing) {
      if (failing == null) {
        return false;
      }
      if (!subcommand().equals("run")) {
        return subcommand().equals(failing);
      }
      return Procedure.forwardFrom(Procedure.byCommand(from()).orElseThrow(), true).stream()
          .anyMatch(step -> step.command().equals(failing));
    }
  }

  private static Pod tektonPod(JsonNode pipelineTask) {
    String taskName = pipelineTask.path("taskRef").path("name").asText();
    JsonNode task = read(TEKTON.resolve("task/" + taskName + "/0.1/" + taskName + ".yaml"));
    Map<String, String> given = new LinkedHashMap<>();
    pipelineTask
        .path("params")
        .forEach(p -> given.put(p.path("name").asText(), p.path("value").asText()));
    List<String> args = args(task.path("spec").path("steps").get(0).path("args"));
    // the Task passes `from` in the environment; what matters here is where its run starts
    if (given.containsKey("from") && !given.get("from").isEmpty()) {
      args.add("--from");
      args.add(given.get("from"));
    }
    return new Pod(pipelineTask.path("name").asText(), args);
  }

  /**
   * The pods after the one that switches maintenance on, up to the one that switches it off; none
   * when the pod that switches it on also switches it off (a run from maintenance-on on), as its
   * start came before the window.
   */
  private static List<String> inside(List<Pod> pods) {
    List<String> inside = new ArrayList<>();
    boolean on = false;
    for (Pod pod : pods) {
      if (!on && pod.switchesOn() && SWITCH_OFF.contains(pod.subcommand())) {
        return inside;
      }
      if (on) {
        inside.add(pod.task());
        if (SWITCH_OFF.contains(pod.subcommand())) {
          return inside;
        }
      }
      on |= pod.switchesOn();
    }
    throw new IllegalStateException("no pod switches maintenance off after it went on: " + pods);
  }

  /**
   * A `depends` of the forms the shipped DAG uses: terms joined by ||, each a task (Succeeded,
   * Skipped or Daemoned: workflow/common/ancestry.go expandDependency) or a task and a result.
   */
  private static boolean dependsHold(String depends, Map<String, String> phases) {
    if (depends.isEmpty()) {
      return true;
    }
    if (depends.contains("&&") || depends.contains("(")) {
      throw new IllegalStateException("a depends this count cannot follow: " + depends);
    }
    for (String term : depends.split("\\|\\|")) {
      String[] parts = term.strip().split("\\.");
      String phase = phases.get(parts[0]);
      if (phase == null) {
        throw new IllegalStateException(parts[0] + " is not before its dependent: " + depends);
      }
      boolean holds =
          parts.length == 1
              ? phase.equals("Succeeded") || phase.equals("Skipped")
              : phase.equals(parts[1].equals("Errored") ? "Error" : parts[1]);
      if (holds) {
        return true;
      }
    }
    return false;
  }

  /** Tekton `when` expressions on parameters: every one must hold. */
  private static boolean whenHolds(JsonNode whens, Map<String, String> params) {
    for (JsonNode when : whens) {
      String input = when.path("input").asText();
      String value = params.get(input.replaceAll("^\\$\\(params\\.(.*)\\)$", "$1"));
      boolean in = false;
      for (JsonNode v : when.path("values")) {
        in |= v.asText().equals(value);
      }
      if (when.path("operator").asText().equals("in") != in) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode template(JsonNode document, String name) {
    for (JsonNode template : document.path("spec").path("templates")) {
      if (template.path("name").asText().equals(name)) {
        return template;
      }
    }
    throw new IllegalStateException("no template " + name);
  }

  private static List<String> args(JsonNode args) {
    List<String> list = new ArrayList<>();
    args.forEach(a -> list.add(a.asText()));
    return list;
  }

  private static JsonNode read(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
