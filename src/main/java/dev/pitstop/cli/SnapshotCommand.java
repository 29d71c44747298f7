package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.step.SnapshotRequest;
import dev.pitstop.step.SnapshotStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "snapshot",
    description =
        "Copy the database with CREATE DATABASE <snapshot> TEMPLATE <db>, named after the run.",
    footer = {
      "%nNeeds CREATEDB and no other session on the database (see --terminate-sessions)."
          + " The same run id again: exit 0, nothing changes.",
      "%nExample:%n  pitstop snapshot --app shop -n shop --run-id 7f3a9c \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop --keep 3"
    })
final class SnapshotCommand extends DatabaseCommand {
  @Mixin SessionsOptions sessions;

  @Mixin RunOptions run;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Mixin KeepOption keep;

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
    SnapshotRequest request =
        new SnapshotRequest(
            connection(),
            run.runId,
            maintenanceDatabase.name,
            keep.validated(),
            sessions.policy(),
            run.dryRun,
            common.timeout);
    return new SnapshotStep(progress).run(request, undoLog(context, progress));
  }
}
