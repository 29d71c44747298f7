package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.core.Durations;
import dev.pitstop.core.ExitCode;
import dev.pitstop.testing.ArgoExpressions;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of Argo's controller that the shipped YAML relies on, each with where it lives in
 * Argo's source (argoproj/argo-workflows at v3.5.15, v3.6.19, v3.7.18, v4.0.0, v4.1.2), so a later
 * edit cannot bring back a template the controller would run differently than it reads.
 */
class ArgoRulesTest {
  /** Retried: Pitstop's exit 75, and a pod that vanished (phase Error, exit code "-1"). */
  static final String RETRY_EXPRESSION =
      "asInt(lastRetry.exitCode) == 75 || lastRetry.status == \"Error\"";

  /** Step deadlines a user may give, besides each template's default. */
  private static final List<String> STEP_TIMEOUTS = List.of("90s", "5m", "10m", "45m", "1h30m");

  /** The smallest room Argo's per-attempt timeout must leave for the pod to start. */
  private static final Duration POD_START = Duration.ofMinutes(1);

  /**
   * The versions Pitstop is checked against, with the fields whose presence differs: {@code
   * synchronization.mutexes} since v3.6, the singular {@code mutex} removed in v4.0 (workflow_types
   * .go, type Synchronization), {@code backoff.cap} since v3.7 (type Backoff), {@code
   * pendingTimeout} since v4.1 (type Template).
   */
  enum ArgoVersion {
    V3_5("v3.5", false, true, false, false),
    V3_6("v3.6", true, true, false, false),
    V3_7("v3.7", true, true, true, false),
    V4_0("v4.0", true, false, true, false),
    V4_1("v4.1", true, false, true, true);

    final String name;
    final boolean mutexes;
    final boolean singularMutex;
    final boolean backoffCap;
    final boolean pendingTimeout;

    ArgoVersion(
        String name,
        boolean mutexes,
        boolean singularMutex,
        boolean backoffCap,
        boolean pendingTimeout) {
      this.name = name;
      this.mutexes = mutexes;
      this.singularMutex = singularMutex;
      this.backoffCap = backoffCap;
      this.pendingTimeout = pendingTimeout;
    }

    /** The fields of the shipped YAML this version does not know, by JSON pointer. */
    List<String> unknownFields(JsonNode document) {
      List<String> unknown = new ArrayList<>();
      walk(
          document,
          "",
          (path, key) -> {
            boolean known =
                switch (key) {
                  case "mutexes", "semaphores" -> mutexes;
                  case "mutex", "semaphore" -> singularMutex;
                  case "cap" -> backoffCap || !path.endsWith("/backoff");
                  case "pendingTimeout" -> pendingTimeout;
                  default -> true;
                };
            if (!known) {
              unknown.add(path + "/" + key);
            }
          });
      return unknown;
    }

    boolean supported() {
      return mutexes;
    }
  }

  static Stream<Document> argoDocuments() {
    return WorkflowFiles.argoDocuments().stream();
  }

  /** Every template that runs a pod, with the document it is in. */
  static Stream<JsonNode> podTemplates() {
    return WorkflowFiles.argoDocuments().stream()
        .flatMap(d -> WorkflowFiles.templates(d.node()).stream())
        .filter(t -> t.has("container"));
  }

  /**
   * v3.5 does not know {@code mutexes}: Go's decoding drops it, the empty Synchronization has no
   * lock name, and the workflow fails "Failed to acquire the synchronization lock" (v3.5.15
   * operator.go operate, workflow/sync/lock_name.go GetLockName). Every other field the YAML uses
   * exists in every supported version.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ArgoVersion.class)
  void theShippedYamlUsesOnlyFieldsOfEverySupportedVersion(ArgoVersion version) {
    List<String> unknown = new ArrayList<>();
    WorkflowFiles.argoDocuments()
        .forEach(d -> version.unknownFields(d.node()).forEach(f -> unknown.add(d + ": " + f)));
    if (version.supported()) {
      assertThat(unknown).as(version.name).isEmpty();
    } else {
      assertThat(unknown)
          .as(version.name + " fails on the mutex")
          .isNotEmpty()
          .allMatch(f -> f.endsWith("/mutexes"));
    }
  }

  @Test
  void theReadmesTableOfVersionsIsTheOneTheTestsCheck() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (ArgoVersion version : ArgoVersion.values()) {
      Matcher row =
          Pattern.compile("(?m)^\\| " + Pattern.quote(version.name) + "[^|]*\\| ([^|]+)\\|")
              .matcher(readme);
      assertThat(row.find()).as("README names " + version.name).isTrue();
      assertThat(row.group(1).trim().toLowerCase(Locale.ROOT))
          .as(version.name)
          .startsWith(version.supported() ? "supported" : "not supported");
    }
  }

  /**
   * A steps or DAG template with a timeout is rejected: "template doesn't support timeout field",
   * and a bare integer is "invalid duration format" (validate.go validateTemplate, all versions).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void timeoutsSitOnLeafTemplatesOnlyAndAreDurations(Document document) {
    for (JsonNode template : WorkflowFiles.templates(document.node())) {
      if (template.has("steps") || template.has("dag")) {
        assertThat(template.has("timeout")).as(template.path("name").asText()).isFalse();
      }
      if (template.has("timeout")) {
        assertThat(template.path("timeout").asText()).doesNotMatch("\\d+");
      }
    }
  }

  /**
   * Every template that runs a pod has a timeout, so no pod holds a run for ever; the fleet's
   * launch is the one exception, as it lasts exactly as long as the child migration it watches,
   * which is bounded by its own.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void everyLeafTemplateHasATimeoutButTheFleetsWatchOfAChild(Document document) {
    for (JsonNode template : WorkflowFiles.templates(document.node())) {
      String name = template.path("name").asText();
      boolean leaf = template.has("container") || template.has("resource");
      if (leaf && !(document.name().equals("pitstop-fleet") && name.equals("launch"))) {
        assertThat(template.path("timeout").asText()).as(document + " " + name).isNotEmpty();
      }
    }
  }

  /**
   * A pod stuck Pending (image pull, a missing Secret, no node) or hung holds the app in
   * maintenance; in the exit hook it also keeps the workflow Running and the mutex held, since the
   * mutex is released only once the workflow is fulfilled (operator.go persistUpdates) and
   * exit-hook pods get no workflow deadline (workflowpod.go getDeadline). Each attempt's timeout
   * becomes the pod's activeDeadlineSeconds (workflowpod.go checkTemplateTimeout(s)) and still
   * leaves Pitstop its whole --timeout, so the CLI, not Argo, decides how a slow step ends.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("podTemplates")
  void everyPodHasATimeoutThatLeavesTheStepItsWholeDeadline(JsonNode template) {
    String name = template.path("name").asText();
    assertThat(template.path("timeout").asText()).as(name).isNotEmpty();
    List<String> timeouts = new ArrayList<>(STEP_TIMEOUTS);
    timeouts.add(StepLibraryTest.defaultOf(template, "timeout"));
    for (String stepTimeout : timeouts) {
      Duration attempt = attemptTimeout(template, stepTimeout);
      assertThat(attempt)
          .as(name + " with timeout " + stepTimeout)
          .isGreaterThanOrEqualTo(Durations.parse(stepTimeout).plus(POD_START));
    }
  }

  /**
   * Pitstop retries transient failures itself until --timeout and exits 75 only then; Argo then
   * retries up to limit more times. backoff.maxDuration is one window from the first attempt's
   * start (operator.go processNodeRetries: firstChildNode.StartedAt + maxDuration), and its end
   * also kills retry pods (ARGO_DEADLINE): it must hold every attempt and every wait, or be left
   * out. backoff.cap needs v3.7.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("podTemplates")
  void theRetryWindowHoldsEveryAttemptItAllows(JsonNode template) {
    JsonNode retry = template.path("retryStrategy");
    String name = template.path("name").asText();
    assertThat(retry.isMissingNode()).as(name + " retries").isFalse();
    int limit = Integer.parseInt(retry.path("limit").asText());
    JsonNode backoff = retry.path("backoff");
    assertThat(backoff.has("cap")).as("backoff.cap needs Argo v3.7").isFalse();
    for (String stepTimeout : STEP_TIMEOUTS) {
      Duration attempt = attemptTimeout(template, stepTimeout);
      Duration worst = attempt.multipliedBy(limit + 1).plus(waits(backoff, limit));
      if (backoff.has("maxDuration")) {
        Duration window =
            goDuration(
                StepInvocation.substitute(
                    backoff.path("maxDuration").asText(), inputs(template, stepTimeout)));
        assertThat(window).as(name + " retry window").isGreaterThanOrEqualTo(worst);
      }
    }
  }

  /**
   * The backoff is waited before retryPolicy and expression decide (operator.go
   * processNodeRetries), so every final failure (exit 1 at migrate, say) waits it before the
   * rollback starts, with the app down. It is kept short.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("podTemplates")
  void everyFinalFailureWaitsOnlySecondsBeforeTheRollback(JsonNode template) {
    JsonNode retry = template.path("retryStrategy");
    int limit = Integer.parseInt(retry.path("limit").asText());
    assertThat(goDuration(retry.path("backoff").path("duration").asText()))
        .isLessThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(waits(retry.path("backoff"), limit)).isLessThanOrEqualTo(Duration.ofSeconds(30));
  }

  /**
   * lastRetry.exitCode is the main container's code, or "-1" when it has none (operator.go
   * buildRetryStrategyLocalScope); lastRetry.status is the node phase: "Error" for a pod deleted,
   * drained or lost with its node (operator.go podReconciliation, markNodeError "pod deleted").
   * retryPolicy Always lets Error reach the expression (OnFailure, the default without one, never
   * retries an Error).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("podTemplates")
  void onlyTransientExitsAndVanishedPodsAreRetried(JsonNode template) {
    JsonNode retry = template.path("retryStrategy");
    assertThat(retry.path("retryPolicy").asText()).isEqualTo("Always");
    String expression = retry.path("expression").asText();
    assertThat(expression).isEqualTo(RETRY_EXPRESSION);
    assertThat(retries(expression, ExitCode.TRANSIENT, "Failed")).isTrue();
    assertThat(retries(expression, -1, "Error")).as("pod deleted").isTrue();
    for (int code :
        List.of(
            ExitCode.FAILED,
            ExitCode.USAGE,
            ExitCode.LOCKED,
            ExitCode.ROLLBACK_FAILED,
            ExitCode.OUT_OF_MEMORY)) {
      assertThat(retries(expression, code, "Failed")).as("exit " + code).isFalse();
    }
    assertThat(retries(expression, -1, "Failed")).as("init container or eviction").isFalse();
  }

  @Test
  void theRetryEvaluatorRejectsWhatItDoesNotKnow() {
    assertThatThrownBy(() -> retries("lastRetry.exitCode in [75]", 75, "Failed"))
        .isInstanceOf(AssertionError.class);
  }

  /**
   * Argo checks a parameter's enum only against the value the parameter itself holds: a submitted
   * value replaces the whole parameter, enum included (workflow/util/util.go overrideParameters,
   * util/util.go MergeParameters, then validate.go validateArgumentsValues). So the template's own
   * values must be in their enum, and no `when` may rely on a submitted value being one of them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void everyEnumHoldsItsOwnDefault(Document document) {
    for (JsonNode p : document.node().path("spec").path("arguments").path("parameters")) {
      if (p.has("enum") && p.has("value")) {
        List<String> enums = new ArrayList<>();
        p.path("enum").forEach(e -> enums.add(e.asText()));
        assertThat(enums).as(p.path("name").asText()).contains(p.path("value").asText());
      }
    }
    for (JsonNode template : WorkflowFiles.templates(document.node())) {
      for (JsonNode input : template.path("inputs").path("parameters")) {
        if (input.has("enum")) {
          List<String> enums = new ArrayList<>();
          input.path("enum").forEach(e -> enums.add(e.asText()));
          assertThat(enums).contains(input.path("default").asText());
        }
      }
    }
  }

  /** The boolean and enumerated parameters of the migration offer their values in the UI. */
  @Test
  void theMigrationsSwitchesAndModesListTheirValues() {
    JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();
    for (JsonNode p : migration.path("spec").path("arguments").path("parameters")) {
      String name = p.path("name").asText();
      String description = p.path("description").asText();
      if (description.startsWith("true") || name.equals("maintenance-mode")) {
        assertThat(p.has("enum")).as(name).isTrue();
      }
    }
  }

  /**
   * A plain `when` is govaluate (steps.go shouldExecute), where only a lowercase `true` is a
   * boolean: `True == true` is false and the snapshot would be skipped without a word. The
   * condition lowers the value first (an expr-lang `{{=...}}`) and skips only on false.
   */
  @Test
  void aMistypedSnapshotSwitchTakesTheSnapshotRatherThanSkipIt() {
    JsonNode migration = WorkflowFiles.workflowTemplate("pitstop-migration").node();
    String when = "";
    for (JsonNode task :
        WorkflowFiles.template(migration, "migration").orElseThrow().path("dag").path("tasks")) {
      if (task.path("name").asText().equals("snapshot")) {
        when = task.path("when").asText();
      }
    }
    assertThat(when).startsWith("{{=lower(workflow.parameters.snapshot) != 'false'");
    Map<String, Boolean> taken =
        Map.of(
            "true", true, "True", true, "TRUE", true, "yes", true, "", true, "false", false,
            "False", false, "FALSE", false);
    for (Map.Entry<String, Boolean> value : taken.entrySet()) {
      assertThat(
              ArgoExpressions.runs(when, Map.of("snapshot", value.getKey(), "window", "per-step")))
          .as("snapshot=" + value.getKey())
          .isEqualTo(value.getValue());
      assertThat(
              ArgoExpressions.runs(when, Map.of("snapshot", value.getKey(), "window", "one-pod")))
          .as("the one-pod route takes its snapshot in its own pod")
          .isFalse();
    }
    for (Document document : WorkflowFiles.argoDocuments()) {
      for (JsonNode call : WorkflowFiles.calls(document.node())) {
        String condition = call.path("when").asText();
        if (condition.contains("workflow.parameters")) {
          assertThat(condition).as("a parameter in a plain govaluate `when`").startsWith("{{=");
        }
      }
    }
  }

  /**
   * The one-pod route's template runs several steps in one pod, each with the whole `timeout` and,
   * like a step's own pod in the other route, up to two more tries when it exits 75 quickly
   * (ProcedureRunner: a step that used its whole deadline is not tried again). Argo's timeout of an
   * attempt, the pod's activeDeadlineSeconds (workflowpod.go checkTemplateTimeout(s)), must leave
   * the CLI all of it: the input checks, then every step's tries and the waits between them, so
   * that Pitstop, not the kubelet, decides how a slow window ends.
   */
  @Test
  void theOnePodStepsTimeoutIsTheSumOfItsStepsBudgets() {
    JsonNode window =
        WorkflowFiles.template(WorkflowFiles.workflowTemplate("pitstop-steps").node(), "window")
            .orElseThrow();
    List<String> args = new ArrayList<>();
    window.path("container").path("args").forEach(a -> args.add(a.asText()));
    int retries = Integer.parseInt(args.get(args.indexOf("--retries") + 1));
    int steps = dev.pitstop.procedure.Procedure.window(true).size();
    // run's backoff between tries: 2s, doubled each time
    Duration waits = Duration.ZERO;
    for (int n = 0; n < retries; n++) {
      waits = waits.plus(Duration.ofSeconds(2L << n));
    }
    List<String> timeouts = new ArrayList<>(STEP_TIMEOUTS);
    timeouts.add(StepLibraryTest.defaultOf(window, "timeout"));
    for (String stepTimeout : timeouts) {
      Duration each = Durations.parse(stepTimeout);
      Duration budget =
          each.multipliedBy((long) steps * (retries + 1))
              .plus(waits.multipliedBy(steps))
              .plus(each) // the checks of the record and the inputs before the first step
              .plus(POD_START);
      assertThat(attemptTimeout(window, stepTimeout))
          .as("window with timeout " + stepTimeout)
          .isGreaterThanOrEqualTo(budget);
    }
  }

  /** Go's time.ParseDuration adds up its number-unit pairs: what "10m" + "2m" relies on. */
  @Test
  void goDurationsAddUpTheirPartsAsTheControllerReadsThem() {
    assertThat(goDuration("10m2m")).isEqualTo(Duration.ofMinutes(12));
    assertThat(goDuration("1h30m2m")).isEqualTo(Duration.ofMinutes(92));
    assertThat(goDuration("90s2m")).isEqualTo(Duration.ofSeconds(210));
    assertThat(goDuration("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(goDuration("30")).as("a bare number is seconds").isEqualTo(Duration.ofSeconds(30));
    for (String text : STEP_TIMEOUTS) {
      assertThat(goDuration(text)).as(text).isEqualTo(Durations.parse(text));
    }
    assertThatThrownBy(() -> goDuration("10M")).isInstanceOf(IllegalArgumentException.class);
  }

  private static Duration attemptTimeout(JsonNode template, String stepTimeout) {
    return goDuration(
        StepInvocation.substitute(
            template.path("timeout").asText(), inputs(template, stepTimeout)));
  }

  private static Map<String, String> inputs(JsonNode template, String stepTimeout) {
    return Map.of("timeout", stepTimeout);
  }

  /** The waits Argo may make: duration * factor^(n-1) after attempt n, n up to the limit. */
  private static Duration waits(JsonNode backoff, int limit) {
    Duration base = goDuration(backoff.path("duration").asText());
    int factor = backoff.has("factor") ? Integer.parseInt(backoff.path("factor").asText()) : 0;
    Duration total = Duration.ZERO;
    for (int n = 1; n <= limit; n++) {
      total = total.plus(factor > 0 ? base.multipliedBy((long) Math.pow(factor, n - 1)) : base);
    }
    return total;
  }

  /**
   * Argo's reading of a duration (pkg/apis/workflow/v1alpha1 ParseStringToDuration): a bare integer
   * is seconds, anything else Go's time.ParseDuration, which sums a sequence of decimal numbers
   * each with a unit (ns, us, ms, s, m, h), in any order and repeated.
   */
  static Duration goDuration(String text) {
    if (text.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(text));
    }
    Matcher part = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)").matcher(text);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (part.find()) {
      if (part.start() != end) {
        break;
      }
      end = part.end();
      long unit =
          switch (part.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unit)));
    }
    if (text.isEmpty() || end != text.length()) {
      throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }
    return Duration.ofNanos(nanos.longValueExact());
  }

  /**
   * The retry expression for one attempt, for the forms the shipped YAML uses: clauses joined by
   * ||, each {@code asInt(lastRetry.exitCode) == N} or {@code lastRetry.status == "PHASE"}.
   */
  private static boolean retries(String expression, int exitCode, String phase) {
    boolean result = false;
    for (String clause : expression.split("\\|\\|")) {
      Matcher code =
          Pattern.compile("asInt\\(lastRetry\\.exitCode\\) == (-?\\d+)").matcher(clause.trim());
      Matcher status = Pattern.compile("lastRetry\\.status == \"(\\w+)\"").matcher(clause.trim());
      if (code.matches()) {
        result |= exitCode == Integer.parseInt(code.group(1));
      } else if (status.matches()) {
        result |= phase.equals(status.group(1));
      } else {
        throw new AssertionError("a retry clause this test cannot evaluate: " + clause);
      }
    }
    return result;
  }

  private interface Visitor {
    void field(String path, String key);
  }

  private static void walk(JsonNode node, String path, Visitor visitor) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        visitor.field(path, field.getKey());
        walk(field.getValue(), path + "/" + field.getKey(), visitor);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "/" + i, visitor);
      }
    }
  }
}
