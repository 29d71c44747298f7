package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.WorkloadRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Undoes what the run record says was done, in reverse: the database first (the run's snapshot
 * restored, with the app's pods stopped and its autoscalers, CronJobs and Argo CD sync paused so
 * nothing writes meanwhile), then the original images and replicas, then waits until they are
 * ready, and last resumes every controller scale-down paused, exactly as recorded.
 *
 * <p>Without a snapshot, a changed schema is only paired with the previous app version when the run
 * declared the migration backward compatible; otherwise the rollback stops. Whenever it cannot
 * finish, the app stays in maintenance and locked, the reason is written to the record for {@code
 * status}, and the step exits 4.
 */
public final class RollbackStep {
  private final StepContext context;

  public RollbackStep(StepContext context) {
    this.context = context;
  }

  /**
   * @param database the database half, or null when no database options were given; then a record
   *     that holds database facts is bad input
   * @param backwardCompatible the previous app version works on the new schema
   */
  public StepResult rollback(DatabaseUndo database, boolean backwardCompatible) {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      return StepResult.builder("app " + context.app() + " has no run record: nothing to roll back")
          .field("rolled-back", "")
          .build();
    }
    Ledger ledger = found.get();
    context.ledger().requireOwner(ledger, context.runId());
    if (RunState.of(ledger).rolledBack()) {
      // running it again would stop the app once more and start it again, for nothing
      return StepResult.builder(
              "run "
                  + context.runId()
                  + " was already rolled back at "
                  + ledger.fact(Ledger.ROLLED_BACK_AT).orElseThrow()
                  + ": nothing to do")
          .field("rolled-back", "")
          .build();
    }
    List<WorkloadRecord> records = new ArrayList<>(ledger.workloads().values());
    Optional<String> snapshot = ledger.fact(SnapshotStep.UNDO_SNAPSHOT);
    Optional<String> versionBefore = ledger.fact(MigrateStep.UNDO_SCHEMA_VERSION_BEFORE);
    if ((snapshot.isPresent() || versionBefore.isPresent()) && database == null) {
      throw PitstopException.usage(
          "the run record holds "
              + (snapshot.isPresent()
                  ? "snapshot " + snapshot.get()
                  : "schema version " + versionBefore.get())
              + ": give the database options (--jdbc-url, --db-user) so rollback can check and restore it");
    }
    if (records.isEmpty()
        && !ledger.holdsPauses()
        && snapshot.isEmpty()
        && versionBefore.isEmpty()) {
      return StepResult.builder("nothing was changed by this run: nothing to roll back")
          .field("rolled-back", "")
          .build();
    }
    if (context.dryRun()) {
      snapshot.ifPresent(s -> context.progress().info("dry run: would restore snapshot " + s));
      records.forEach(
          r ->
              context
                  .progress()
                  .info(
                      "dry run: would restore "
                          + r.key()
                          + " to "
                          + Steps.plural(r.replicas(), "replica")
                          + ", images "
                          + r.images()));
      pauseKeys(ledger)
          .forEach(k -> context.progress().info("dry run: would resume " + k + " as recorded"));
      return StepResult.builder("dry run: would roll back " + records.size() + " workload(s)")
          .field("rolled-back", "")
          .build();
    }

    List<String> done = new ArrayList<>();
    KeepDown keepDown = new KeepDown(context);
    try {
      if (snapshot.isPresent()) {
        // scale-up may have resumed them already: nothing may start the app on the old database.
        keepDown.pause(ledger);
        stopWorkloads(records);
        database.restore(context.runId(), snapshot.get());
        done.add("database from snapshot " + snapshot.get());
      } else if (versionBefore.isPresent()) {
        String now = database.currentVersion();
        if (!now.equals(versionBefore.get())) {
          if (!backwardCompatible) {
            throw PitstopException.failed(
                "the schema changed from version "
                    + versionBefore.get()
                    + " to "
                    + now
                    + " and no snapshot was taken, so the data cannot be put back; the previous app"
                    + " version was not started because the run did not declare the migration"
                    + " backward compatible (--backward-compatible)");
          }
          context
              .progress()
              .warn(
                  "schema stays at version "
                      + now
                      + " (was "
                      + versionBefore.get()
                      + "); starting the previous app version on it, as declared backward compatible");
        }
      }
      done.addAll(keepDown.resumeAutoscalers(ledger, k -> true));
      restoreWorkloads(records);
      records.forEach(r -> done.add(r.key()));
      done.addAll(keepDown.resumeCronJobs(ledger, k -> true));
      done.addAll(keepDown.resumeArgoCd(ledger, k -> true));
    } catch (PitstopException e) {
      if (e.isTransient()) {
        throw e;
      }
      String left = "rollback failed: " + e.getMessage();
      recordFailure(left);
      throw new PitstopException(
          ExitCode.ROLLBACK_FAILED,
          left
              + "; the app stays in maintenance and locked: fix the cause, then run `pitstop rollback --app "
              + context.app()
              + " --run-id "
              + context.runId()
              + "` again",
          e);
    }
    String at = context.clock().instant().toString();
    context
        .ledger()
        .update(
            context.runId(),
            l -> {
              l.putFact(Ledger.ROLLBACK_FAILED, null);
              l.putFact(Ledger.ROLLED_BACK_AT, at);
            });
    return StepResult.builder("rolled back " + String.join(", ", done))
        .field("rolled-back", String.join(",", done))
        .build();
  }

  private static List<String> pauseKeys(Ledger ledger) {
    List<String> keys = new ArrayList<>();
    ledger.autoscalers().values().stream().filter(a -> a.raised()).forEach(a -> keys.add(a.key()));
    keys.addAll(ledger.scaledObjects().keySet());
    keys.addAll(ledger.cronJobs().keySet());
    keys.addAll(ledger.argoCd().keySet());
    return keys;
  }

  /** Before the database is swapped, no pod of the app may be writing to it. */
  private void stopWorkloads(List<WorkloadRecord> records) {
    List<Workload> running = new ArrayList<>();
    for (WorkloadRecord record : records) {
      WorkloadRef ref = WorkloadRef.of(record.kind(), record.name());
      Optional<Workload> workload = context.cluster().workload(ref);
      if (workload.isPresent() && workload.get().replicas() > 0) {
        running.add(context.cluster().setReplicasAndImages(ref, 0, Map.of(), Map.of()));
        context.progress().info("scaled " + ref + " to 0 before restoring the database");
      } else {
        workload.ifPresent(running::add);
      }
    }
    new Rollouts(context.cluster()).awaitPodsGone(running);
  }

  private void restoreWorkloads(List<WorkloadRecord> records) {
    // every workload that can be restored is, even when another one cannot
    List<WorkloadRef> refs =
        context
            .cluster()
            .forEachConcurrently(
                records,
                record -> {
                  WorkloadRef ref = WorkloadRef.of(record.kind(), record.name());
                  Map<String, String> annotations = new LinkedHashMap<>();
                  annotations.put(ScaleDownStep.RUN_ANNOTATION, null);
                  if (context.cluster().workload(ref).isEmpty()) {
                    throw PitstopException.failed(
                        ref
                            + " no longer exists; recreate it with "
                            + Steps.plural(record.replicas(), "replica")
                            + " and images "
                            + record.images());
                  }
                  Workload restored =
                      context
                          .cluster()
                          .setReplicasAndImages(
                              ref, record.replicas(), record.images(), annotations);
                  context
                      .events()
                      .changed(
                          restored.object(),
                          "RolledBack",
                          "restored "
                              + Steps.plural(record.replicas(), "replica")
                              + " and images "
                              + record.images());
                  context
                      .progress()
                      .info(
                          "restored "
                              + ref
                              + " to "
                              + Steps.plural(record.replicas(), "replica")
                              + ", images "
                              + record.images());
                  return ref;
                });
    new Rollouts(context.cluster()).awaitReady(refs);
  }

  private void recordFailure(String what) {
    try {
      context.ledger().update(context.runId(), l -> l.putFact(Ledger.ROLLBACK_FAILED, what));
    } catch (PitstopException e) {
      context
          .progress()
          .warn("could not write the rollback failure to the run record: " + e.getMessage());
    }
  }
}
