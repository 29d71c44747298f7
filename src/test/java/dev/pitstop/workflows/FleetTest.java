package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * pitstop-fleet fans the whole pitstop-migration out over a list of apps, isolates their failures
 * and sums them up.
 */
class FleetTest {
  private static final Pattern TO_JSON = Pattern.compile("\\{\\{=toJson\\(([^)]*)\\)}}");

  /** Argo's toJson: a JSON string, which YAML reads as a double-quoted scalar. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Pattern SIMPLE = Pattern.compile("\\{\\{([^=}][^}]*)}}");

  private final Document fleetDocument = WorkflowFiles.workflowTemplate("pitstop-fleet");
  private final JsonNode fleet = fleetDocument.node();
  private final JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();

  private JsonNode template(String name) {
    return WorkflowFiles.template(fleet, name).orElseThrow();
  }

  private Map<String, JsonNode> entryTasks() {
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    template(fleet.path("spec").path("entrypoint").asText())
        .path("dag")
        .path("tasks")
        .forEach(t -> tasks.put(t.path("name").asText(), t));
    return tasks;
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(p -> names.add(p.path("name").asText()));
    return names;
  }

  /** The keys of one app: the arguments the fan-out gives each iteration from its item. */
  private List<String> appKeys() {
    return names(entryTasks().get("apps").path("arguments").path("parameters"));
  }

  private JsonNode step(String template, String name) {
    return WorkflowFiles.steps(template(template)).stream()
        .filter(s -> s.path("name").asText().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** The launch manifest as Argo would render it for one app: simple tags, then toJson(...). */
  private JsonNode renderedChild(Map<String, String> app) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode p : fleet.path("spec").path("arguments").path("parameters")) {
      values.put("workflow.parameters." + p.path("name").asText(), p.path("value").asText());
    }
    values.put("workflow.name", "fleet-x7k2p");
    values.put("workflow.namespace", "platform");
    app.forEach((k, v) -> values.put("inputs.parameters." + k, v));
    String manifest = template("launch").path("resource").path("manifest").asText();
    Matcher json = TO_JSON.matcher(manifest);
    StringBuilder out = new StringBuilder();
    while (json.find()) {
      String key = json.group(1).replaceAll("\\['([^']+)']", ".$1");
      assertThat(values).as("toJson of %s", key).containsKey(key);
      json.appendReplacement(
          out, Matcher.quoteReplacement(JSON.writeValueAsString(values.get(key))));
    }
    json.appendTail(out);
    Matcher simple = SIMPLE.matcher(out.toString());
    StringBuilder rendered = new StringBuilder();
    while (simple.find()) {
      String key = simple.group(1).trim();
      assertThat(values).as("value of %s", key).containsKey(key);
      simple.appendReplacement(rendered, Matcher.quoteReplacement(values.get(key)));
    }
    simple.appendTail(rendered);
    return WorkflowFiles.YAML.readTree(rendered.toString());
  }

  private List<Map<String, String>> exampleApps() throws IOException {
    Document example =
        WorkflowFiles.argoDocuments().stream()
            .filter(
                d ->
                    d.node()
                        .path("spec")
                        .path("workflowTemplateRef")
                        .path("name")
                        .asText()
                        .equals("pitstop-fleet"))
            .findFirst()
            .orElseThrow();
    String json = "";
    for (JsonNode p : example.node().path("spec").path("arguments").path("parameters")) {
      if (p.path("name").asText().equals("apps")) {
        json = p.path("value").asText();
      }
    }
    List<Map<String, String>> apps = new ArrayList<>();
    for (JsonNode app : WorkflowFiles.YAML.readTree(json)) {
      Map<String, String> values = new LinkedHashMap<>();
      app.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
      apps.add(values);
    }
    return apps;
  }

  @Test
  void everyAppOfTheListRunsWithBoundedParallelismAndWithoutFailingFast() {
    JsonNode entry = template(fleet.path("spec").path("entrypoint").asText());
    assertThat(entry.path("parallelism").isInt()).isTrue();
    assertThat(entry.path("parallelism").asInt()).isBetween(1, 20);
    assertThat(entry.path("dag").path("failFast").isBoolean()).isTrue();
    assertThat(entry.path("dag").path("failFast").asBoolean())
        .as("an app that fails must not keep the others from starting")
        .isFalse();
    JsonNode apps = entryTasks().get("apps");
    assertThat(apps.path("withParam").asText()).isEqualTo("{{workflow.parameters.apps}}");
    for (JsonNode argument : apps.path("arguments").path("parameters")) {
      assertThat(argument.path("value").asText())
          .isEqualTo("{{item." + argument.path("name").asText() + "}}");
    }
  }

  @Test
  void eachAppRunsTheWholeMigrationAsItsOwnWorkflowWithItsOwnLockRollbackAndExitHook()
      throws IOException {
    JsonNode child = renderedChild(exampleApps().get(0));
    assertThat(child.path("kind").asText()).isEqualTo("Workflow");
    assertThat(child.path("spec").path("workflowTemplateRef").path("name").asText())
        .isEqualTo(migration.path("metadata").path("name").asText());
    assertThat(child.path("metadata").path("name").asText()).isEqualTo("fleet-x7k2p-shop");

    // The unit fanned out is the procedure: pitstop-migration's DAG runs Procedure.FORWARD with
    // its rollback (MigrationDagTest checks the edges), and its exit hook closes every run.
    JsonNode dag =
        WorkflowFiles.template(migration, migration.path("spec").path("entrypoint").asText())
            .orElseThrow()
            .path("dag");
    List<String> tasks = names(dag.path("tasks"));
    List<String> procedure = new ArrayList<>();
    Procedure.FORWARD.forEach(step -> procedure.add(step.command()));
    procedure.add(Procedure.ROLLBACK.command());
    assertThat(tasks.stream().filter(t -> Procedure.byCommand(t).isPresent()).toList())
        .containsExactlyElementsOf(procedure);
    assertThat(migration.path("spec").path("hooks").path("exit").path("template").asText())
        .isNotBlank();
    assertThat(migration.path("spec").path("synchronization").path("mutexes").toString())
        .contains("{{workflow.parameters.app}}");

    // Its run id is its own uid: the fleet passes none, and only parameters the migration has.
    Set<String> declared =
        new TreeSet<>(names(migration.path("spec").path("arguments").path("parameters")));
    List<String> given = names(child.path("spec").path("arguments").path("parameters"));
    assertThat(declared).containsAll(given);
    assertThat(given).contains("app", "namespace", "jdbc-url", "holder").doesNotContain("run-id");
    assertThat(template("launch").path("resource").has("setOwnerReference"))
        .as("stopping or deleting the fleet never kills an app's migration half-way")
        .isFalse();
  }

  @Test
  void multiLineValuesReachTheChildIntact() throws IOException {
    Map<String, String> shop = exampleApps().get(0);
    assertThat(shop.get("workloads")).contains("\n");
    Map<String, String> given = new LinkedHashMap<>();
    for (JsonNode p : renderedChild(shop).path("spec").path("arguments").path("parameters")) {
      given.put(p.path("name").asText(), p.path("value").asText());
    }
    for (String key : appKeys()) {
      assertThat(given.get(key)).as(key).isEqualTo(shop.get(key));
    }
  }

  @Test
  void everyAppKeyIsPassedAllTheWayAndTheExampleGivesExactlyThem() throws IOException {
    List<String> keys = appKeys();
    assertThat(keys).contains("app", "namespace", "workloads", "jdbc-url", "db-password-secret");
    assertThat(names(template("app").path("inputs").path("parameters"))).isEqualTo(keys);
    assertThat(names(template("launch").path("inputs").path("parameters"))).isEqualTo(keys);
    assertThat(names(step("app", "launch").path("arguments").path("parameters"))).isEqualTo(keys);
    for (Map<String, String> app : exampleApps()) {
      assertThat(app.keySet())
          .as("keys of %s", app.get("app"))
          .containsExactlyInAnyOrderElementsOf(keys);
    }
    String description =
        fleet.path("spec").path("arguments").path("parameters").get(0).path("description").asText();
    keys.forEach(k -> assertThat(description).as("the apps parameter documents %s", k).contains(k));
  }

  @Test
  void oneAppsFailureNeitherStopsNorRollsBackAnother() {
    JsonNode launch = step("app", "launch");
    assertThat(launch.path("continueOn").path("failed").asBoolean()).isTrue();
    assertThat(launch.path("continueOn").path("error").asBoolean()).isTrue();
    assertThat(entryTasks().get("summary").path("depends").asText())
        .contains("apps.Failed", "apps.Errored");
    // The fleet itself changes nothing in any app: it only reads records.
    for (JsonNode call : WorkflowFiles.calls(fleet)) {
      if (call.has("templateRef")) {
        assertThat(call.path("templateRef").path("template").asText()).isEqualTo("status");
      }
    }
  }

  @Test
  void theSummaryNamesEveryOutcomeAndTheFleetFailsUnlessEveryAppSucceeded() {
    JsonNode outcome = template("app").path("outputs").path("parameters").get(0);
    String expression = outcome.path("valueFrom").path("expression").asText();
    assertThat(expression)
        .contains("'succeeded'", "'rolled-back'", "'needs-a-human'", "'locked-by-another-run'")
        .contains("steps.launch.status")
        .contains("steps['read-record'].outputs.parameters.holder")
        .contains("steps['read-record'].outputs.parameters.locked");
    JsonNode status =
        WorkflowFiles.template(WorkflowFiles.workflowTemplate("pitstop-steps").node(), "status")
            .orElseThrow();
    assertThat(names(status.path("outputs").path("parameters"))).contains("holder", "locked");

    // the holder compared is the one the child is given
    String holder = null;
    for (String line : template("launch").path("resource").path("manifest").asText().split("\n")) {
      if (line.trim().startsWith("value: argo fleet")) {
        holder = line.trim().substring("value: ".length());
      }
    }
    assertThat(holder).isNotNull();
    assertThat(expression).contains("== '" + holder + "'");

    JsonNode summary = template("summary");
    assertThat(summary.path("outputs").path("parameters").get(0).path("globalName").asText())
        .isEqualTo("summary");
    assertThat(
            entryTasks()
                .get("summary")
                .path("arguments")
                .path("parameters")
                .get(0)
                .path("value")
                .asText())
        .isEqualTo("{{tasks.apps.outputs.parameters}}");

    JsonNode verdict = entryTasks().get("verdict");
    assertThat(entryTasks().values())
        .as("the verdict is the only leaf: it decides the fleet's status")
        .allSatisfy(t -> assertThat(t.path("depends").asText().contains("verdict")).isFalse());
    assertThat(verdict.path("withParam").asText()).isEqualTo("{{workflow.parameters.apps}}");
    JsonNode get = template(verdict.path("template").asText()).path("resource");
    assertThat(get.path("action").asText()).isEqualTo("get");
    assertThat(get.path("successCondition").asText()).isEqualTo("status.phase == Succeeded");
    assertThat(get.path("failureCondition").asText()).contains("Failed", "Error");
    JsonNode launch = template("launch").path("resource");
    assertThat(launch.path("successCondition").asText())
        .isEqualTo(get.path("successCondition").asText());
    assertThat(launch.path("failureCondition").asText())
        .isEqualTo(get.path("failureCondition").asText());
  }

  @Test
  void theFleetRunsAsItsOwnAccountAllowedOnlyToCreateAndReadItsWorkflowsAndSummary()
      throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    for (Document d : WorkflowFiles.documents()) {
      if (d.file().equals(fleetDocument.file()) && !d.isArgo()) {
        docs.add(d.node());
      }
    }
    JsonNode account =
        docs.stream()
            .filter(d -> d.path("kind").asText().equals("ServiceAccount"))
            .findFirst()
            .orElseThrow();
    JsonNode role =
        docs.stream().filter(d -> d.path("kind").asText().equals("Role")).findFirst().orElseThrow();
    JsonNode binding =
        docs.stream()
            .filter(d -> d.path("kind").asText().equals("RoleBinding"))
            .findFirst()
            .orElseThrow();
    String name = account.path("metadata").path("name").asText();
    assertThat(fleet.path("spec").path("serviceAccountName").asText()).isEqualTo(name);
    assertThat(binding.path("roleRef").path("name").asText())
        .isEqualTo(role.path("metadata").path("name").asText());
    assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo(name);
    Set<String> granted = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode resource : rule.path("resources")) {
        for (JsonNode verb : rule.path("verbs")) {
          granted.add(resource.asText() + ":" + verb.asText());
        }
      }
    }
    assertThat(granted)
        .containsExactlyInAnyOrder(
            "workflows:create",
            "workflows:get",
            "configmaps:create",
            "configmaps:get",
            "workflowtaskresults:create",
            "workflowtaskresults:patch");
    String kustomization =
        java.nio.file.Files.readString(WorkflowFiles.ROOT.resolve("kustomization.yaml"));
    assertThat(kustomization).contains("- " + fleetDocument.file().getFileName());
  }
}
