package dev.pitstop.cli;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.FlywaySettings;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.step.StepContext;
import java.util.function.BiConsumer;
import picocli.CommandLine.Mixin;

/**
 * A step on the database. With {@code --app} it works inside a run: the run must hold the lock, and
 * the facts needed to undo the change (schema version before, snapshot name) go to the run record
 * before the change. Without {@code --app} it needs no cluster at all (CI, a Helm hook).
 */
abstract class DatabaseCommand extends StepCommand {
  @Mixin DatabaseOptions database;

  @Override
  boolean requiresApp() {
    return false;
  }

  @Override
  boolean needsCluster() {
    return common.app != null;
  }

  @Override
  final StepResult execute(StepContext context) {
    return executeOnDatabase(context.progress(), context);
  }

  @Override
  final StepResult executeWithoutCluster(Progress progress, Deadline deadline) {
    return executeOnDatabase(progress, null);
  }

  /**
   * Runs the step.
   *
   * @param run the run's context when {@code --app} is given, otherwise null
   */
  abstract StepResult executeOnDatabase(Progress progress, StepContext run);

  DbConnection connection() {
    FlywayOptions flyway = flywayOptions();
    return flyway == null
        ? database.connection(environment())
        : database.connection(environment(), FlywaySettings.load(flyway).connection());
  }

  /**
   * The Flyway settings of a command that runs Flyway: its connection settings then fill in what
   * the database options leave out. Null for the others.
   */
  FlywayOptions flywayOptions() {
    return null;
  }

  /**
   * Where the step writes undo facts: the run record (first value wins, so a retry never overwrites
   * what was there before the first attempt), or nowhere outside a run.
   */
  BiConsumer<String, String> undoLog(StepContext run, Progress progress) {
    if (run == null || dryRun()) {
      return (fact, value) ->
          progress.debug("not recorded (no --app or dry run): " + fact + "=" + value);
    }
    run.ledger().requireHeldBy(runId());
    DbConnection db = connection();
    return run.ledger().undoLog(runId(), Ledger.databaseFacts(db.url(), db.user()));
  }
}
