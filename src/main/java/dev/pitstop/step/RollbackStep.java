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
 * Undoes what the run record says was done to the workloads: original images and replicas back,
 * then waits until they are ready. When that fails the app stays in maintenance and locked, the
 * failure is written to the record for {@code status}, and the step exits 4.
 */
public final class RollbackStep {
  private final StepContext context;

  public RollbackStep(StepContext context) {
    this.context = context;
  }

  public StepResult rollback() {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      return StepResult.builder("app " + context.app() + " has no run record: nothing to roll back")
          .field("rolled-back", "")
          .build();
    }
    Ledger ledger = found.get();
    context.ledger().requireOwner(ledger, context.runId());
    List<WorkloadRecord> records = new ArrayList<>(ledger.workloads().values());
    if (records.isEmpty()) {
      return StepResult.builder("no workload was changed by this run: nothing to roll back")
          .field("rolled-back", "")
          .build();
    }
    if (context.dryRun()) {
      records.forEach(
          r ->
              context
                  .progress()
                  .info(
                      "dry run: would restore "
                          + r.key()
                          + " to "
                          + r.replicas()
                          + " replicas, images "
                          + r.images()));
      return StepResult.builder("dry run: would roll back " + records.size() + " workload(s)")
          .field("rolled-back", "")
          .build();
    }
    try {
      List<WorkloadRef> refs = new ArrayList<>();
      for (WorkloadRecord record : records) {
        WorkloadRef ref = WorkloadRef.of(record.kind(), record.name());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ScaleDownStep.RUN_ANNOTATION, null);
        if (context.cluster().workload(ref).isEmpty()) {
          throw PitstopException.failed(
              ref
                  + " no longer exists; recreate it with "
                  + record.replicas()
                  + " replicas and images "
                  + record.images());
        }
        Workload restored =
            context
                .cluster()
                .setReplicasAndImages(ref, record.replicas(), record.images(), annotations);
        context
            .events()
            .changed(
                restored.object(),
                "RolledBack",
                "restored " + record.replicas() + " replicas and images " + record.images());
        context
            .progress()
            .info(
                "restored "
                    + ref
                    + " to "
                    + record.replicas()
                    + " replicas, images "
                    + record.images());
        refs.add(ref);
      }
      new Rollouts(context.cluster()).awaitReady(refs);
    } catch (PitstopException e) {
      if (e.isTransient()) {
        throw e;
      }
      String left = "rollback of the workloads failed: " + e.getMessage();
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
    context.ledger().update(context.runId(), l -> l.putFact(Ledger.ROLLBACK_FAILED, null));
    return StepResult.builder(
            "rolled back " + records.size() + " workload(s); every rollout is complete")
        .field("rolled-back", String.join(",", records.stream().map(WorkloadRecord::key).toList()))
        .build();
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
