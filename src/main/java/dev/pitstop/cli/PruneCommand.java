package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.step.PruneStep;
import dev.pitstop.step.SnapshotStep;
import dev.pitstop.step.StepContext;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "prune",
    description =
        "Drop old Pitstop snapshots and the copies restores set aside, keeping the newest N.",
    footer = {
      "%nEach kind counts on its own: --keep 2 keeps two snapshots and two set-aside copies. With"
          + " --app, the snapshot the app's run record names is never dropped.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop prune \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop --keep 2"
    })
final class PruneCommand extends DatabaseCommand {
  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Option(
      names = "--keep",
      paramLabel = "N",
      required = true,
      description = "How many of each kind to keep, newest first; 0 drops them all.")
  int keep;

  @Option(names = "--dry-run", description = "Print what would be dropped and drop nothing.")
  boolean dryRun;

  @Override
  boolean dryRun() {
    return dryRun;
  }

  @Override
  boolean requiresRunId() {
    return false;
  }

  /** It drops nothing a run needs, and is no step of a run. */
  @Override
  boolean journalled() {
    return false;
  }

  @Override
  StepResult executeOnDatabase(Progress progress, StepContext context) {
    Set<String> named = new HashSet<>();
    if (context != null) {
      context
          .ledger()
          .read()
          .flatMap(ledger -> ledger.fact(SnapshotStep.UNDO_SNAPSHOT))
          .ifPresent(named::add);
    }
    return new PruneStep(progress)
        .prune(connection(), maintenanceDatabase.name, keep, named, dryRun, common.timeout);
  }
}
