package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.step.StepContext;
import dev.pitstop.step.VerifyRequest;
import dev.pitstop.step.VerifyStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "verify",
    description =
        "Check the schema: Flyway validate, expected version, nothing failed or pending, SQL checks.",
    footer = {
      "%nA --check FILE holds one SQL query that must return exactly one row whose first column is"
          + " true; it runs in a read-only transaction. Every failed check is named. Read-only.",
      "%nExample:%n  pitstop verify --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:/migrations --expect-version 42 --check /checks/orders.sql"
    })
final class VerifyCommand extends DatabaseCommand {
  @Mixin FlywayMixin flyway;

  @Option(
      names = "--expect-version",
      paramLabel = "VERSION",
      description = "The schema version the database must be at.")
  String expectVersion;

  @Option(
      names = "--check",
      paramLabel = "FILE",
      description = "An SQL assertion file (one row, first column true). Repeatable.")
  List<Path> checks = new ArrayList<>();

  @Option(names = "--allow-pending", description = "Do not fail when migrations are pending.")
  boolean allowPending;

  @Override
  String runId() {
    return null;
  }

  @Override
  boolean dryRun() {
    return true;
  }

  @Override
  boolean requiresRunId() {
    return false;
  }

  @Override
  boolean needsCluster() {
    return false;
  }

  @Override
  StepResult executeOnDatabase(Progress progress, StepContext context) {
    VerifyRequest request =
        new VerifyRequest(
            connection(),
            flyway.toOptions(environment().env()),
            expectVersion,
            checks,
            allowPending,
            database.session(),
            common.timeout);
    return new VerifyStep(progress).run(request);
  }
}
