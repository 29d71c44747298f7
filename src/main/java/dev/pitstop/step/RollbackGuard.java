package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.ledger.Ledger;

/**
 * After a failed rollback the app stays in maintenance and locked: a broken app must not be shown
 * to users, and no second run may start on top of it. Switching maintenance off or unlocking then
 * needs {@code --force}, from a human who has looked.
 */
final class RollbackGuard {
  private RollbackGuard() {}

  static void check(Ledger ledger, boolean force, String action, StepContext context) {
    ledger
        .fact(Ledger.ROLLBACK_FAILED)
        .ifPresent(
            why -> {
              if (!force) {
                throw new PitstopException(
                    ExitCode.ROLLBACK_FAILED,
                    "will not "
                        + action
                        + ": the last rollback of run "
                        + ledger.runId()
                        + " failed ("
                        + why
                        + "); fix it and run `pitstop rollback` again, or add --force once the app"
                        + " is known to be healthy");
              }
              context.progress().warn(action + " although the last rollback failed (--force)");
            });
  }
}
