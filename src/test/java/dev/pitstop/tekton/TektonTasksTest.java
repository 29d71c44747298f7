package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.core.Json;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.ProcedureRunner;
import dev.pitstop.tekton.TektonFiles.Doc;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The Tasks under tekton-tasks/: catalog conventions, security, and arguments the CLI accepts. */
class TektonTasksTest {
  private static final Set<String> REQUIRED_PARAMS = Set.of("app", "run-id");
  private static final String RESULTS_DIR = "/tekton/results";

  /** Plausible values for every parameter a Task may have, to parse its step as the pod would. */
  private static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry("app", "shop"),
          Map.entry("run-id", "0b6f1c7e-3f5a-4c1e-9d2b-8a7c6e5d4f3a"),
          Map.entry("namespace", "shop"),
          Map.entry("timeout", "5m"),
          Map.entry("verbose", "true"),
          Map.entry("dry-run", "true"),
          Map.entry("holder", "tekton shop-migration-x7k2p"),
          Map.entry("force", "false"),
          Map.entry("mode", "configmap"),
          Map.entry("configmap", "shop-flags"),
          Map.entry("key", "maintenance"),
          Map.entry("value", "on"),
          Map.entry("service", "web"),
          Map.entry("maintenance-selector", "app=maintenance-page"),
          Map.entry("ingress", "shop"),
          Map.entry("httproute", "shop"),
          Map.entry("maintenance-backend", "maintenance-page:8080"),
          Map.entry("workloads", "deployment/web\nstatefulset/worker"),
          Map.entry("selector", "app.kubernetes.io/part-of=shop"),
          Map.entry("images", "web=registry.example.com/shop/web:2.4.0"),
          Map.entry("urls", "http://web.shop.svc:8080/health\nhttp://web.shop.svc:8080/api/ping"),
          Map.entry("expect-status", "200"),
          Map.entry("expect-body", "ok"),
          Map.entry("expect-json", "/status=UP"),
          Map.entry("headers", "Host=shop.example.com"),
          Map.entry("interval", "2s"),
          Map.entry("request-timeout", "5s"),
          Map.entry("insecure", "false"),
          Map.entry("jdbc-url", "jdbc:postgresql://db.shop.svc:5432/shop"),
          Map.entry("db-user", "shop"),
          Map.entry("lock-timeout", "10s"),
          Map.entry("statement-timeout", "0s"),
          Map.entry("terminate-sessions", "true"),
          Map.entry("sessions-timeout", "30s"),
          Map.entry("locations", "filesystem:/workspace/migrations"),
          Map.entry("target-version", "24"),
          Map.entry("schemas", "public\naudit"),
          Map.entry("baseline-on-migrate", "false"),
          Map.entry("out-of-order", "false"),
          Map.entry("placeholders", "owner=shop"),
          Map.entry("flyway-config", "/workspace/migrations/flyway.conf"),
          Map.entry("atomic", "false"),
          Map.entry("expect-version", "24"),
          Map.entry("checks", "/workspace/migrations/checks/orders.sql"),
          Map.entry("allow-pending", "true"),
          Map.entry("maintenance-database", "postgres"),
          Map.entry("keep", "3"),
          Map.entry("snapshot", "shop_pitstop_0b6f1c7e"),
          Map.entry("backward-compatible", "true"),
          Map.entry("take-snapshot", "true"),
          Map.entry("release-on-rollback-failure", "false"),
          Map.entry("retries", "3"),
          Map.entry("db-password-file", "/workspace/db-credentials/password"),
          Map.entry("last-step", "verify"),
          Map.entry("from", "scale-down"),
          Map.entry("unlock", "false"),
          Map.entry("step-timeouts", "snapshot=25m\nmigrate=55m"));

  private static TektonFiles files;

  @TempDir static Path dir;

  private static Path configFile;

  @BeforeAll
  static void load() throws IOException {
    files = TektonFiles.load();
    configFile = dir.resolve("pitstop.yaml");
    Files.writeString(configFile, "app: shop\n");
  }

  private static List<Doc> tasks() {
    List<Doc> tasks = files.ofKind("Task");
    assertThat(tasks).as("Tasks under tekton-tasks/").isNotEmpty();
    return tasks;
  }

  private static List<JsonNode> steps(Doc task) {
    List<JsonNode> steps = new ArrayList<>();
    task.spec().path("steps").forEach(steps::add);
    assertThat(steps).as("steps of %s", task).isNotEmpty();
    return steps;
  }

  @Test
  void everyFileParsesAsKnownKinds() {
    for (Path file : TektonFiles.yamlFiles()) {
      List<Doc> docs = TektonFiles.parse(file);
      assertThat(docs).as("documents in %s", file).isNotEmpty();
      docs.forEach(d -> assertThat(KnownFields.knowsKind(d.kind())).as("kind of %s", d).isTrue());
    }
  }

  @Test
  void noFieldIsUnknownAtItsPlace() {
    for (Doc doc : files.all()) {
      assertThat(KnownFields.unknown(doc.kind(), doc.node()))
          .as("unknown fields in %s", doc)
          .isEmpty();
    }
  }

  @Test
  void thereIsOneTaskPerSubcommandAndTheFinallyTask() {
    Set<String> expected = new TreeSet<>();
    for (String command :
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
            "restore",
            "run",
            "finish")) {
      expected.add("pitstop-" + command);
    }
    assertThat(new TreeSet<>(files.tasksByName().keySet())).isEqualTo(expected);
    for (Doc task : tasks()) {
      // one step per Task: no step needs a when (unknown to Tekton before v0.62, gated until
      // v1.0), and the pod requests what one JVM needs
      assertThat(steps(task)).hasSize(1);
      assertThat(steps(task).get(0).path("name").asText())
          .as("the step of %s is named like its subcommand", task)
          .isEqualTo(task.name().substring("pitstop-".length()));
    }
  }

  @Test
  void everyTaskFollowsTheCatalogConventions() {
    for (Doc task : tasks()) {
      JsonNode metadata = task.node().path("metadata");
      assertThat(task.node().path("apiVersion").asText()).isEqualTo("tekton.dev/v1");
      assertThat(metadata.path("labels").path("app.kubernetes.io/version").asText())
          .as("version label of %s", task)
          .isNotBlank();
      for (String annotation :
          List.of(
              "tekton.dev/pipelines.minVersion",
              "tekton.dev/categories",
              "tekton.dev/tags",
              "tekton.dev/displayName",
              "tekton.dev/platforms")) {
        assertThat(metadata.path("annotations").path(annotation).asText())
            .as("%s of %s", annotation, task)
            .isNotBlank();
      }
      assertThat(task.spec().path("description").asText())
          .as("description of %s", task)
          .isNotBlank();
      for (JsonNode param : task.spec().path("params")) {
        String name = param.path("name").asText();
        assertThat(param.path("description").asText())
            .as("description of param %s of %s", name, task)
            .isNotBlank();
        assertThat(param.path("type").asText()).isEqualTo("string");
        assertThat(param.has("default"))
            .as("param %s of %s has a default unless the step cannot run without it", name, task)
            .isEqualTo(
                !REQUIRED_PARAMS.contains(name)
                    || isOptionalApp(task, name)
                    || isOptionalRunId(task, name));
      }
      String image = paramDefault(task, "image");
      assertThat(image)
          .as("image of %s is pinned", task)
          .matches("[a-z0-9.-]+(/[a-z0-9._-]+)+:[0-9][A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?");
      assertThat(task.spec().path("stepTemplate").path("image").asText())
          .isEqualTo("$(params.image)");
      steps(task)
          .forEach(
              step -> {
                assertThat(step.has("script")).as("%s runs no shell script", task).isFalse();
                // the image's own entrypoint: without a command the controller reads it from the
                // registry, with the TaskRun's pull credentials, before the pod can be made
                assertThat(TektonFiles.strings(step.path("command")).values())
                    .as("command of %s", task)
                    .containsExactlyElementsOf(TektonFiles.IMAGE_ENTRYPOINT);
              });
    }
  }

  @Test
  void everyTaskLivesInTheCatalogLayoutWithAReadmeAndSamples() throws IOException {
    Set<String> minVersions = new TreeSet<>();
    for (Doc doc : files.all()) {
      boolean shipped = doc.node().path("metadata").path("labels").has("app.kubernetes.io/version");
      if (shipped && (doc.kind().equals("Task") || doc.kind().equals("Pipeline"))) {
        minVersions.add(
            doc.node()
                .path("metadata")
                .path("annotations")
                .path("tekton.dev/pipelines.minVersion")
                .asText());
      }
    }
    assertThat(minVersions).as("one minVersion for everything shipped").containsExactly("0.59.0");
    for (Doc task : tasks()) {
      String version =
          task.node().path("metadata").path("labels").path("app.kubernetes.io/version").asText();
      Path folder = TektonFiles.ROOT.resolve("task").resolve(task.name()).resolve(version);
      assertThat(task.file()).isEqualTo(folder.resolve(task.name() + ".yaml"));
      String readme = Files.readString(folder.resolve("README.md"));
      for (String name : TektonFiles.names(task.spec().path("params"))) {
        assertThat(readme).as("README of %s names param %s", task, name).contains("`" + name + "`");
      }
      for (String name : TektonFiles.names(task.spec().path("results"))) {
        assertThat(readme)
            .as("README of %s names result %s", task, name)
            .contains("`" + name + "`");
      }
      List<Doc> samples = new ArrayList<>();
      try (var found = Files.list(folder.resolve("samples"))) {
        found.forEach(f -> samples.addAll(TektonFiles.parse(f)));
      }
      assertThat(samples)
          .as("a sample of %s", task)
          .anyMatch(
              d ->
                  d.kind().equals("TaskRun")
                      && d.spec().path("taskRef").path("name").asText().equals(task.name()));
    }
  }

  @Test
  void everySampleTaskRunGivesTheStepLessTimeThanTheTaskRun() {
    List<Doc> runs = files.ofKind("TaskRun");
    assertThat(runs).isNotEmpty();
    for (Doc run : runs) {
      Doc task = files.task(run.spec().path("taskRef").path("name").asText()).orElseThrow();
      Map<String, String> given = new HashMap<>();
      run.spec()
          .path("params")
          .forEach(p -> given.put(p.path("name").asText(), p.path("value").asText()));
      assertThat(task.spec().findValuesAsText("name")).containsAll(given.keySet());
      for (JsonNode param : task.spec().path("params")) {
        if (!param.has("default")) {
          assertThat(given)
              .as("%s gives %s", run, param.path("name").asText())
              .containsKey(param.path("name").asText());
        }
      }
      assertThat(run.spec().path("serviceAccountName").asText()).isEqualTo("pitstop");
      TektonTimeouts.assertStepFitsTask(
          run.toString(), given.get("timeout"), run.spec().path("timeout").asText());
    }
  }

  @Test
  void everyPodRequestsWhatOneStepNeeds() {
    for (Doc task : tasks()) {
      JsonNode resources = task.spec().path("stepTemplate").path("computeResources");
      long request = TektonTimeouts.bytes(resources.path("requests").path("memory").asText());
      long limit = TektonTimeouts.bytes(resources.path("limits").path("memory").asText());
      // Kubernetes schedules a pod on the sum of its containers' requests, and every step is one
      long pod = request * steps(task).size();
      assertThat(pod).as("memory a %s pod requests", task).isLessThanOrEqualTo(256L << 20);
      assertThat(limit).as("memory limit of %s", task).isGreaterThanOrEqualTo(2 * request);
    }
  }

  /**
   * smoke-test can run without an app; run and status, the Tasks a fleet fans out over app configs,
   * take it from the config file: their app parameter has an empty default.
   */
  /** A read-only check notes itself in a run's record only when it is given the run's id. */
  private static boolean isOptionalRunId(Doc task, String name) {
    return Set.of("pitstop-smoke-test", "pitstop-verify").contains(task.name())
        && name.equals("run-id");
  }

  private static boolean isOptionalApp(Doc task, String name) {
    return Set.of("pitstop-smoke-test", "pitstop-run", "pitstop-status", "pitstop-finish")
            .contains(task.name())
        && name.equals("app");
  }

  @Test
  void everyStepRunsAsNonRootOnAReadOnlyRootWithoutCapabilitiesAndWithinResources() {
    for (Doc task : tasks()) {
      JsonNode template = task.spec().path("stepTemplate");
      JsonNode security = template.path("securityContext");
      assertThat(security.path("runAsNonRoot").asBoolean()).as("runAsNonRoot, %s", task).isTrue();
      assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
      assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
      assertThat(TektonFiles.strings(security.path("capabilities").path("drop")).values())
          .containsExactly("ALL");
      assertThat(security.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
      assertThat(template.path("computeResources").path("requests").path("memory").asText())
          .isNotBlank();
      assertThat(template.path("computeResources").path("limits").path("memory").asText())
          .isNotBlank();
      for (JsonNode step : steps(task)) {
        assertThat(step.has("securityContext"))
            .as("step %s of %s keeps the template's securityContext", step.path("name"), task)
            .isFalse();
      }
      assertThat(template.path("volumeMounts").findValuesAsText("mountPath"))
          .as("a writable /tmp on the read-only root, %s", task)
          .contains("/tmp");
    }
  }

  @Test
  void theDatabasePasswordComesFromAnOptionalSecretOrAFileInTheCredentialsWorkspace() {
    for (Doc task : tasks()) {
      for (JsonNode param : task.spec().path("params")) {
        assertThat(param.path("name").asText()).doesNotContainIgnoringCase("password-value");
        assertThat(param.path("name").asText()).isNotEqualToIgnoringCase("password");
      }
      for (JsonNode env : task.spec().findValues("env")) {
        for (JsonNode variable : env) {
          if (variable.path("name").asText().equals("PITSTOP_DB_PASSWORD")) {
            assertThat(variable.has("value")).as("password of %s is no value", task).isFalse();
            JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo("$(params.db-secret)");
            assertThat(ref.path("key").asText()).isEqualTo("$(params.db-password-key)");
            // the same everywhere: a password file or a passwordless login needs no Secret
            assertThat(ref.path("optional").asBoolean()).as("optional Secret, %s", task).isTrue();
          }
          if (variable.path("name").asText().equals("PITSTOP_DB_PASSWORD_FILE")) {
            assertThat(variable.path("value").asText()).isEqualTo("$(params.db-password-file)");
          }
        }
      }
      boolean usesDatabase = hasParam(task, "jdbc-url");
      assertThat(task.spec().findValuesAsText("name"))
          .as("%s can read the password from a file", task)
          .matches(
              names ->
                  (names.contains("PITSTOP_DB_PASSWORD_FILE") && names.contains("db-credentials"))
                      == usesDatabase);
      assertThat(task.spec().findValuesAsText("name"))
          .as("%s reads the password when it talks to the database", task)
          .matches(names -> names.contains("PITSTOP_DB_PASSWORD") == usesDatabase);
    }
  }

  @Test
  void everyStepsArgumentsAndEnvironmentParseWithTheRealCli() {
    for (Doc task : tasks()) {
      for (JsonNode step : steps(task)) {
        // As installed: every parameter at its default (required ones given), and with every
        // parameter set.
        parseStep(task, step, name -> defaultOrSample(task, name));
        parseStep(task, step, name -> sample(task, name));
      }
    }
  }

  private static String defaultOrSample(Doc task, String name) {
    String value = paramDefault(task, name);
    return value != null ? value : sample(task, name);
  }

  private static String sample(Doc task, String name) {
    if (name.equals("config-file")) {
      return configFile.toString();
    }
    if (name.equals("image") || name.equals("db-secret") || name.equals("db-password-key")) {
      return paramDefault(task, name);
    }
    String sample = SAMPLES.get(name);
    assertThat(sample).as("a sample value for param %s of %s", name, task).isNotNull();
    return sample;
  }

  /** The environment and command line of a step as its pod would get them. */
  private record Invocation(String where, Map<String, String> env, String[] argv) {}

  private static Invocation invocation(Doc task, JsonNode step, Function<String, String> params) {
    String where = "step " + step.path("name").asText() + " of " + task;
    List<String> args = new ArrayList<>();
    step.path("args").forEach(a -> args.add(substitute(a.asText(), params)));
    Map<String, String> env = new HashMap<>();
    List<JsonNode> envs = new ArrayList<>();
    task.spec().path("stepTemplate").path("env").forEach(envs::add);
    step.path("env").forEach(envs::add);
    for (JsonNode variable : envs) {
      String value =
          variable.has("valueFrom")
              ? "from-a-secret"
              : substitute(variable.path("value").asText(), params);
      env.put(variable.path("name").asText(), value);
    }
    return new Invocation(where, env, args.toArray(String[]::new));
  }

  private static void parseStep(Doc task, JsonNode step, Function<String, String> params) {
    Invocation call = invocation(task, step, params);
    parse(call.where(), call.env(), call.argv());
  }

  private static ParseResult parse(String where, Map<String, String> env, String[] argv) {
    CommandLine commandLine = commandLine(env, argv);
    // Parsing also converts the values the environment gives (durations, numbers, booleans).
    ParseResult result;
    try {
      result = commandLine.parseArgs(argv);
    } catch (ParameterException e) {
      throw new AssertionError(where + ": " + String.join(" ", argv) + ": " + e.getMessage(), e);
    }
    assertThat(result.hasSubcommand()).as("%s names a subcommand", where).isTrue();
    ParseResult sub = result.subcommand();
    CommandSpec spec = sub.commandSpec();
    assertThat(where)
        .as("%s is named like its subcommand", where)
        .startsWith("step " + spec.name() + " ");
    for (String required : List.of("--app", "--run-id")) {
      OptionSpec option = spec.findOption(required);
      if (option != null && !(required.equals("--app") && spec.name().equals("smoke-test"))) {
        assertThat(sub.hasMatchedOption(option)).as("%s gives %s", where, required).isTrue();
      }
    }
    for (String name : env.keySet()) {
      if (name.startsWith("PITSTOP_") && !name.equals("PITSTOP_DB_PASSWORD")) {
        assertThat(optionForEnv(spec, name))
            .as("%s: %s is an option of %s", where, name, spec.name())
            .isTrue();
      }
    }
    return result;
  }

  private static boolean optionForEnv(CommandSpec spec, String env) {
    if (env.equals("PITSTOP_CONFIG")) {
      return spec.findOption("--config") != null;
    }
    return spec.options().stream()
        .anyMatch(o -> ConfigDefaults.envName(o.longestName().replaceFirst("^-+", "")).equals(env));
  }

  private static CommandLine commandLine(Map<String, String> env, String[] args) {
    PrintWriter sink = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(env, sink, sink, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(env, args));
  }

  static String substitute(String text, Function<String, String> params) {
    StringBuilder out = new StringBuilder();
    var m = TektonFiles.VARIABLE.matcher(text);
    while (m.find()) {
      String variable = m.group(1);
      String value;
      if (variable.matches("results\\.[a-z0-9-]+\\.path")) {
        // where Tekton puts a result file (pkg/apis/pipeline/paths.go)
        value = RESULTS_DIR + "/" + variable.split("\\.")[1];
      } else {
        assertThat(variable)
            .as("only params and result paths in step arguments and env: %s", text)
            .startsWith("params.");
        value = params.apply(variable.substring("params.".length()));
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  @Test
  void everyTaskVariableRefersToSomethingDeclared() {
    for (Doc task : tasks()) {
      Set<String> params = new TreeSet<>(TektonFiles.names(task.spec().path("params")));
      Set<String> results = new TreeSet<>(TektonFiles.names(task.spec().path("results")));
      Set<String> workspaces = new TreeSet<>(TektonFiles.names(task.spec().path("workspaces")));
      Set<String> used = new TreeSet<>();
      TektonFiles.strings(task.spec())
          .forEach(
              (path, text) -> {
                for (String variable : TektonFiles.variables(text)) {
                  String[] parts = variable.split("\\.");
                  String where = variable + " at " + path + " of " + task;
                  switch (parts[0]) {
                    case "params" -> {
                      assertThat(params).as(where).contains(parts[1]);
                      used.add(parts[1]);
                    }
                    case "results" -> assertThat(results).as(where).contains(parts[1]);
                    case "workspaces" -> assertThat(workspaces).as(where).contains(parts[1]);
                    default -> throw new AssertionError("unexpected variable " + where);
                  }
                }
              });
      assertThat(used).as("every param of %s is used", task).isEqualTo(params);
    }
  }

  @Test
  void everyDeclaredResultIsWrittenToItsOwnTektonPath() {
    for (Doc task : tasks()) {
      JsonNode results = task.spec().path("results");
      assertThat(results.size())
          .as("results of %s stay few and small", task)
          .isLessThanOrEqualTo(4);
      List<String> given = new ArrayList<>();
      JsonNode args = steps(task).get(0).path("args");
      for (int i = 0; i < args.size(); i++) {
        assertThat(args.get(i).asText()).isNotEqualTo("--results-dir");
        if (args.get(i).asText().equals("--result")) {
          given.add(args.get(i + 1).asText());
        }
      }
      List<String> expected = new ArrayList<>();
      for (JsonNode result : results) {
        assertThat(result.path("description").asText()).isNotBlank();
        String name = result.path("name").asText();
        assertThat(name).matches("[a-z][a-z0-9-]*");
        expected.add(name + "=$(results." + name + ".path)");
      }
      assertThat(given).as("--result of %s", task).containsExactlyElementsOf(expected);
    }
  }

  /**
   * Tekton keeps a step's results in its termination message, which may hold 4096 bytes of JSON
   * (pkg/termination/write.go WriteMessage, after pkg/entrypoint/entrypointer.go
   * readResultsFromDisk): more fails the TaskRun. pitstop-run's results in the one-pod route are
   * the outcome, one state per step and the window's seconds, whatever failed: every combination of
   * failing steps, each with the longest exit code, stays far below it.
   */
  @Test
  void theOnePodRunsResultsStayFarBelowTektonsTerminationMessageLimit() {
    Doc run = files.task("pitstop-run").orElseThrow();
    List<String> declared = TektonFiles.names(run.spec().path("results"));
    List<String> steps = Procedure.window(true).stream().map(Procedure.Step::command).toList();
    int largest = 0;
    for (int failing = 0; failing < 1 << steps.size(); failing++) {
      Set<String> fails = new TreeSet<>();
      for (int i = 0; i < steps.size(); i++) {
        if ((failing & 1 << i) != 0) {
          fails.add(steps.get(i));
        }
      }
      for (boolean release : List.of(true, false)) {
        ProcedureRunner.Outcome outcome = onePod(fails, release);
        Map<String, String> values =
            Map.of(
                "outcome",
                outcome.summary(),
                "states",
                outcome.states().replaceAll("\\(\\d+\\)", "(143)"),
                "window-seconds",
                "86400.123");
        StringBuilder message = new StringBuilder("[");
        for (String result : declared) {
          message
              .append("{\"key\":\"")
              .append(result)
              .append("\",\"value\":")
              .append(Json.write(values.get(result)))
              .append(",\"type\":1},");
        }
        largest = Math.max(largest, message.length());
      }
    }
    assertThat(declared).containsExactlyInAnyOrder("outcome", "states", "window-seconds");
    assertThat(largest).as("bytes of results at most").isLessThan(1024);
  }

  private static ProcedureRunner.Outcome onePod(
      Set<String> failing, boolean releaseOnRollbackFailure) {
    Map<String, ProcedureRunner.Action> actions = new HashMap<>();
    for (String step :
        List.of(
            "maintenance-on",
            "scale-down",
            "snapshot",
            "migrate",
            "verify",
            "scale-up",
            "smoke-test",
            "rollback",
            "maintenance-off",
            "unlock")) {
      actions.put(
          step,
          () -> {
            if (failing.contains(step)) {
              throw PitstopException.failed("x".repeat(300));
            }
            return StepResult.of(step + " done");
          });
    }
    return new ProcedureRunner(
            actions,
            new ProcedureRunner.Settings(
                    true, 0, Duration.ofMillis(1), !releaseOnRollbackFailure, Duration.ofMinutes(1))
                .from(Procedure.WINDOW_START, false),
            new Progress(new PrintWriter(Writer.nullWriter()), false),
            Clock.systemUTC(),
            d -> {})
        .run();
  }

  @Test
  void everySwitchTakesTrueOrFalseInAnyCaseAndRefusesAnythingElse() {
    int switches = 0;
    for (Doc task : tasks()) {
      JsonNode step = steps(task).get(0);
      // each of these reaches a true/false option, which picocli reads in any case and refuses
      // otherwise: the same spellings everywhere, and a typo is exit 2 before anything changes
      Set<String> params = new TreeSet<>(switchParams(task, step));
      switches += params.size();
      for (String value : List.of("True", "TRUE", "FALSE")) {
        parseStep(task, step, name -> params.contains(name) ? value : defaultOrSample(task, name));
      }
      if (!params.isEmpty()) {
        Invocation typo =
            invocation(
                task, step, name -> params.contains(name) ? "yes" : defaultOrSample(task, name));
        assertThatThrownBy(() -> commandLine(typo.env(), typo.argv()).parseArgs(typo.argv()))
            .as("%s=yes in %s is refused before anything runs (exit 2)", params, task)
            .isInstanceOf(ParameterException.class);
      }
    }
    assertThat(switches).isGreaterThan(20);
  }

  /** The parameters of a Task that reach a true/false option of its step. */
  private static List<String> switchParams(Doc task, JsonNode step) {
    Invocation call = invocation(task, step, name -> defaultOrSample(task, name));
    CommandSpec spec = parse(call.where(), call.env(), call.argv()).subcommand().commandSpec();
    List<String> found = new ArrayList<>();
    List<JsonNode> envs = new ArrayList<>();
    task.spec().path("stepTemplate").path("env").forEach(envs::add);
    step.path("env").forEach(envs::add);
    for (JsonNode variable : envs) {
      String value = variable.path("value").asText();
      if (!value.matches("\\$\\(params\\.[a-z0-9-]+\\)")) {
        continue;
      }
      for (OptionSpec option : spec.options()) {
        String env = ConfigDefaults.envName(option.longestName().replaceFirst("^-+", ""));
        if (env.equals(variable.path("name").asText())
            && (option.type() == boolean.class || option.type() == Boolean.class)) {
          found.add(value.substring("$(params.".length(), value.length() - 1));
        }
      }
    }
    return found;
  }

  private static boolean hasParam(Doc task, String name) {
    return TektonFiles.names(task.spec().path("params")).contains(name);
  }

  static String paramDefault(Doc task, String name) {
    for (JsonNode param : task.spec().path("params")) {
      if (param.path("name").asText().equals(name)) {
        return param.has("default") ? param.path("default").asText() : null;
      }
    }
    throw new AssertionError(task + " has no param " + name);
  }
}
