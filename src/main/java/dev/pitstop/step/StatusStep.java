package dev.pitstop.step;

import dev.pitstop.core.Durations;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.MaintenanceRecord;
import dev.pitstop.ledger.StepRecord;
import dev.pitstop.ledger.WorkloadRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One screen for a human at 3 a.m.: who holds the app, what is changed, and what to run next. */
public final class StatusStep {
  private final StepContext context;

  public StatusStep(StepContext context) {
    this.context = context;
  }

  public StepResult status() {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      return StepResult.builder("app " + context.app() + ": not locked, no run in progress")
          .field("locked", false)
          .build();
    }
    Ledger ledger = found.get();
    List<String> lines = new ArrayList<>();
    Duration age = Duration.between(ledger.lockedAt(), context.clock().instant());
    lines.add(
        "app "
            + context.app()
            + ": locked by run "
            + ledger.runId()
            + " (holder "
            + ledger.holder()
            + ") since "
            + ledger.lockedAt()
            + ", "
            + Durations.format(age)
            + " ago");
    String maintenance =
        ledger
            .maintenance()
            .map(
                m ->
                    (m.active() ? "ON via " : "off (was on via ")
                        + m.describeTarget()
                        + (m.active() ? "" : ")"))
            .orElse("off (never switched on by this run)");
    lines.add("maintenance: " + maintenance);

    List<Map<String, Object>> workloads = new ArrayList<>();
    for (WorkloadRecord record : ledger.workloads().values()) {
      Optional<Workload> current =
          context.cluster().workload(WorkloadRef.of(record.kind(), record.name()));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("workload", record.key());
      row.put("recorded-replicas", record.replicas());
      row.put("current-replicas", current.map(Workload::replicas).orElse(null));
      row.put("ready-replicas", current.map(Workload::readyReplicas).orElse(null));
      row.put("recorded-images", record.images());
      row.put("current-images", current.map(Workload::images).orElse(null));
      workloads.add(row);
      lines.add(
          "  "
              + record.key()
              + ": recorded "
              + Steps.plural(record.replicas(), "replica")
              + " "
              + record.images()
              + ", now "
              + current
                  .map(w -> w.replicas() + " (" + w.readyReplicas() + " ready)")
                  .orElse("MISSING")
              + (current.map(w -> w.images().equals(record.images())).orElse(true)
                  ? ""
                  : ", images changed to " + current.get().images()));
    }
    if (workloads.isEmpty()) {
      lines.add("workloads: none scaled down by this run");
    }
    List<Map<String, Object>> pauses = new ArrayList<>();
    if (!ledger.cronJobs().isEmpty()
        || !ledger.autoscalers().isEmpty()
        || !ledger.scaledObjects().isEmpty()
        || !ledger.argoCd().isEmpty()) {
      lines.add("kept down (recorded before the change, put back by scale-up or rollback):");
      pauses = new KeepDown(context).describe(ledger, lines);
    }
    ledger.facts().forEach((key, value) -> lines.add(key + ": " + value));

    Optional<Window> window = Window.recorded(ledger, context.clock().instant());
    window.ifPresent(
        w ->
            lines.add(
                "maintenance window"
                    + (ledger.fact(Window.OFF_AT).isPresent() ? " " : " so far ")
                    + w.describe()));
    List<Map<String, Object>> steps = new ArrayList<>();
    if (!ledger.steps().isEmpty()) {
      lines.add("steps:");
      ledger.steps().values().forEach(step -> steps.add(describe(step, lines)));
    }
    String next = nextCommand(ledger);
    if (next.contains(" --jdbc-url ")) {
      next += " (with the database password in PITSTOP_DB_PASSWORD or --db-password-file FILE)";
    }
    lines.add("next: " + next);
    return StepResult.builder(String.join("\n", lines))
        .field("locked", true)
        .field("run-id", ledger.runId())
        .field("holder", ledger.holder())
        .field("locked-at", ledger.lockedAt().toString())
        .field(
            "maintenance",
            ledger.maintenance().filter(MaintenanceRecord::active).isPresent() ? "on" : "off")
        .field("workloads", workloads)
        .field("rollback-failed", ledger.fact(Ledger.ROLLBACK_FAILED).orElse(""))
        .field("paused", pauses)
        .field("facts", ledger.facts())
        .field("steps", steps)
        .field("window-seconds", window.map(Window::seconds).orElse(null))
        .field("window", window.map(Window::toFields).orElse(null))
        .field("next", next)
        .build();
  }

  private Map<String, Object> describe(StepRecord step, List<String> lines) {
    String state =
        switch (step.state()) {
          case SUCCEEDED -> "done";
          case FAILED ->
              "FAILED" + (step.exitCode() == null ? "" : " (exit " + step.exitCode() + ")");
          case RUNNING ->
              "RUNNING for "
                  + Durations.format(Duration.between(step.started(), context.clock().instant()))
                  + " (or cut off)";
        };
    lines.add(
        String.format(
            "  %-16s %s%s%s%s",
            step.step(),
            state,
            step.attempts() > 1 ? ", " + step.attempts() + " attempts" : "",
            step.ended() == null ? "" : ", " + Durations.format(step.busy()) + " in Pitstop",
            step.message() == null ? "" : ": " + step.message()));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("step", step.step());
    row.put("state", step.state().name().toLowerCase(java.util.Locale.ROOT));
    row.put("started", step.started().toString());
    row.put("ended", step.ended() == null ? null : step.ended().toString());
    row.put("attempts", step.attempts());
    row.put("busy-ms", step.busy().toMillis());
    row.put("exit-code", step.exitCode());
    row.put("message", step.message());
    return row;
  }

  /** The one command to run next, complete and runnable as printed. */
  private String nextCommand(Ledger ledger) {
    RunState state = RunState.of(ledger);
    String ids =
        " --app "
            + context.app()
            + " -n "
            + context.cluster().namespace()
            + " --run-id "
            + ledger.runId();
    String finish =
        "`" + withPassword(ledger, "pitstop finish" + ids + databaseOptions(ledger)) + "`";
    if (state.rollbackFailed()) {
      String why = ledger.fact(Ledger.ROLLBACK_FAILED).orElse("");
      String rollback = "pitstop rollback" + ids + databaseOptions(ledger);
      String advice =
          "fix what the rollback reported, then `"
              + withPassword(ledger, rollback)
              + "`; when it succeeds, "
              + finish
              + " switches maintenance off and unlocks";
      if (why.contains("--backward-compatible")) {
        advice +=
            ". If the previous app version works on the new schema, `"
                + withPassword(ledger, rollback + " --backward-compatible")
                + "` starts it without restoring data";
      }
      return advice;
    }
    List<StepRecord> unfinished = state.unfinished();
    if (!unfinished.isEmpty()) {
      StepRecord step = unfinished.get(0);
      return step.step()
          + " of run "
          + ledger.runId()
          + " started "
          + Durations.format(Duration.between(step.started(), context.clock().instant()))
          + " ago and has not ended: if its pipeline is still running, wait; if it died, "
          + finish
          + " rolls back what the record holds and releases the app";
    }
    if (state.complete()) {
      return state.maintenanceOn()
          ? "the release is complete: " + finish + " switches maintenance off and unlocks"
          : "the release is complete: `pitstop unlock" + ids + "`";
    }
    if (state.rolledBack()) {
      return "rolled back: " + finish + " switches maintenance off and unlocks";
    }
    if (state.changedAnything()) {
      if (!state.knowsSteps()) {
        return "this record holds no step progress (an older Pitstop wrote it): if run "
            + ledger.runId()
            + " died, `"
            + withPassword(ledger, "pitstop rollback" + ids + databaseOptions(ledger))
            + "`, then `pitstop maintenance-off"
            + ids
            + "` and `pitstop unlock"
            + ids
            + "`";
      }
      String where = FinishStep.whereItStopped(state);
      return (state.failed().isEmpty()
              ? "the release did not complete ("
                  + where
                  + "): if its pipeline is still running,"
                  + " wait; if it died, "
              : "the release did not complete (" + where + "): ")
          + finish
          + " rolls back and releases the app";
    }
    if (state.maintenanceOn()) {
      return "nothing was changed but maintenance is on: if run "
          + ledger.runId()
          + " died, "
          + finish
          + " switches it off and unlocks";
    }
    return "if run " + ledger.runId() + " died, `pitstop unlock" + ids + "`";
  }

  /** The database options a rollback of this run needs, as far as the record knows them. */
  private static String databaseOptions(Ledger ledger) {
    Optional<String> url = ledger.fact(Ledger.JDBC_URL);
    boolean needed =
        ledger.fact(SnapshotStep.UNDO_SNAPSHOT).isPresent()
            || ledger.fact(MigrateStep.UNDO_SCHEMA_VERSION_BEFORE).isPresent();
    if (url.isEmpty()) {
      return needed ? " --jdbc-url JDBC_URL --db-user USER" : "";
    }
    return " --jdbc-url "
        + url.get()
        + ledger.fact(Ledger.DB_USER).map(user -> " --db-user " + user).orElse("");
  }

  /** The commands are printed as they run; the password is never part of them. */
  private static String withPassword(Ledger ledger, String command) {
    return command;
  }
}
