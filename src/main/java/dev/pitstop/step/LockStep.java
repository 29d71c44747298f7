package dev.pitstop.step;

import dev.pitstop.core.StepResult;
import dev.pitstop.kube.LedgerStore.Acquired;
import dev.pitstop.ledger.Ledger;
import java.util.Optional;

/** Takes the run lock: creates the run record {@code pitstop-<app>} for this run id. */
public final class LockStep {
  /** The step's name in the run record. */
  public static final String STEP = "lock";

  private final StepContext context;

  public LockStep(StepContext context) {
    this.context = context;
  }

  public StepResult lock(String holder) {
    java.time.Instant start = context.clock().instant();
    if (context.dryRun()) {
      Optional<Ledger> existing = context.ledger().read();
      existing.ifPresent(ledger -> context.ledger().requireOwner(ledger, context.runId()));
      String summary =
          existing.isPresent()
              ? "dry run: app " + context.app() + " is already locked by this run"
              : "dry run: would create configmap/"
                  + context.ledger().name()
                  + " locking app "
                  + context.app()
                  + " for run "
                  + context.runId();
      return result(summary, existing.map(Ledger::holder).orElse(holder), false);
    }
    Acquired acquired = context.ledger().acquire(context.runId(), holder, STEP, start);
    if (acquired.created()) {
      context
          .events()
          .changed(acquired.configMap(), "Locked", "app " + context.app() + " locked by " + holder);
      return result(
          "locked app " + context.app() + " for run " + context.runId(),
          acquired.ledger().holder(),
          true);
    }
    return result(
        "app "
            + context.app()
            + " is already locked by this run (since "
            + acquired.ledger().lockedAt()
            + ")",
        acquired.ledger().holder(),
        false);
  }

  private StepResult result(String summary, String holder, boolean created) {
    return StepResult.builder(summary)
        .field("run-id", context.runId())
        .field("holder", holder)
        .field("lock", context.ledger().name())
        .field("created", created)
        .build();
  }
}
