package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.step.StepContext;
import dev.pitstop.step.VerifyRequest;
import dev.pitstop.step.VerifyStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "verify",
    description =
        "Check the schema: Flyway validate, expected version, nothing failed or pending, SQL checks.",
    footer = {
      "%nA --check FILE holds one SQL query that must return exactly one row whose first column is"
          + " true; it runs in a read-only transaction. Every failed check is named. Read-only.",
      "%nExample:%n  pitstop verify --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:/migrations --expect-version 42 \\",
      "    --check /checks/orders.sql"
    })
final class VerifyCommand extends DatabaseCommand {
  @Mixin FlywayMixin flyway;

  @Mixin VerifyOptions verify;

  @Mixin RecordedRunOption recordedRun;

  @Override
  boolean readOnly() {
    return true;
  }

  @Override
  String runId() {
    return recordedRun.runId;
  }

  /** Verifying needs no cluster; noting the step in the run's record does. */
  @Override
  boolean needsCluster() {
    return common.app != null && recordedRun.runId != null;
  }

  @Override
  FlywayOptions flywayOptions() {
    return flyway.toOptions(environment().env());
  }

  @Override
  StepResult executeOnDatabase(Progress progress, StepContext context) {
    VerifyRequest request =
        new VerifyRequest(
            connection(),
            flywayOptions(),
            verify.expectVersion,
            verify.checks,
            verify.allowPending,
            database.session(),
            common.timeout);
    return new VerifyStep(progress).run(request);
  }
}
