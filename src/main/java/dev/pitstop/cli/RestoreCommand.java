package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.SessionPolicy;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.step.RestoreRequest;
import dev.pitstop.step.RestoreStep;
import dev.pitstop.step.SnapshotStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "restore",
    description =
        "Swap the run's snapshot back in: the database is renamed aside, the snapshot takes its name.",
    footer = {
      "%nEnds the sessions on both databases. Already restored: exit 0. A swap stopped half-way"
          + " is completed.",
      "%nExample:%n  pitstop restore --app shop -n shop --run-id 7f3a9c \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop"
    })
final class RestoreCommand extends DatabaseCommand {
  @Mixin SessionsOptions sessions;

  @Mixin RunOptions run;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Option(
      names = "--snapshot",
      paramLabel = "NAME",
      description =
          "The snapshot to restore. Default: the run record's, or the name derived from --run-id.")
  String snapshot;

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  @Override
  StepResult executeOnDatabase(Progress progress, StepContext context) {
    String name = snapshot;
    if (name == null && context != null) {
      Ledger ledger = context.ledger().requireHeldBy(run.runId);
      name = ledger.fact(SnapshotStep.UNDO_SNAPSHOT).orElse(null);
    }
    return new RestoreStep(progress)
        .run(
            new RestoreRequest(
                connection(),
                run.runId,
                name,
                maintenanceDatabase.name,
                SessionPolicy.terminateWithin(sessions.sessionsTimeout),
                run.dryRun,
                common.timeout));
  }
}
