package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.ledger.Ledger;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Optional;

/**
 * Releases the run lock by deleting the run record; only the run that holds it may, unless forced.
 */
public final class UnlockStep {
  private final StepContext context;

  public UnlockStep(StepContext context) {
    this.context = context;
  }

  public StepResult unlock(boolean force) {
    // one read: the record to check, and the object the Unlocked Event names
    Optional<ConfigMap> recordMap = context.ledger().readConfigMap();
    Optional<Ledger> existing = recordMap.map(context.ledger()::ledgerOf);
    if (existing.isEmpty()) {
      return StepResult.builder("app " + context.app() + " is not locked: nothing to do")
          .field("released", false)
          .build();
    }
    Ledger ledger = existing.get();
    boolean foreign = !ledger.runId().equals(context.runId());
    if (foreign && !force) {
      context.ledger().requireOwner(ledger, context.runId());
    }
    RollbackGuard.check(ledger, force, "unlock", context);
    RunState state = RunState.of(ledger);
    if (!foreign && !force && state.appDown()) {
      // the record is the only thing that knows how to bring the app back
      throw PitstopException.usage(
          "will not unlock: the app is still down ("
              + (state.maintenanceOn() ? "maintenance on" : "workloads held down by this run")
              + ") and the run record holds what brings it back; `pitstop finish --app "
              + context.app()
              + " -n "
              + context.cluster().namespace()
              + " --run-id "
              + ledger.runId()
              + "` rolls back or completes and then unlocks, or add --force to release it as it is");
    }
    if (foreign) {
      context
          .progress()
          .warn(
              "FORCED: releasing the lock of run "
                  + ledger.runId()
                  + " (holder "
                  + ledger.holder()
                  + ", since "
                  + ledger.lockedAt()
                  + "); its run record, with every undo fact it held, is deleted");
    }
    if (ledger.maintenance().filter(m -> m.active()).isPresent()
        || ledger.fact(Ledger.ROLLBACK_FAILED).isPresent()) {
      context
          .progress()
          .warn(
              "maintenance is still on or the last rollback failed; after unlock the run record"
                  + " that could restore them is gone");
    }
    if (context.dryRun()) {
      return StepResult.builder(
              "dry run: would delete configmap/"
                  + context.ledger().name()
                  + " (run "
                  + ledger.runId()
                  + ")")
          .field("released", false)
          .build();
    }
    context
        .events()
        .changed(
            recordMap.get(),
            "Unlocked",
            foreign ? "lock of run " + ledger.runId() + " force-released" : "lock released");
    context.ledger().delete();
    return StepResult.builder(
            (foreign ? "force-released" : "released")
                + " the lock of app "
                + context.app()
                + " held by run "
                + ledger.runId())
        .field("released", true)
        .field("run-id", ledger.runId())
        .build();
  }
}
