package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.testing.ArgoExpressions;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Every step template runs a command line the real picocli model accepts, with what the command
 * needs, and leaves every option it does not set to the config file; every variable refers to
 * something declared.
 */
class StepLibraryTest {
  private static final Pattern EXPRESSION_TAG = Pattern.compile("\\{\\{=(.*?)}}");
  private static final Pattern EXPRESSION_REFERENCE =
      Pattern.compile(
          "(inputs|workflow|steps|tasks)((?:\\.[A-Za-z][\\w]*|\\[\"[^\"]+\"]|\\['[^']+'])+)");
  private static final Set<String> WORKFLOW_VARIABLES =
      Set.of("workflow.uid", "workflow.name", "workflow.namespace", "workflow.status");

  /** Plausible values for inputs whose default is empty. */
  static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry("app", "shop"),
          Map.entry("namespace", "shop"),
          Map.entry("jdbc-url", "jdbc:postgresql://shop-db:5432/shop"),
          Map.entry("mode", "configmap"),
          Map.entry("configmap", "shop-flags"),
          Map.entry("key", "maintenance"),
          Map.entry("workloads", "deployment/web\nstatefulset/worker"),
          Map.entry("images", "web=registry.example.com/shop:2.4.0"),
          Map.entry("urls", "http://web.shop.svc:8080/health"),
          Map.entry("expect-body", "UP"));

  /** Options each command needs that picocli itself does not mark required. */
  private static final Map<String, List<String>> NEEDED =
      Map.ofEntries(
          Map.entry("maintenance-on", List.of("--mode")),
          Map.entry("snapshot", List.of("--jdbc-url")),
          Map.entry("migrate", List.of("--jdbc-url", "--locations")),
          Map.entry("verify", List.of("--jdbc-url", "--locations")),
          Map.entry("restore", List.of("--jdbc-url")),
          Map.entry("rollback", List.of("--jdbc-url")),
          Map.entry("finish", List.of("--jdbc-url")),
          Map.entry("scale-down", List.of("--workload")),
          Map.entry("smoke-test", List.of("--url")),
          Map.entry("window", List.of("--jdbc-url", "--locations", "--workload", "--from")));

  /** One template per step a pipeline runs; copy-migrations runs as their init container. */
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
          "finish",
          "status",
          "restore");

  /**
   * Inputs that are no option of the command: the pod's image, account and mounts, Secret
   * references. They keep a default because Argo needs a value to build the pod.
   */
  private static final Set<String> POD_INPUTS =
      Set.of(
          "image",
          "service-account",
          "config-configmap",
          "db-password-secret",
          "db-password-key",
          "headers-secret",
          "headers-key",
          "migrations-image",
          "migrations-path",
          "migrations-configmap");

  /**
   * Options whose input is never empty: the run's identity (a config file shared by every run
   * cannot hold it) and the step deadline Argo sizes its own timeout from.
   */
  private static final Set<String> NOT_FROM_THE_CONFIG_FILE = Set.of("run-id", "holder", "timeout");

  private static final JsonNode STEPS = WorkflowFiles.workflowTemplate("pitstop-steps").node();

  @TempDir Path dir;

  static Stream<JsonNode> stepTemplates() {
    return WorkflowFiles.templates(STEPS).stream();
  }

  static Stream<Document> argoDocuments() {
    return WorkflowFiles.argoDocuments().stream();
  }

  /** The real command line's model, built once: reading options does not change it. */
  private static final CommandLine MODEL = newCommandLine();

  private static CommandLine newCommandLine() {
    PrintWriter pw = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(Map.of(), pw, pw, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(Map.of(), new String[0]));
  }

  private static CommandLine commandLine() {
    return MODEL;
  }

  /**
   * Templates that run a subcommand under another name: {@code window} runs the steps of the
   * maintenance window in one pod, {@code pitstop run --from scale-down --no-unlock}.
   */
  private static final Map<String, String> OTHER_NAMES = Map.of("window", "run");

  private static JsonNode step(String name) {
    return WorkflowFiles.template(STEPS, name).orElseThrow();
  }

  /** The subcommand a template runs: its container's first argument. */
  static String subcommand(JsonNode template) {
    return template.path("container").path("args").get(0).asText();
  }

  /** Sample values for the inputs that are empty by default, as a pipeline would give them. */
  private static Map<String, String> samples(JsonNode template) {
    Map<String, String> given = new HashMap<>();
    for (JsonNode input : template.path("inputs").path("parameters")) {
      String name = input.path("name").asText();
      if (SAMPLES.containsKey(name) && input.path("default").asText().isEmpty()) {
        given.put(name, SAMPLES.get(name));
      }
    }
    return given;
  }

  /** Which input feeds which option: the PITSTOP_ variable or flag its value is passed in. */
  private static Map<String, OptionSpec> optionOfInput(JsonNode template) {
    CommandSpec spec = commandLine().getSubcommands().get(subcommand(template)).getCommandSpec();
    Map<String, OptionSpec> options = new LinkedHashMap<>();
    for (OptionSpec option : spec.options()) {
      String envName = ConfigDefaults.envName(option.longestName().substring(2));
      for (JsonNode variable : template.path("container").path("env")) {
        if (variable.path("name").asText().equals(envName)) {
          inputIn(variable.path("value").asText()).ifPresent(i -> options.put(i, option));
        }
      }
      List<String> args = new ArrayList<>();
      template.path("container").path("args").forEach(a -> args.add(a.asText()));
      int at = args.indexOf(option.longestName());
      if (at >= 0 && at + 1 < args.size()) {
        inputIn(args.get(at + 1)).ifPresent(i -> options.put(i, option));
      }
    }
    return options;
  }

  private static java.util.Optional<String> inputIn(String value) {
    Matcher m = Pattern.compile("^\\{\\{inputs\\.parameters\\.([\\w-]+)}}$").matcher(value);
    return m.matches() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  @Test
  void thereIsOneTemplatePerStepAPipelineRuns() {
    List<String> templates = new ArrayList<>(SUBCOMMANDS);
    templates.addAll(OTHER_NAMES.keySet());
    assertThat(stepTemplates().map(t -> t.path("name").asText()))
        .containsExactlyInAnyOrderElementsOf(templates);
    stepTemplates()
        .forEach(
            t ->
                assertThat(subcommand(t))
                    .as(t.path("name").asText())
                    .isEqualTo(
                        OTHER_NAMES.getOrDefault(
                            t.path("name").asText(), t.path("name").asText())));
    assertThat(commandLine().getSubcommands().keySet()).containsAll(SUBCOMMANDS);
  }

  /**
   * The one-pod route runs what Procedure.window says, with as many tries of a step that exits 75
   * as Argo gives the step's own pod in the other route, and leaves the lock to finish.
   */
  @Test
  void theWindowTemplateRunsTheProceduresWindowInOnePodWithTheSameRetries() {
    JsonNode window = step("window");
    StepInvocation invocation = StepInvocation.of(window, samples(window));
    assertThat(invocation.value("--from"))
        .isEqualTo(dev.pitstop.procedure.Procedure.WINDOW_START.command());
    assertThat(invocation.value("--unlock")).isEqualTo(false);
    assertThat(invocation.value("--retries"))
        .isEqualTo(Integer.parseInt(step("migrate").path("retryStrategy").path("limit").asText()));
    assertThat(window.path("outputs").path("parameters").findValuesAsText("name"))
        .contains("outcome", "states", "window-seconds");
    JsonNode migrate = step("migrate");
    assertThat(window.path("initContainers")).isEqualTo(migrate.path("initContainers"));
    assertThat(window.path("retryStrategy")).isEqualTo(migrate.path("retryStrategy"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void argumentsAndEnvironmentParseWithTheRealCommandLine(JsonNode template) {
    String name = template.path("name").asText();
    StepInvocation invocation = StepInvocation.of(template, samples(template));
    assertThat(invocation.args().get(0)).isEqualTo(OTHER_NAMES.getOrDefault(name, name));

    ParseResult step = invocation.parse();
    CommandSpec spec = step.commandSpec();
    assertThat(step.matchedOptionValue("--results-dir", null).toString()).isEqualTo("/tmp/results");
    List<String> needed = new ArrayList<>(NEEDED.getOrDefault(name, List.of()));
    needed.addAll(List.of("--app", "--namespace", "--timeout"));
    if (spec.findOption("--run-id") != null) {
      needed.add("--run-id");
    }
    for (String option : needed) {
      Object value = spec.findOption(option).getValue();
      assertThat(value)
          .as(name + " is given " + option)
          .isNotNull()
          .isNotEqualTo("")
          .isNotEqualTo(List.of());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void everyPitstopVariableNamesAnOptionOfTheCommand(JsonNode template) {
    String name = template.path("name").asText();
    CommandSpec spec = commandLine().getSubcommands().get(subcommand(template)).getCommandSpec();
    for (JsonNode env : template.path("container").path("env")) {
      String variable = env.path("name").asText();
      assertThat(variable).as(name + ": only Pitstop's variables").startsWith("PITSTOP_");
      if (variable.equals("PITSTOP_DB_PASSWORD")) {
        assertThat(spec.findOption("--jdbc-url")).as(name + " takes a database").isNotNull();
        continue;
      }
      assertThat(
              spec.options().stream()
                  .anyMatch(
                      o -> ConfigDefaults.envName(o.longestName().substring(2)).equals(variable)))
          .as(name + ": " + variable + " names an option")
          .isTrue();
    }
  }

  /**
   * An option input left at its default must not hide the config file: it defaults to '' and the
   * CLI counts an empty value as not given (flag > environment > file).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void everyOptionInputDefaultsToEmptySoTheConfigFileApplies(JsonNode template) {
    Map<String, OptionSpec> options = optionOfInput(template);
    for (JsonNode input : template.path("inputs").path("parameters")) {
      String name = input.path("name").asText();
      String where = template.path("name").asText() + "." + name;
      if (POD_INPUTS.contains(name)) {
        assertThat(options).as(where + " is no option").doesNotContainKey(name);
        assertThat(input.path("default").asText()).as(where).isNotEmpty();
        continue;
      }
      assertThat(options).as(where + " feeds an option").containsKey(name);
      if (NOT_FROM_THE_CONFIG_FILE.contains(name)) {
        assertThat(input.path("default").asText()).as(where).isNotEmpty();
      } else {
        assertThat(input.path("default").asText()).as(where + " defaults to ''").isEmpty();
      }
    }
  }

  /** Argo cannot leave an argument out, so an empty switch is an empty variable: not given. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void everyBooleanInputHasAnEnumOfEmptyTrueAndFalse(JsonNode template) {
    Map<String, OptionSpec> options = optionOfInput(template);
    for (JsonNode input : template.path("inputs").path("parameters")) {
      OptionSpec option = options.get(input.path("name").asText());
      if (option != null && (option.type() == boolean.class || option.type() == Boolean.class)) {
        List<String> enums = new ArrayList<>();
        input.path("enum").forEach(e -> enums.add(e.asText()));
        assertThat(enums)
            .as(template.path("name").asText() + "." + input.path("name").asText())
            .containsExactly("", "true", "false");
      }
    }
  }

  @Test
  void aConfigFileFillsWhatTheInputsLeaveEmptyAndAGivenInputWins() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "app: shop",
            "jdbc-url: jdbc:postgresql://shop-db:5432/shop",
            "db-user: shop",
            "terminate-sessions: true",
            "atomic: false",
            "placeholder: [tenant=shop]",
            "lock-timeout: 30s",
            ""));
    JsonNode migrate = step("migrate");

    StepInvocation fromFile = StepInvocation.of(migrate, Map.of("config", config.toString()));
    assertThat(fromFile.value("--app")).isEqualTo("shop");
    assertThat(fromFile.value("--db-user")).isEqualTo("shop");
    assertThat(fromFile.value("--terminate-sessions")).isEqualTo(true);
    assertThat(fromFile.value("--atomic")).isEqualTo(false);
    assertThat(fromFile.value("--placeholder")).isEqualTo(List.of("tenant=shop"));
    assertThat(fromFile.value("--lock-timeout").toString()).isEqualTo("PT30S");

    StepInvocation given =
        StepInvocation.of(
            migrate,
            Map.of(
                "config", config.toString(),
                "db-user", "admin",
                "terminate-sessions", "false",
                "atomic", "true",
                "placeholders", "tenant=billing\nregion=eu"));
    assertThat(given.value("--db-user")).isEqualTo("admin");
    assertThat(given.value("--terminate-sessions")).isEqualTo(false);
    assertThat(given.value("--atomic")).isEqualTo(true);
    assertThat(given.value("--placeholder")).isEqualTo(List.of("tenant=billing", "region=eu"));
  }

  @Test
  void aSectionOfTheConfigFileForTheStepAppliesToItsTemplate() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(
        config, "app: shop\nmode: service\nservice: web\nmaintenance-on:\n  service: shop-web\n");

    StepInvocation on =
        StepInvocation.of(step("maintenance-on"), Map.of("config", config.toString()));

    assertThat(on.value("--mode").toString()).isEqualToIgnoringCase("service");
    assertThat(on.value("--service")).isEqualTo("shop-web");
  }

  @Test
  void anEmptySwitchIsNotGivenAndAMistypedOneIsBadInput() {
    StepInvocation invocation = StepInvocation.of(step("migrate"), samples(step("migrate")));
    assertThat(invocation.env()).containsEntry("PITSTOP_TERMINATE_SESSIONS", "");
    assertThat(invocation.value("--terminate-sessions")).isEqualTo(false);
    assertThat(invocation.value("--atomic")).as("the CLI's default").isEqualTo(true);

    assertThatThrownBy(() -> invocation.withEnv("PITSTOP_TERMINATE_SESSIONS", "yes").parse())
        .isInstanceOf(ParameterException.class);
  }

  /**
   * Without a command the controller fetches the image's configuration from its registry to find
   * the entrypoint (workflowpod.go, createWorkflowPod / podBuilder.build), with the workflow's pull
   * secrets: it fails behind a private or air-gapped registry. The command is the image's own.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void everyContainerRunsTheImagesEntrypointAsItsCommand(JsonNode template) {
    List<String> expected = StepInvocation.imageEntrypoint();
    // the JVM flags are in the image's argfile: a change of flags changes no pipeline
    assertThat(expected).contains("@/app/jvm-flags").noneMatch(arg -> arg.startsWith("-XX"));
    for (JsonNode container : containers(template)) {
      List<String> command = new ArrayList<>();
      container.path("command").forEach(c -> command.add(c.asText()));
      assertThat(command).as(template.path("name").asText()).isEqualTo(expected);
    }
  }

  /**
   * Argo runs user init containers as written (workflowpod.go addInitContainers), and the Pitstop
   * image has no shell and no cp: the only init container runs Pitstop's own copy.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void noInitContainerRunsAToolItsImageLacks(JsonNode template) {
    for (JsonNode init : template.path("initContainers")) {
      assertThat(init.path("image").asText()).isEqualTo("{{inputs.parameters.migrations-image}}");
      assertThat(defaultOf(template, "migrations-image"))
          .as("by default the Pitstop image itself")
          .isEqualTo(defaultOf(template, "image"));
      List<String> args = new ArrayList<>();
      init.path("args")
          .forEach(a -> args.add(StepInvocation.substitute(a.asText(), defaults(template))));
      assertThat(args.get(0)).isEqualTo("copy-migrations");
      assertThatCode(() -> newCommandLine().parseArgs(args.toArray(String[]::new)))
          .doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void runsLockedDownWithTheServiceAccountItIsGiven(JsonNode template) {
    String name = template.path("name").asText();
    assertThat(template.path("serviceAccountName").asText())
        .as(name)
        .isEqualTo("{{inputs.parameters.service-account}}");
    assertThat(defaultOf(template, "service-account")).isEqualTo("pitstop");
    assertThat(template.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    for (JsonNode container : containers(template)) {
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
      assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains("/tmp");
    }
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

  /**
   * Secrets come from Secrets, never as parameters or arguments. The references are optional: a
   * missing Secret otherwise keeps the pod Pending (CreateContainerConfigError) until its timeout,
   * the app in maintenance all along.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stepTemplates")
  void secretsComeFromSecretsOnlyAndAMissingOneDoesNotHangThePod(JsonNode template) {
    for (JsonNode input : template.path("inputs").path("parameters")) {
      String name = input.path("name").asText();
      assertThat(name).doesNotContain("password-value").isNotEqualTo("headers");
    }
    for (JsonNode env : template.path("container").path("env")) {
      String variable = env.path("name").asText();
      if (variable.equals("PITSTOP_DB_PASSWORD") || variable.equals("PITSTOP_HEADER")) {
        assertThat(env.has("value")).as(variable).isFalse();
        JsonNode ref = env.path("valueFrom").path("secretKeyRef");
        assertThat(ref.path("name").asText()).startsWith("{{inputs.parameters.");
        assertThat(ref.path("optional").asBoolean()).as(variable + " optional").isTrue();
      }
    }
    assertThat(template.path("container").path("args").toString())
        .doesNotContain("password")
        .doesNotContain("header");
  }

  @Test
  void theSmokeTestsHeadersComeFromASecret() {
    JsonNode smoke = step("smoke-test");
    JsonNode header =
        WorkflowFiles.findEnv(smoke.path("container"), "PITSTOP_HEADER").orElseThrow();
    assertThat(header.path("valueFrom").path("secretKeyRef").path("name").asText())
        .isEqualTo("{{inputs.parameters.headers-secret}}");
    CommandSpec spec = commandLine().getSubcommands().get("smoke-test").getCommandSpec();
    assertThat(spec.findOption("--header").isMultiValue()).isTrue();
  }

  @Test
  void maintenanceOffAndUnlockCanBeForcedAfterAFailedRollback() {
    for (String name : List.of("maintenance-off", "unlock")) {
      StepInvocation forced = StepInvocation.of(step(name), Map.of("app", "shop", "force", "true"));
      assertThat(forced.value("--force")).as(name).isEqualTo(true);
      assertThat(StepInvocation.of(step(name), Map.of("app", "shop")).value("--force"))
          .isEqualTo(false);
    }
    StepInvocation finish =
        StepInvocation.of(
            step("finish"), Map.of("app", "shop", "release-on-rollback-failure", "true"));
    assertThat(finish.value("--release-on-rollback-failure")).isEqualTo(true);
  }

  @Test
  void statusExposesTheRollbackFailedFact() {
    assertThat(step("status").path("outputs").path("parameters").findValuesAsText("name"))
        .contains("rollback-failed", "locked", "holder", "run-id");
  }

  @Test
  void flywayStepsReadTheMigrationsTheInitContainerCopied() {
    for (String name : List.of("migrate", "verify")) {
      JsonNode template = step(name);
      assertThat(template.path("initContainers")).hasSize(1);
      JsonNode init = template.path("initContainers").get(0);
      List<String> args = new ArrayList<>();
      init.path("args").forEach(a -> args.add(a.asText()));
      assertThat(args).containsSequence("--to", "/migrations");
      assertThat(init.path("volumeMounts").findValuesAsText("mountPath"))
          .contains("/migrations", defaultOf(template, "migrations-path"));
      assertThat(template.path("container").path("volumeMounts").findValuesAsText("mountPath"))
          .contains("/migrations");
      StepInvocation invocation = StepInvocation.of(template, samples(template));
      assertThat(invocation.value("--locations")).isEqualTo(List.of("filesystem:/migrations"));
    }
  }

  /** The migration's calls pass only inputs the step declares, and the result still parses. */
  @Test
  void migrationCallsPassDeclaredInputsAndParse() {
    JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();
    Map<String, String> workflowValues = new HashMap<>();
    Map<String, String> parameters = new HashMap<>();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      String name = p.path("name").asText();
      String value = p.path("value").asText();
      value = value.isEmpty() ? MigrationDagTest.SUBMITTED.getOrDefault(name, "") : value;
      workflowValues.put("workflow.parameters." + name, value);
      parameters.put(name, value);
    }
    for (JsonNode call : WorkflowFiles.calls(migration)) {
      JsonNode template = step(call.path("templateRef").path("template").asText());
      Map<String, String> given = new HashMap<>();
      for (JsonNode argument : call.path("arguments").path("parameters")) {
        String input = argument.path("name").asText();
        assertThat(defaultOf(template, input))
            .as(call.path("name").asText() + " passes undeclared input " + input)
            .isNotNull();
        given.put(
            input,
            StepInvocation.substitute(
                ArgoExpressions.substitute(argument.path("value").asText(), parameters),
                workflowValues));
      }
      StepInvocation invocation = StepInvocation.of(template, given);
      assertThatCode(invocation::parse)
          .as(call.path("name").asText() + " " + invocation)
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
    assertThat(check("item", Set.of(), Set.of(), siblings, null)).isNull();
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
    Matcher simple = StepInvocation.SIMPLE_TAG.matcher(text);
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
        return parts.length <= 2 && siblings.values().stream().anyMatch(StepLibraryTest::loops)
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

  static List<JsonNode> containers(JsonNode template) {
    List<JsonNode> containers = new ArrayList<>();
    if (template.has("container")) {
      containers.add(template.path("container"));
    }
    template.path("initContainers").forEach(containers::add);
    return containers;
  }

  private static Map<String, String> defaults(JsonNode template) {
    Map<String, String> values = new HashMap<>();
    for (JsonNode p : template.path("inputs").path("parameters")) {
      values.put(p.path("name").asText(), p.path("default").asText());
    }
    return values;
  }

  static String defaultOf(JsonNode template, String input) {
    for (JsonNode p : template.path("inputs").path("parameters")) {
      if (p.path("name").asText().equals(input)) {
        return p.path("default").asText();
      }
    }
    return null;
  }
}
