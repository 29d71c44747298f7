package dev.pitstop.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.Procedure.Step;
import dev.pitstop.testing.HelmTemplates;
import dev.pitstop.testing.HelmTemplates.Manifest;
import dev.pitstop.testing.HelmTemplates.Release;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The example chart runs the procedure as Helm hooks, rendered as {@code helm upgrade} would. */
class HelmHooksTest {
  private static final Path CHART = Path.of("examples", "helm-hooks");
  private static final Release RELEASE = new Release("shop", "shop", 7);
  private static final String PRE = "pre-upgrade";
  private static final String POST = "post-upgrade";

  /**
   * How the procedure maps onto an upgrade. Before Helm applies the release: the forward steps up
   * to verify (snapshot is optional and left out: rollback relies on --atomic). Helm then applies
   * the new Deployment, which is where the new image comes in. After: scale-up (replicas from the
   * record, no --image), smoke-test, then the closing steps.
   */
  private static final List<String> BEFORE_HELM_APPLIES =
      commands(Procedure.forward(false)).subList(0, 5);

  private static final List<String> AFTER_HELM_APPLIES =
      Stream.concat(
              commands(Procedure.forward(false)).subList(5, 7).stream(),
              commands(Procedure.CLOSING).stream())
          .toList();

  /** Options a step needs that picocli does not mark required (as in the Argo step tests). */
  private static final Map<String, List<String>> NEEDED =
      Map.of(
          "maintenance-on", List.of("--mode"),
          "migrate", List.of("--jdbc-url", "--locations"),
          "verify", List.of("--jdbc-url", "--locations"));

  private static final Map<String, String> NEEDED_LISTS =
      Map.of("scale-down", "PITSTOP_WORKLOAD", "smoke-test", "PITSTOP_URL");

  private final List<Manifest> manifests = HelmTemplates.render(CHART, RELEASE);

  private static List<String> commands(List<Step> steps) {
    return steps.stream().map(Step::command).toList();
  }

  private static Set<String> events(Manifest manifest) {
    String hook = annotation(manifest, "helm.sh/hook");
    Set<String> events = new TreeSet<>();
    for (String event : hook.split(",")) {
      if (!event.isBlank()) {
        events.add(event.trim());
      }
    }
    return events;
  }

  private static String annotation(Manifest manifest, String name) {
    return manifest.node().path("metadata").path("annotations").path(name).asText();
  }

  private static int weight(Manifest manifest) {
    String weight = annotation(manifest, "helm.sh/hook-weight");
    return weight.isEmpty() ? 0 : Integer.parseInt(weight);
  }

  /** The hooks of one event in the order Helm runs them: weight, then kind, then name. */
  private List<Manifest> hooks(String event) {
    return manifests.stream()
        .filter(m -> events(m).contains(event))
        .sorted(
            Comparator.comparingInt(HelmHooksTest::weight)
                .thenComparing(Manifest::kind)
                .thenComparing(Manifest::name))
        .toList();
  }

  private List<Manifest> jobs() {
    return manifests.stream().filter(m -> m.kind().equals("Job")).toList();
  }

  private static JsonNode container(Manifest job) {
    JsonNode containers = job.node().path("spec").path("template").path("spec").path("containers");
    assertThat(containers).as("containers of %s", job).hasSize(1);
    return containers.get(0);
  }

  private static List<String> args(Manifest job) {
    List<String> args = new ArrayList<>();
    container(job).path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  private static String command(Manifest job) {
    return args(job).get(0);
  }

  private static String optionValue(List<String> args, String option) {
    int at = args.indexOf(option);
    return at < 0 ? null : args.get(at + 1);
  }

  private static CommandLine commandLine() {
    PrintWriter pw = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(Map.of(), pw, pw, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(Map.of(), new String[0]));
  }

  @Test
  void theMappingCoversTheWholeProcedureLeavingOutOnlyTheOptionalSnapshot() {
    List<String> upgrade = new ArrayList<>(BEFORE_HELM_APPLIES);
    upgrade.addAll(AFTER_HELM_APPLIES);
    List<String> procedure = new ArrayList<>(commands(Procedure.forward(false)));
    procedure.addAll(commands(Procedure.CLOSING));
    assertThat(upgrade).isEqualTo(procedure);
    assertThat(BEFORE_HELM_APPLIES).endsWith(Procedure.VERIFY.command());
    assertThat(AFTER_HELM_APPLIES).startsWith(Procedure.SCALE_UP.command());
    assertThat(Procedure.FORWARD)
        .filteredOn(s -> !upgrade.contains(s.command()))
        .containsExactly(Procedure.SNAPSHOT);
    assertThat(Procedure.SNAPSHOT.optional()).isTrue();
  }

  @Test
  void preUpgradeHooksRunTheStepsBeforeHelmAppliesInWeightOrder() {
    assertThat(hooks(PRE).stream().filter(m -> m.kind().equals("Job")).map(HelmHooksTest::command))
        .containsExactlyElementsOf(BEFORE_HELM_APPLIES);
  }

  @Test
  void postUpgradeHooksRunTheStepsAfterHelmAppliesInWeightOrder() {
    assertThat(hooks(POST).stream().filter(m -> m.kind().equals("Job")).map(HelmHooksTest::command))
        .containsExactlyElementsOf(AFTER_HELM_APPLIES);
  }

  @Test
  void everyJobIsAHookOfOneEventWithItsOwnWeightSoTheOrderNeverFallsBackToNames() {
    for (Manifest job : jobs()) {
      assertThat(events(job)).as("events of %s", job).hasSize(1).isSubsetOf(PRE, POST);
      assertThat(annotation(job, "helm.sh/hook-weight")).as("weight of %s", job).isNotBlank();
      assertThat(job.name()).isEqualTo(RELEASE.name() + "-pitstop-" + command(job));
    }
    for (String event : List.of(PRE, POST)) {
      List<Integer> weights =
          hooks(event).stream()
              .filter(m -> m.kind().equals("Job"))
              .map(HelmHooksTest::weight)
              .toList();
      assertThat(weights).as("weights of %s", event).doesNotHaveDuplicates().isSorted();
    }
  }

  @Test
  void everyHookIsDeletedWhenItSucceedsOrBeforeItsNextRunSoNoJobIsLeftStale() {
    List<Manifest> hooks = manifests.stream().filter(m -> !events(m).isEmpty()).toList();
    assertThat(hooks).hasSizeGreaterThan(AFTER_HELM_APPLIES.size() + BEFORE_HELM_APPLIES.size());
    for (Manifest hook : hooks) {
      assertThat(annotation(hook, "helm.sh/hook-delete-policy").split(","))
          .as("delete policy of %s: a failed hook stays for its logs", hook)
          .containsExactlyInAnyOrder("before-hook-creation", "hook-succeeded");
    }
    // before-hook-creation finds the previous Job by name: a name with the revision in it would
    // leave every failed Job behind.
    Manifest lockOfNextRevision =
        HelmTemplates.render(CHART, new Release("shop", "shop", 8)).stream()
            .filter(m -> m.kind().equals("Job"))
            .findFirst()
            .orElseThrow();
    assertThat(lockOfNextRevision.name()).isEqualTo(jobs().get(0).name());
  }

  @Test
  void theServiceAccountAndRoleAreHooksOfBothEventsBeforeEveryStepWithTheStepsRules()
      throws IOException {
    List<Manifest> rbac =
        manifests.stream()
            .filter(m -> Set.of("ServiceAccount", "Role", "RoleBinding").contains(m.kind()))
            .toList();
    assertThat(rbac)
        .extracting(Manifest::kind)
        .containsExactlyInAnyOrder("ServiceAccount", "Role", "RoleBinding");
    int firstStep = jobs().stream().mapToInt(HelmHooksTest::weight).min().orElseThrow();
    for (Manifest object : rbac) {
      assertThat(events(object)).as("events of %s", object).containsExactlyInAnyOrder(PRE, POST);
      assertThat(weight(object)).as("weight of %s", object).isLessThan(firstStep);
    }
    String account =
        rbac.stream()
            .filter(m -> m.kind().equals("ServiceAccount"))
            .findFirst()
            .orElseThrow()
            .name();
    Manifest role = rbac.stream().filter(m -> m.kind().equals("Role")).findFirst().orElseThrow();
    Manifest binding =
        rbac.stream().filter(m -> m.kind().equals("RoleBinding")).findFirst().orElseThrow();
    assertThat(binding.node().path("roleRef").path("name").asText()).isEqualTo(role.name());
    assertThat(binding.node().path("subjects").get(0).path("name").asText()).isEqualTo(account);
    assertThat(binding.node().path("subjects").get(0).path("namespace").asText())
        .isEqualTo(RELEASE.namespace());
    for (Manifest job : jobs()) {
      assertThat(
              job.node()
                  .path("spec")
                  .path("template")
                  .path("spec")
                  .path("serviceAccountName")
                  .asText())
          .as("service account of %s", job)
          .isEqualTo(account);
    }

    List<JsonNode> argoRules = new ArrayList<>();
    for (JsonNode doc :
        HelmTemplates.YAML
            .readValues(
                HelmTemplates.YAML
                    .getFactory()
                    .createParser(Path.of("workflow-templates", "rbac.yaml").toFile()),
                JsonNode.class)
            .readAll()) {
      if (doc.path("kind").asText().equals("Role")) {
        doc.path("rules").forEach(argoRules::add);
      }
    }
    List<JsonNode> stepRules =
        argoRules.stream()
            .filter(r -> !r.path("apiGroups").toString().contains("argoproj.io"))
            .toList();
    List<JsonNode> chartRules = new ArrayList<>();
    role.node().path("rules").forEach(chartRules::add);
    assertThat(chartRules).as("the steps' rules, less Argo's own").isEqualTo(stepRules);
  }

  @Test
  void everyStepOfAnUpgradeRunsUnderTheRunIdOfItsReleaseRevision() {
    Set<String> runIds = new TreeSet<>();
    for (Manifest job : jobs()) {
      String runId = optionValue(args(job), "--run-id");
      if (runId != null) {
        runIds.add(runId);
      }
    }
    assertThat(runIds).containsExactly(RELEASE.name() + "-" + RELEASE.revision());
    Manifest lock =
        jobs().stream().filter(j -> command(j).equals("lock")).findFirst().orElseThrow();
    assertThat(optionValue(args(lock), "--holder"))
        .contains(RELEASE.name())
        .contains(Integer.toString(RELEASE.revision()));
  }

  @Test
  void everyStepsArgumentsParseWithTheRealCommandLine() {
    for (Manifest job : jobs()) {
      List<String> args = args(job);
      String name = args.get(0);
      ParseResult step = commandLine().parseArgs(args.toArray(String[]::new)).subcommand();
      CommandSpec spec = step.commandSpec();
      List<String> needed = new ArrayList<>(NEEDED.getOrDefault(name, List.of()));
      needed.add("--app");
      needed.add("--namespace");
      if (spec.findOption("--run-id") != null) {
        needed.add("--run-id");
      }
      for (String option : needed) {
        assertThat(step.hasMatchedOption(option)).as(name + " is given " + option).isTrue();
      }
      assertThat(optionValue(args, "--namespace")).isEqualTo(RELEASE.namespace());

      Set<String> lists = new TreeSet<>();
      for (JsonNode env : container(job).path("env")) {
        String variable = env.path("name").asText();
        if (!variable.startsWith("PITSTOP_") || variable.equals("PITSTOP_DB_PASSWORD")) {
          continue;
        }
        OptionSpec option =
            spec.options().stream()
                .filter(o -> ConfigDefaults.envName(o.longestName().substring(2)).equals(variable))
                .findFirst()
                .orElse(null);
        assertThat(option).as(name + ": " + variable + " names an option").isNotNull();
        assertThat(option.isMultiValue()).as(variable + " is a repeatable option").isTrue();
        assertThat(env.path("value").asText()).as(variable).isNotBlank();
        lists.add(variable);
      }
      if (NEEDED_LISTS.containsKey(name)) {
        assertThat(lists).as("lists of " + name).contains(NEEDED_LISTS.get(name));
      }
    }
  }

  @Test
  void theDatabasePasswordComesFromTheSecretOnly() {
    int readers = 0;
    for (Manifest job : jobs()) {
      assertThat(args(job).toString()).doesNotContainIgnoringCase("password");
      for (JsonNode env : container(job).path("env")) {
        if (env.path("name").asText().equals("PITSTOP_DB_PASSWORD")) {
          readers++;
          assertThat(env.has("value")).isFalse();
          assertThat(env.path("valueFrom").path("secretKeyRef").path("name").asText())
              .isEqualTo("shop-db");
        }
      }
      boolean usesDatabase = args(job).contains("--jdbc-url");
      assertThat(container(job).path("env").toString().contains("PITSTOP_DB_PASSWORD"))
          .as("%s reads the password exactly when it talks to the database", job)
          .isEqualTo(usesDatabase);
    }
    assertThat(readers).isEqualTo(2);
  }

  @Test
  void onlyTransientFailuresGetAnotherPod() {
    for (Manifest job : jobs()) {
      JsonNode spec = job.node().path("spec");
      assertThat(spec.path("template").path("spec").path("restartPolicy").asText())
          .isEqualTo("Never");
      assertThat(spec.path("activeDeadlineSeconds").asInt()).as("deadline of %s", job).isPositive();
      JsonNode failJob = spec.path("podFailurePolicy").path("rules").get(0);
      assertThat(failJob.path("action").asText()).isEqualTo("FailJob");
      JsonNode exitCodes = failJob.path("onExitCodes");
      assertThat(exitCodes.path("containerName").asText())
          .isEqualTo(container(job).path("name").asText());
      assertThat(exitCodes.path("operator").asText()).isEqualTo("NotIn");
      assertThat(exitCodes.path("values").toString()).isEqualTo("[75]");
    }
  }

  @Test
  void flywayStepsReadTheMigrationsFolderTheyAreGiven() {
    for (Manifest job : jobs()) {
      List<String> args = args(job);
      if (!args.contains("--locations")) {
        continue;
      }
      assertThat(optionValue(args, "--locations")).isEqualTo("filesystem:/migrations");
      assertThat(container(job).path("volumeMounts").findValuesAsText("mountPath"))
          .contains("/migrations");
    }
  }

  @Test
  void theRendererRefusesWhatItCannotRenderFaithfully() {
    JsonNode values = HelmTemplates.YAML.createObjectNode().put("app", "shop");
    assertThat(HelmTemplates.render("a: {{ .Values.app | quote }}", values, RELEASE))
        .isEqualTo("a: \"shop\"");
    assertThatThrownBy(
            () -> HelmTemplates.render("{{- if .Values.app }}x{{- end }}", values, RELEASE))
        .hasMessageContaining("cannot render");
    assertThatThrownBy(() -> HelmTemplates.render("{{ .Values.missing }}", values, RELEASE))
        .hasMessageContaining(".Values.missing");
  }
}
