package dev.pitstop.step;

import dev.pitstop.core.Durations;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.MaintenanceRecord;
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
              + record.replicas()
              + " replicas, now "
              + current
                  .map(w -> w.replicas() + " (" + w.readyReplicas() + " ready)")
                  .orElse("MISSING")
              + (current.map(w -> w.images().equals(record.images())).orElse(true)
                  ? ""
                  : ", images changed from " + record.images() + " to " + current.get().images()));
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

    String next = nextCommand(ledger);
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
        .field("next", next)
        .build();
  }

  private String nextCommand(Ledger ledger) {
    String ids = " --app " + context.app() + " --run-id " + ledger.runId();
    if (ledger.fact(Ledger.ROLLBACK_FAILED).isPresent()) {
      return "fix the cause above, then `pitstop rollback"
          + ids
          + "`; when the app is healthy, `pitstop maintenance-off"
          + ids
          + "` and `pitstop unlock"
          + ids
          + "`";
    }
    if (ledger.maintenance().filter(MaintenanceRecord::active).isPresent()
        || !ledger.workloads().isEmpty()
        || ledger.holdsPauses()) {
      return "if run "
          + ledger.runId()
          + " is still running, wait; if it died, `pitstop rollback"
          + ids
          + "`, then `pitstop maintenance-off"
          + ids
          + "` and `pitstop unlock"
          + ids
          + "`";
    }
    return "if run " + ledger.runId() + " died, `pitstop unlock" + ids + "`";
  }
}
