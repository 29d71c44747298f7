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
  /** The fan-out: one iteration per app, named after the app alone. */
  private static final String NAMES = "{{=toJson(map(fromJSON(workflow.parameters.apps), #.app))}}";

  /** Each iteration's own object of the list. */
  private static final String SETTINGS =
      "{{=toJson(find(fromJSON(workflow.parameters.apps), #.app == item))}}";

  private static final Pattern EXPRESSION = Pattern.compile("\\{\\{=(.*?)}}");
  private static final Pattern TO_JSON = Pattern.compile("toJson\\((.*)\\)");
  private static final Pattern FROM_SETTINGS =
      Pattern.compile(
          "sprig\\.default\\((.+), fromJSON\\(inputs\\.parameters\\.settings\\)\\['([\\w-]+)']\\)");
  private static final Pattern NAMED =
      Pattern.compile("(workflow|inputs)\\.parameters(?:\\.([\\w]+)|\\['([\\w-]+)'])");
  private static final Pattern SIMPLE = Pattern.compile("\\{\\{([^=}][^}]*)}}");

  /** Argo's toJson: a JSON string, which YAML reads as a double-quoted scalar. */
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private static String argument(JsonNode call, String name) {
    for (JsonNode p : call.path("arguments").path("parameters")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("value").asText();
      }
    }
    return null;
  }

  private JsonNode step(String template, String name) {
    return WorkflowFiles.steps(template(template)).stream()
        .filter(s -> s.path("name").asText().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private Map<String, String> migrationDefaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      defaults.put(p.path("name").asText(), p.has("value") ? p.path("value").asText() : null);
    }
    return defaults;
  }

  /**
   * The launch manifest as Argo renders it for one app of the list: each {@code {{=...}}} of the
   * forms the template uses (anything else fails the test), then the simple tags.
   */
  private JsonNode renderedChild(JsonNode app) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode p : fleet.path("spec").path("arguments").path("parameters")) {
      values.put("workflow.parameters." + p.path("name").asText(), p.path("value").asText());
    }
    values.put("workflow.name", "fleet-x7k2p");
    values.put("workflow.namespace", "platform");
    values.put("inputs.parameters.app", app.path("app").asText());
    values.put("inputs.parameters.settings", JSON.writeValueAsString(app));
    String manifest = template("launch").path("resource").path("manifest").asText();
    Matcher expression = EXPRESSION.matcher(manifest);
    StringBuilder out = new StringBuilder();
    while (expression.find()) {
      Matcher toJson = TO_JSON.matcher(expression.group(1));
      assertThat(toJson.matches()).as(expression.group()).isTrue();
      Object value = evaluate(toJson.group(1), values, app);
      expression.appendReplacement(out, Matcher.quoteReplacement(JSON.writeValueAsString(value)));
    }
    expression.appendTail(out);
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

  /**
   * One of: a parameter, or sprig.default(fallback, the app's key) (empty or missing: fallback).
   */
  private static Object evaluate(String expression, Map<String, String> values, JsonNode app) {
    Matcher fromSettings = FROM_SETTINGS.matcher(expression);
    if (fromSettings.matches()) {
      JsonNode given = app.path(fromSettings.group(2));
      if (given.isMissingNode() || given.isNull() || given.asText().isEmpty()) {
        return evaluate(fromSettings.group(1), values, app);
      }
      return given.asText();
    }
    if (expression.matches("'[^']*'")) {
      return expression.substring(1, expression.length() - 1);
    }
    Matcher named = NAMED.matcher(expression);
    assertThat(named.matches()).as("an expression this test knows: " + expression).isTrue();
    String key =
        named.group(1)
            + ".parameters."
            + (named.group(2) != null ? named.group(2) : named.group(3));
    assertThat(values).as("value of %s", key).containsKey(key);
    return values.get(key);
  }

  private Map<String, String> childParameters(JsonNode app) throws IOException {
    Map<String, String> given = new LinkedHashMap<>();
    for (JsonNode p : renderedChild(app).path("spec").path("arguments").path("parameters")) {
      given.put(p.path("name").asText(), p.path("value").asText());
    }
    return given;
  }

  private List<JsonNode> exampleApps() throws IOException {
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
    List<JsonNode> apps = new ArrayList<>();
    WorkflowFiles.YAML.readTree(argument(example.node().path("spec"), "apps")).forEach(apps::add);
    return apps;
  }

  /** The keys an app's object may have: every one the launch manifest reads from it. */
  private Set<String> appKeys() {
    Set<String> keys = new TreeSet<>(Set.of("app"));
    Matcher m =
        FROM_SETTINGS.matcher(template("launch").path("resource").path("manifest").asText());
    while (m.find()) {
      keys.add(m.group(2));
    }
    return keys;
  }

  @Test
  void everyAppRunsUnderItsOwnNameWithBoundedParallelismAndWithoutFailingFast() {
    JsonNode entry = template(fleet.path("spec").path("entrypoint").asText());
    assertThat(entry.path("parallelism").isInt()).isTrue();
    assertThat(entry.path("parallelism").asInt()).isBetween(1, 20);
    assertThat(entry.path("dag").path("failFast").isBoolean()).isTrue();
    assertThat(entry.path("dag").path("failFast").asBoolean())
        .as("an app that fails must not keep the others from starting")
        .isFalse();
    // Argo names an iteration after its item, and an object's name is every key and value
    // (operator.go processItem): the fan-out is over names, each looking its object up
    JsonNode apps = entryTasks().get("apps");
    assertThat(apps.path("withParam").asText()).isEqualTo(NAMES);
    assertThat(argument(apps, "app")).isEqualTo("{{item}}");
    assertThat(argument(apps, "settings")).isEqualTo(SETTINGS);
    assertThat(entryTasks().get("verdict").path("withParam").asText()).isEqualTo(NAMES);
  }

  /** A submission without the list is rejected: a parameter without a value is required. */
  @Test
  void theListOfAppsMustBeGiven() {
    JsonNode apps = fleet.path("spec").path("arguments").path("parameters").get(0);
    assertThat(apps.path("name").asText()).isEqualTo("apps");
    assertThat(apps.has("value")).isFalse();
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
    List<String> procedure = new ArrayList<>();
    Procedure.FORWARD.forEach(step -> procedure.add(step.command()));
    procedure.add(Procedure.ROLLBACK.command());
    assertThat(names(dag.path("tasks")).stream().filter(t -> Procedure.byCommand(t).isPresent()))
        .containsExactlyElementsOf(procedure);
    assertThat(migration.path("spec").path("hooks").path("exit").path("template").asText())
        .isNotBlank();

    // Its run id is its own uid: the fleet passes none, and only parameters the migration has,
    // among them every one the migration requires.
    Map<String, String> defaults = migrationDefaults();
    Map<String, String> given = childParameters(exampleApps().get(0));
    assertThat(defaults.keySet()).containsAll(given.keySet());
    defaults.forEach(
        (name, value) -> {
          if (value == null) {
            assertThat(given).as("required " + name).containsKey(name);
          }
        });
    assertThat(given).containsKeys("app", "namespace", "holder").doesNotContainKey("run-id");
    assertThat(template("launch").path("resource").has("setOwnerReference"))
        .as("stopping or deleting the fleet never kills an app's migration half-way")
        .isFalse();
  }

  /**
   * A key an app leaves out or gives as "" takes pitstop-migration's default: never an empty image,
   * Secret name or ConfigMap name, which would make an invalid pod.
   */
  @Test
  void aKeyLeftOutOrEmptyTakesTheMigrationsDefaultNotAnEmptyName() throws IOException {
    Map<String, String> defaults = migrationDefaults();
    String fleetImage = argument(fleet.path("spec"), "image");
    JsonNode bare = JSON.readTree("{\"app\": \"shop\"}");
    com.fasterxml.jackson.databind.node.ObjectNode empty = JSON.createObjectNode();
    appKeys().forEach(k -> empty.put(k, ""));
    empty.put("app", "shop");
    for (JsonNode app : List.of(bare, empty)) {
      Map<String, String> given = childParameters(app);
      for (String key : appKeys()) {
        if (key.equals("app")) {
          continue;
        }
        String expected = key.equals("migrations-image") ? fleetImage : defaults.get(key);
        assertThat(given.get(key))
            .as(key + " of " + app)
            .isEqualTo(expected == null ? "" : expected);
      }
      assertThat(given.get("db-password-secret")).isNotEmpty();
      assertThat(given.get("migrations-image")).isNotEmpty();
      assertThat(given.get("migrations-configmap")).isNotEmpty();
    }
  }

  @Test
  void multiLineValuesReachTheChildIntact() throws IOException {
    JsonNode shop = exampleApps().get(0);
    assertThat(shop.path("workloads").asText()).contains("\n");
    Map<String, String> given = childParameters(shop);
    shop.fields()
        .forEachRemaining(
            e -> assertThat(given.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asText()));
  }

  @Test
  void theFleetDocumentsEveryKeyAndTheExampleUsesOnlyThem() throws IOException {
    Set<String> keys = appKeys();
    assertThat(keys).contains("app", "namespace", "jdbc-url", "db-password-secret", "config");
    String description =
        fleet.path("spec").path("arguments").path("parameters").get(0).path("description").asText();
    keys.forEach(k -> assertThat(description).as("the apps parameter documents %s", k).contains(k));
    for (JsonNode app : exampleApps()) {
      List<String> given = new ArrayList<>();
      app.fieldNames().forEachRemaining(given::add);
      assertThat(keys).as("keys of %s", app.path("app").asText()).containsAll(given);
    }
  }

  @Test
  void oneAppsFailureNeitherStopsNorRollsBackAnotherAndStillGetsItsLine() {
    for (String name : List.of("launch", "read-record")) {
      JsonNode call = step("app", name);
      assertThat(call.path("continueOn").path("failed").asBoolean()).as(name).isTrue();
      assertThat(call.path("continueOn").path("error").asBoolean()).as(name).isTrue();
    }
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
        .contains(
            "'succeeded'",
            "'rolled-back'",
            "'needs-a-human'",
            "'locked-by-another-run'",
            "'unknown")
        .contains("steps.launch.status")
        .contains("steps['read-record'].status != 'Succeeded'")
        .contains("steps['read-record'].outputs.parameters.holder")
        .contains("steps['read-record'].outputs.parameters.locked");
    assertThat(expression.indexOf("steps['read-record'].status"))
        .as("a failed read leaves its outputs unread")
        .isLessThan(expression.indexOf("outputs.parameters.holder"));
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
    assertThat(argument(entryTasks().get("summary"), "outcomes"))
        .isEqualTo("{{tasks.apps.outputs.parameters}}");

    JsonNode verdict = entryTasks().get("verdict");
    assertThat(entryTasks().values())
        .as("the verdict is the only leaf after a summary: it decides the fleet's status")
        .allSatisfy(t -> assertThat(t.path("depends").asText().contains("verdict")).isFalse());
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

  /**
   * An empty list makes the fan-out Skipped ("Skipped, empty params", dag.go executeDAGTask), and
   * everything depending on its success Omitted: the fleet would Succeed silently.
   */
  @Test
  void anEmptyListSucceedsWithASummarySayingSo() throws IOException {
    JsonNode noApps = entryTasks().get("no-apps");
    assertThat(noApps.path("depends").asText()).isEqualTo("apps.Skipped");
    assertThat(noApps.path("template").asText()).isEqualTo("summary");
    JsonNode outcomes = JSON.readTree(argument(noApps, "outcomes"));
    assertThat(outcomes.get(0).path("outcome").asText()).contains("no apps");
    assertThat(entryTasks().get("summary").path("depends").asText()).doesNotContain("Skipped");
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
    // summary's ConfigMap is owned by the fleet: Argo writes the owner reference with
    // metav1.NewControllerRef (operator.go executeResource), blockOwnerDeletion included, which
    // owner-reference permission enforcement allows only to who may update the owner's finalizers
    assertThat(RbacTest.granted(role))
        .containsExactlyInAnyOrder(
            "workflows:create",
            "workflows:get",
            "workflows/finalizers:update",
            "configmaps:create",
            "configmaps:get",
            "workflowtaskresults:create",
            "workflowtaskresults:patch");
    String kustomization =
        java.nio.file.Files.readString(WorkflowFiles.ROOT.resolve("kustomization.yaml"));
    assertThat(kustomization).contains("- " + fleetDocument.file().getFileName());
  }
}
