package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
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
      "%nA lock not granted within --lock-timeout (SQLSTATE 55P03) or an unreachable database:"
          + " exit 75. A failing migration: exit 1 naming it. Flyway clean is always disabled.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop migrate --app shop -n shop \\",
      "    --run-id 7f3a9c --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:/migrations"
    })
final class MigrateCommand extends DatabaseCommand {
  @Mixin RunOptions run;

  @Mixin FlywayMixin flyway;

  @Mixin AtomicOption atomic;

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
    MigrateRequest request =
        MigrateRequest.of(connection(), flyway.toOptions(environment().env()))
            .withAtomic(atomic.atomic)
            .withSession(database.session())
            .withSessions(database.sessions())
            .withDryRun(run.dryRun)
            .withTimeout(common.timeout);
    return new MigrateStep(progress).run(request, undoLog(context, progress));
  }
}
