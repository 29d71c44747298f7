package dev.pitstop.plan;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.AccessReviews.Answer;
import dev.pitstop.kube.AccessReviews.Decision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code pitstop plan} found, as a terraform-like text and as fields for {@code -o json}
 * (versioned by {@link #SCHEMA}).
 */
final class PlanReport {
  /** The JSON form's version: a field is only ever added under the same version. */
  static final String SCHEMA = "pitstop.dev/plan/v1";

  /** A change a step of the run would make. */
  record Change(String step, String sign, String text) {}

  /** Something the plan could not determine, and why. */
  record Unknown(String what, String reason) {
    /** A kind the cluster does not serve: nothing of it can be in the way. */
    boolean notServed() {
      return reason.startsWith(NOT_SERVED);
    }
  }

  /** How {@link dev.pitstop.kube.Survey} and the plan begin the reason for a missing API. */
  static final String NOT_SERVED = "this cluster does not serve";

  final String app;
  final String namespace;
  String database;
  final List<Consumer> consumers = new ArrayList<>();
  String workloadSource = "detected";
  final List<String> workloads = new ArrayList<>();
  final List<Change> changes = new ArrayList<>();
  final List<String> pauses = new ArrayList<>();
  final List<String> blockers = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  final List<Unknown> unknowns = new ArrayList<>();
  final Map<String, Object> databaseFields = new LinkedHashMap<>();
  final Map<String, Object> frontDoor = new LinkedHashMap<>();
  final List<Answer> rights = new ArrayList<>();
  final Map<Answer, String> rightReasons = new LinkedHashMap<>();
  Downtime.Estimate downtime;
  final Proposal proposal = new Proposal();

  PlanReport(String app, String namespace) {
    this.app = app;
    this.namespace = namespace;
  }

  void unknown(String what, String reason) {
    Unknown unknown = new Unknown(what, reason);
    if (!unknowns.contains(unknown)) {
      unknowns.add(unknown);
    }
  }

  void warn(String line) {
    if (!warnings.contains(line)) {
      warnings.add(line);
    }
  }

  void note(String line) {
    if (!notes.contains(line)) {
      notes.add(line);
    }
  }

  void block(String line) {
    if (!blockers.contains(line)) {
      blockers.add(line);
    }
  }

  boolean runnable() {
    return blockers.isEmpty();
  }

  /** 0 when the plan can run, {@link ExitCode#PLAN_BLOCKED} when it has blockers. */
  int exitCode() {
    return runnable() ? ExitCode.OK : ExitCode.PLAN_BLOCKED;
  }

  List<Answer> missingRights() {
    return rights.stream().filter(a -> a.decision() == Decision.DENIED).toList();
  }

  /** One line, for {@code -o json} and the last line of the text. */
  String verdict() {
    return (runnable()
            ? "plan: runnable"
            : "plan: NOT runnable, " + blockers.size() + " blocker(s) (exit " + exitCode() + ")")
        + ", "
        + warnings.size()
        + " warning(s), "
        + unknowns.size()
        + " unknown(s)";
  }

  StepResult toResult(String summary) {
    return StepResult.builder(summary)
        .field("schema", SCHEMA)
        .field("runnable", runnable())
        .field("app", app)
        .field("namespace", namespace)
        .field("database", databaseFields)
        .field("consumers", consumers.stream().map(PlanReport::consumerFields).toList())
        .field("workloads", Map.of("source", workloadSource, "proposed", List.copyOf(workloads)))
        .field(
            "changes",
            changes.stream().map(c -> Map.of("step", c.step(), "change", c.text())).toList())
        .field("pauses", List.copyOf(pauses))
        .field("front-door", frontDoor)
        .field("blockers", List.copyOf(blockers))
        .field("warnings", List.copyOf(warnings))
        .field("notes", List.copyOf(notes))
        .field(
            "unknowns",
            unknowns.stream()
                .map(
                    u ->
                        Map.of(
                            "what",
                            u.what(),
                            "reason",
                            u.reason(),
                            "cause",
                            u.notServed() ? "not-served" : "not-determined"))
                .toList())
        .field("rights", rightsFields())
        .field("downtime", downtime == null ? null : downtime.toFields())
        .field("options", proposal.options())
        .exitCode(exitCode())
        .build();
  }

  private static Map<String, Object> consumerFields(Consumer consumer) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("workload", consumer.owner().key());
    fields.put("certainty", consumer.certainty().word());
    fields.put(
        "handling",
        consumer.owner().kind().handling().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    fields.put("evidence", consumer.evidence());
    return fields;
  }

  private Map<String, Object> rightsFields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("checked", rights.size());
    List<Map<String, Object>> all = new ArrayList<>();
    for (Answer answer : rights) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("verb", answer.right().verb());
      row.put("group", answer.right().group());
      row.put("resource", answer.right().resource());
      row.put("namespace", answer.right().namespace());
      row.put("decision", answer.decision().name().toLowerCase(Locale.ROOT));
      row.put("reason", answer.reason());
      row.put("needed-for", rightReasons.get(answer));
      all.add(row);
    }
    fields.put("missing", missingRights().stream().map(a -> a.right().describe()).toList());
    fields.put("all", all);
    return fields;
  }

  /** The terraform-like view. */
  String text() {
    StringBuilder out = new StringBuilder();
    out.append("Pitstop plan for app ").append(app).append(" in namespace ").append(namespace);
    if (database != null) {
      out.append("\n  database ").append(database);
    }
    section(out, "Database consumers (" + consumers.size() + "):");
    if (consumers.isEmpty()) {
      out.append("\n  none found");
    }
    for (Consumer consumer : consumers) {
      out.append(
          String.format(
              "%n  %-9s %-34s %s",
              consumer.certainty().word(), consumer.owner().key(), handling(consumer.owner())));
      consumer.evidence().forEach(e -> out.append("\n              - ").append(e));
    }
    section(
        out,
        "Workloads the run stops ("
            + (workloadSource.equals("given") ? "as given" : "the database's users")
            + "): "
            + (workloads.isEmpty() ? "none" : String.join(", ", workloads)));
    section(out, "Pitstop will change:");
    if (changes.isEmpty()) {
      out.append("\n  nothing");
    }
    changes.forEach(
        c -> out.append(String.format("%n  %s %-16s %s", c.sign(), c.step(), c.text())));
    if (!pauses.isEmpty()) {
      section(out, "Will pause (they would bring the app back during the run):");
      pauses.forEach(p -> out.append("\n  ~ ").append(p));
    }
    list(out, "Blockers (the run would fail or be unsafe):", "X", blockers);
    list(out, "Warnings:", "!", warnings);
    if (!unknowns.isEmpty()) {
      section(out, "Unknown (not determined; the rest of the plan stands):");
      List<String> notServed = new ArrayList<>();
      for (Unknown u : unknowns) {
        if (u.notServed()) {
          notServed.add(u.what());
        } else {
          out.append("\n  ? ").append(u.what()).append(": ").append(u.reason());
        }
      }
      if (!notServed.isEmpty()) {
        out.append("\n  ? not served by this cluster (their CRDs are not installed, so none of")
            .append(" them can be in the way): ")
            .append(String.join(", ", notServed));
      }
    }
    list(out, "Notes:", "-", notes);
    section(out, rightsLine());
    if (downtime != null) {
      section(out, "Estimated downtime (users see the maintenance page):");
      for (Downtime.Orchestrator o : downtime.orchestrators()) {
        out.append(String.format("%n  %-7s %s", o.name(), downtime.range(o)));
      }
      out.append("\n  assumptions:");
      for (Downtime.Phase phase : downtime.phases()) {
        out.append(
            String.format(
                "%n  - %-16s %s: %s",
                phase.step(),
                phase.high() == null
                    ? ">= " + Downtime.format(phase.low())
                    : Downtime.format(phase.low()) + "–" + Downtime.format(phase.high()),
                phase.assumption()));
      }
      downtime
          .orchestrators()
          .forEach(o -> out.append("\n  - ").append(o.name()).append(": ").append(o.how()));
    }
    section(out, "Proposed run (--emit config|argo|tekton prints it for a pipeline):");
    out.append("\n  ").append(command());
    out.append("\n\n").append(verdict());
    return out.toString();
  }

  private String rightsLine() {
    if (rights.isEmpty()) {
      return "Rights: not checked";
    }
    List<Answer> missing = missingRights();
    long unknown = rights.stream().filter(a -> a.decision() == Decision.UNKNOWN).count();
    StringBuilder line =
        new StringBuilder(
            "Rights of the identity running this plan: " + rights.size() + " checked, ");
    line.append(missing.isEmpty() ? "none missing" : missing.size() + " missing");
    if (unknown > 0) {
      line.append(", ").append(unknown).append(" not answered");
    }
    for (Answer answer : missing) {
      line.append("\n  X ").append(answer.right().describe());
      String why = rightReasons.get(answer);
      if (why != null) {
        line.append(" (").append(why).append(")");
      }
    }
    return line.toString();
  }

  /** The {@code pitstop run} command line of the proposal. */
  String command() {
    StringBuilder command = new StringBuilder("pitstop run --run-id RUN_ID");
    proposal
        .options()
        .forEach(
            (option, value) -> {
              if (value instanceof Boolean b) {
                command.append(b ? " --" + option : option.equals("atomic") ? " --no-atomic" : "");
              } else {
                for (String v : Proposal.values(value)) {
                  command.append(" --").append(option).append(' ').append(Emitted.shell(v));
                }
              }
            });
    return command.toString();
  }

  private static String handling(PodOwner owner) {
    return switch (owner.kind().handling()) {
      case SCALED -> "scaled to 0 and back";
      case SUSPENDED -> "suspended and resumed";
      case RUNS_ON -> "a Job: runs to its end, Pitstop does not stop it";
      case CANNOT_STOP -> "Pitstop cannot stop a " + owner.kind().kubernetesName();
    };
  }

  private static void section(StringBuilder out, String title) {
    out.append("\n\n").append(title);
  }

  private static void list(StringBuilder out, String title, String sign, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    section(out, title);
    lines.forEach(l -> out.append("\n  ").append(sign).append(' ').append(l));
  }
}
