package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.step.MigrateRequest;
import dev.pitstop.step.MigrateStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "migrate",
    description =
        "Apply pending Flyway migrations to PostgreSQL, by default all in one transaction.",
    footer = {
      "%nNothing pending: exit 0, whoever is connected. A lock not granted within --lock-timeout"
          + " (SQLSTATE 55P03), --timeout passing while a statement waits for a lock, or an"
          + " unreachable database: exit 75. A failing migration: exit 1 naming it. A migration"
          + " set that cannot run as asked (e.g. CREATE INDEX CONCURRENTLY with --atomic): exit 2."
          + " --dry-run exits as the real run would. Flyway clean is always disabled.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop migrate \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations /migrations",
      "%nIn a run (it checks the run's lock and records the version before):",
      "  PITSTOP_DB_PASSWORD=... pitstop migrate --app shop -n shop \\",
      "    --run-id 7f3a9c --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:/migrations"
    })
final class MigrateCommand extends DatabaseCommand {
  @Mixin SessionsOptions sessions;

  @Mixin RunOptions run;

  @Mixin FlywayMixin flyway;

  @Mixin AtomicOption atomic;

  @Override
  String runId() {
    return run.runId;
  }

  /** Alone (a CI job, a Helm hook) migrate needs no run: the run id names a run's record. */
  @Override
  boolean requiresRunId() {
    return common.app != null;
  }

  @Override
  FlywayOptions flywayOptions() {
    return flyway.toOptions(environment().env());
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  @Override
  StepResult executeOnDatabase(Progress progress, StepContext context) {
    MigrateRequest request =
        MigrateRequest.of(connection(), flywayOptions())
            .withAtomic(atomic.atomic)
            .withSession(database.session())
            .withSessions(sessions.policy())
            .withDryRun(run.dryRun)
            .withTimeout(common.timeout);
    return new MigrateStep(progress).run(request, undoLog(context, progress));
  }
}
