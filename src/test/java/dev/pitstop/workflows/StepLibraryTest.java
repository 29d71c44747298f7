package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Every step template runs a command line the real picocli model accepts, with what the command
 * needs; every variable refers to something declared.
 */
class StepLibraryTest {
  private static final Pattern SIMPLE_TAG = Pattern.compile("\\{\\{\\s*([^=}][^}]*?)\\s*}}");
  private static final Pattern EXPRESSION_TAG = Pattern.compile("\\{\\{=(.*?)}}");
  private static final Pattern EXPRESSION_REFERENCE =
      Pattern.compile(
          "(inputs|workflow|steps|tasks)((?:\\.[A-Za-z][\\w]*|\\[\"[^\"]+\"]|\\['[^']+'])+)");
  private static final Set<String> WORKFLOW_VARIABLES =
      Set.of("workflow.uid", "workflow.name", "workflow.namespace", "workflow.status");

  /** Plausible values for parameters whose default is empty. */
  private static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry("app", "shop"),
          Map.entry("namespace", "shop"),
          Map.entry("run-id", "0f5e8a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b"),
          Map.entry("jdbc-url", "jdbc:postgresql://shop-db:5432/shop"),
          Map.entry("configmap", "shop-flags"),
          Map.entry("service", "web"),
          Map.entry("maintenance-selector", "app=maintenance-page"),
          Map.entry("ingress", "web"),
          Map.entry("httproute", "web"),
          Map.entry("maintenance-backend", "maintenance-page:80"),
          Map.entry("workloads", "deployment/web\nstatefulset/worker"),
          Map.entry("images", "web=registry.example.com/shop:2.4.0"),
          Map.entry("urls", "http://web.shop.svc:8080/health"),
          Map.entry("headers", "Accept=application/json"),
          Map.entry("expect-body", "UP"));

  /** Options each command needs that picocli itself does not mark required. */
  private static final Map<String, List<String>> NEEDED =
      Map.ofEntries(
          Map.entry("maintenance-on", List.of("--mode")),
          Map.entry("snapshot", List.of("--jdbc-url")),
          Map.entry("migrate", List.of("--jdbc-url", "--locations")),
          Map.entry("verify", List.of("--jdbc-url", "--locations")),
          Map.entry("restore", List.of("--jdbc-url")),
          Map.entry("rollback", List.of("--jdbc-url")));

  /** Repeatable options that must come through the environment. */
  private static final Map<String, List<String>> NEEDED_LISTS =
      Map.of("scale-down", List.of("PITSTOP_WORKLOAD"), "smoke-test", List.of("PITSTOP_URL"));

  private static final List<String> SUBCOMMANDS =
      List.of(
          "lock",
          "maintenance-on",
          "scale-down",
          "snapshot",
          "migrate",
          "verify",
          "scale-up",
          "smoke-test",
          "maintenance-off",
          "unlock",
          "rollback",
          "status",
          "restore");

  private static final JsonNode STEPS = WorkflowFiles.workflowTemplate("pitstop-steps").node();

  static Stream<JsonNode> stepTemplates() {
    return WorkflowFiles.templates(STEPS).stream();
  }

  static Stream<Document> argoDocuments() {
    return WorkflowFiles.argoDocuments().stream();
  }

  private static CommandLine commandLine() {
    PrintWriter pw = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(Map.of(), pw, pw, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(Map.of(), new String[0]));
  }

  @Test
  void thereIsOneTemplatePerSubcommand() {
    assertThat(stepTemplates().map(t -> t.path("name").asText()))
        .containsExactlyInAnyOrderElementsOf(SUBCOMMANDS);
    assertThat(commandLine().getSubcommands().keySet()).containsAll(SUBCOMMANDS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void argumentsParseWithTheRealCommandLine(JsonNode template) {
    Map<String, String> values = sampleInputs(template);
    List<String> args = new ArrayList<>();
    template.path("container").path("args").forEach(a -> args.add(substitute(a.asText(), values)));
    String name = template.path("name").asText();
    assertThat(args.get(0)).isEqualTo(name);

    ParseResult parsed = commandLine().parseArgs(args.toArray(String[]::new));
    ParseResult step = parsed.subcommand();
    CommandSpec spec = step.commandSpec();
    List<String> needed = new ArrayList<>(NEEDED.getOrDefault(name, List.of()));
    needed.add("--results-dir");
    needed.add("--namespace");
    if (!name.equals("smoke-test")) {
      needed.add("--app");
    }
    if (spec.findOption("--run-id") != null) {
      needed.add("--run-id");
    }
    for (String option : needed) {
      assertThat(step.hasMatchedOption(option)).as(name + " is given " + option).isTrue();
    }
    assertThat(step.matchedOptionValue("--results-dir", null).toString()).isEqualTo("/tmp/results");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void listsComeThroughEnvironmentVariablesOfRepeatableOptions(JsonNode template) {
    String name = template.path("name").asText();
    CommandSpec spec = commandLine().getSubcommands().get(name).getCommandSpec();
    Set<String> pitstopEnv = new TreeSet<>();
    for (JsonNode env : template.path("container").path("env")) {
      String var = env.path("name").asText();
      if (!var.startsWith("PITSTOP_") || var.equals("PITSTOP_DB_PASSWORD")) {
        continue;
      }
      pitstopEnv.add(var);
      OptionSpec option =
          spec.options().stream()
              .filter(o -> ConfigDefaults.envName(o.longestName().substring(2)).equals(var))
              .findFirst()
              .orElse(null);
      assertThat(option).as(name + ": " + var + " names an option").isNotNull();
      assertThat(option.isMultiValue()).as(var + " is a repeatable option").isTrue();
    }
    assertThat(pitstopEnv).containsAll(NEEDED_LISTS.getOrDefault(name, List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void runsLockedDownWithItsOwnServiceAccount(JsonNode template) {
    String name = template.path("name").asText();
    assertThat(template.path("serviceAccountName").asText()).as(name).isEqualTo("pitstop");
    assertThat(template.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    List<JsonNode> containers = new ArrayList<>();
    containers.add(template.path("container"));
    template.path("initContainers").forEach(containers::add);
    for (JsonNode container : containers) {
      JsonNode security = container.path("securityContext");
      assertThat(security.path("runAsNonRoot").asBoolean()).as(name).isTrue();
      assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
      assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
      assertThat(security.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
      assertThat(security.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
      JsonNode resources = container.path("resources");
      for (String kind : List.of("requests", "limits")) {
        assertThat(resources.path(kind).path("cpu").isTextual()).as(name + " " + kind).isTrue();
        assertThat(resources.path(kind).path("memory").isTextual()).as(name + " " + kind).isTrue();
      }
    }
    assertThat(template.path("container").path("volumeMounts").findValuesAsText("mountPath"))
        .contains("/tmp");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void everyInputIsDescribedWithADefaultAndEveryOutputComesFromTheResultsDir(JsonNode template) {
    for (JsonNode input : template.path("inputs").path("parameters")) {
      String name = template.path("name").asText() + "." + input.path("name").asText();
      assertThat(input.has("default")).as(name).isTrue();
      assertThat(input.path("description").asText()).as(name).isNotBlank();
    }
    for (JsonNode output : template.path("outputs").path("parameters")) {
      JsonNode from = output.path("valueFrom");
      assertThat(from.path("path").asText())
          .isEqualTo("/tmp/results/" + output.path("name").asText());
      assertThat(from.has("default")).as(output.path("name").asText()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void theDatabasePasswordComesFromASecretOnly(JsonNode template) {
    for (JsonNode input : template.path("inputs").path("parameters")) {
      assertThat(input.path("name").asText()).doesNotContain("password-value");
    }
    for (JsonNode env : template.path("container").path("env")) {
      if (env.path("name").asText().equals("PITSTOP_DB_PASSWORD")) {
        assertThat(env.has("value")).isFalse();
        assertThat(env.path("valueFrom").path("secretKeyRef").path("name").asText())
            .isEqualTo("{{inputs.parameters.db-password-secret}}");
      }
    }
    assertThat(template.path("container").path("args").toString()).doesNotContain("password");
  }

  @Test
  void flywayStepsReadTheMigrationsTheInitContainerCopied() {
    for (String name : List.of("migrate", "verify")) {
      JsonNode template = WorkflowFiles.template(STEPS, name).orElseThrow();
      assertThat(template.path("initContainers").get(0).path("image").asText())
          .isEqualTo("{{inputs.parameters.migrations-image}}");
      assertThat(template.path("container").path("volumeMounts").findValuesAsText("mountPath"))
          .contains("/migrations");
      assertThat(defaultOf(template, "locations")).isEqualTo("filesystem:/migrations");
    }
  }

  /** The migration's calls pass only inputs the step declares, and the result still parses. */
  @Test
  void migrationCallsPassDeclaredInputsAndParse() {
    JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();
    Map<String, String> workflowValues = new HashMap<>();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      String value = p.path("value").asText();
      String sample = SAMPLES.get(p.path("name").asText());
      workflowValues.put(
          "workflow.parameters." + p.path("name").asText(),
          value.isEmpty() && sample != null ? sample : value);
    }
    workflowValues.put("workflow.parameters.maintenance-configmap", "shop-flags");
    workflowValues.put("workflow.parameters.smoke-urls", SAMPLES.get("urls"));
    for (JsonNode call : WorkflowFiles.calls(migration)) {
      if (!call.has("templateRef")) {
        continue;
      }
      JsonNode template =
          WorkflowFiles.template(STEPS, call.path("templateRef").path("template").asText())
              .orElseThrow();
      Map<String, String> values = sampleInputs(template);
      for (JsonNode argument : call.path("arguments").path("parameters")) {
        String input = argument.path("name").asText();
        assertThat(defaultOf(template, input))
            .as(call.path("name").asText() + " passes undeclared input " + input)
            .isNotNull();
        values.put(
            input, substitute(substitute(argument.path("value").asText(), workflowValues), values));
      }
      List<String> args = new ArrayList<>();
      template
          .path("container")
          .path("args")
          .forEach(a -> args.add(substitute(a.asText(), values)));
      assertThatCode(() -> commandLine().parseArgs(args.toArray(String[]::new)))
          .as(call.path("name").asText() + " " + args)
          .doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void everyVariableRefersToSomethingDeclared(Document document) {
    JsonNode spec = document.node().path("spec");
    Set<String> workflowParameters = new TreeSet<>();
    spec.path("arguments")
        .path("parameters")
        .forEach(p -> workflowParameters.add(p.path("name").asText()));
    List<String> problems = new ArrayList<>();
    for (JsonNode template : WorkflowFiles.templates(document.node())) {
      Set<String> inputs = new TreeSet<>();
      template.path("inputs").path("parameters").forEach(p -> inputs.add(p.path("name").asText()));
      Map<String, JsonNode> siblings = new LinkedHashMap<>();
      template.path("dag").path("tasks").forEach(t -> siblings.put(t.path("name").asText(), t));
      WorkflowFiles.steps(template).forEach(s -> siblings.put(s.path("name").asText(), s));
      for (String reference : references(template.toString())) {
        String problem = check(reference, inputs, workflowParameters, siblings, document);
        if (problem != null) {
          problems.add(template.path("name").asText() + ": " + problem);
        }
      }
      for (JsonNode task : template.path("dag").path("tasks")) {
        Matcher m =
            Pattern.compile("(?<![\\w.-])[a-z][a-z0-9-]*").matcher(task.path("depends").asText());
        while (m.find()) {
          if (!siblings.containsKey(m.group())) {
            problems.add(task.path("name").asText() + " depends on unknown task " + m.group());
          }
        }
      }
    }
    String rest =
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.deepCopy())
            .without("templates")
            .toString();
    for (String reference : references(rest)) {
      String problem = check(reference, Set.of(), workflowParameters, Map.of(), document);
      if (problem != null) {
        problems.add("spec: " + problem);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theReferenceCheckKnowsLoops() {
    JsonNode loop =
        WorkflowFiles.YAML.createObjectNode().put("name", "apps").put("withParam", "[]");
    JsonNode single = WorkflowFiles.YAML.createObjectNode().put("name", "summary");
    Map<String, JsonNode> siblings = Map.of("apps", loop, "summary", single);
    assertThat(check("item.app", Set.of(), Set.of(), siblings, null)).isNull();
    assertThat(check("tasks.apps.outputs.parameters", Set.of(), Set.of(), siblings, null)).isNull();
    assertThat(check("tasks.summary.outputs.parameters", Set.of(), Set.of(), siblings, null))
        .contains("no loop");
    assertThat(check("item.app", Set.of(), Set.of(), Map.of("summary", single), null))
        .contains("outside");
  }

  @Test
  void theReferenceCheckCatchesATypo() {
    String problem =
        check("inputs.parameters.jdbc-ulr", Set.of("jdbc-url"), Set.of(), Map.of(), null);
    assertThat(problem).contains("jdbc-ulr");
  }

  /** Every reference in a piece of YAML, as a dotted name. */
  static List<String> references(String text) {
    List<String> found = new ArrayList<>();
    Matcher simple = SIMPLE_TAG.matcher(text);
    while (simple.find()) {
      found.add(simple.group(1));
    }
    Matcher expression = EXPRESSION_TAG.matcher(text.replace("\\\"", "\""));
    while (expression.find()) {
      Matcher ref = EXPRESSION_REFERENCE.matcher(expression.group(1));
      while (ref.find()) {
        found.add(
            ref.group(1)
                + ref.group(2)
                    .replaceAll("\\[\"([^\"]+)\"]", ".$1")
                    .replaceAll("\\['([^']+)']", ".$1"));
      }
    }
    return found;
  }

  private static String check(
      String reference,
      Set<String> inputs,
      Set<String> workflowParameters,
      Map<String, JsonNode> siblings,
      Document document) {
    String[] parts = reference.split("\\.");
    switch (parts[0]) {
      case "inputs":
        return parts.length == 3 && parts[1].equals("parameters") && inputs.contains(parts[2])
            ? null
            : "undeclared input " + reference;
      case "workflow":
        if (WORKFLOW_VARIABLES.contains(reference)) {
          return null;
        }
        return parts.length == 3
                && parts[1].equals("parameters")
                && workflowParameters.contains(parts[2])
            ? null
            : "undeclared workflow variable " + reference;
      case "item":
        return parts.length == 2 && siblings.values().stream().anyMatch(StepLibraryTest::loops)
            ? null
            : "item outside a withParam loop: " + reference;
      case "tasks":
      case "steps":
        JsonNode call = siblings.get(parts[1]);
        if (call == null) {
          return "unknown task or step " + parts[1];
        }
        if (parts.length == 3 && parts[2].equals("status")) {
          return null;
        }
        if (parts.length == 4 && parts[2].equals("outputs") && parts[3].equals("parameters")) {
          // the outputs of every iteration of a loop, as one JSON list
          return loops(call) ? null : parts[1] + " is no loop: name one of its outputs";
        }
        if (parts.length != 5 || !parts[2].equals("outputs") || !parts[3].equals("parameters")) {
          return "unsupported reference " + reference;
        }
        JsonNode called =
            call.has("templateRef")
                ? WorkflowFiles.template(STEPS, call.path("templateRef").path("template").asText())
                    .orElse(null)
                : WorkflowFiles.template(document.node(), call.path("template").asText())
                    .orElse(null);
        if (called == null) {
          return "unknown template called by " + parts[1];
        }
        return called.path("outputs").path("parameters").findValuesAsText("name").contains(parts[4])
            ? null
            : parts[1] + " has no output " + parts[4];
      case "lastRetry":
        return null;
      default:
        return "unknown variable " + reference;
    }
  }

  private static boolean loops(JsonNode call) {
    return call.has("withParam") || call.has("withItems");
  }

  private static Map<String, String> sampleInputs(JsonNode template) {
    Map<String, String> values = new HashMap<>();
    for (JsonNode input : template.path("inputs").path("parameters")) {
      String name = input.path("name").asText();
      String fallback = input.path("default").asText();
      values.put(
          name,
          SAMPLES.containsKey(name) && !fallback.equals("false") ? SAMPLES.get(name) : fallback);
    }
    return values;
  }

  private static String defaultOf(JsonNode template, String input) {
    for (JsonNode p : template.path("inputs").path("parameters")) {
      if (p.path("name").asText().equals(input)) {
        return p.path("default").asText();
      }
    }
    return null;
  }

  /** Replaces {@code {{inputs.parameters.x}}} (or any dotted key in values) by its value. */
  private static String substitute(String text, Map<String, String> values) {
    Matcher m = SIMPLE_TAG.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value =
          key.startsWith("inputs.parameters.")
              ? values.get(key.substring("inputs.parameters.".length()))
              : values.get(key);
      if (value == null) {
        value = key.equals("workflow.uid") ? SAMPLES.get("run-id") : m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
