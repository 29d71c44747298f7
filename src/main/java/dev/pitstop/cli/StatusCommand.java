package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.DatabaseStatus;
import dev.pitstop.step.StatusStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "status",
    description =
        "One screen: lock holder and age, maintenance, workloads, database version, snapshots, next step.",
    footer = {
      "%nRead-only. The database part needs --jdbc-url; a database that cannot be read is"
          + " reported, not fatal.",
      "%nExample:%n  pitstop status --app shop -n shop \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop"
    })
final class StatusCommand extends StepCommand {
  @Mixin DatabaseOptions database;

  @Mixin FlywayMixin flyway;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Override
  boolean readOnly() {
    return true;
  }

  @Override
  boolean journalled() {
    return false;
  }

  /** It only reads: an unreachable cluster is reported within half a minute, not ten. */
  @Override
  java.time.Duration defaultTimeout() {
    return java.time.Duration.ofSeconds(30);
  }

  @Override
  StepResult execute(StepContext context) {
    StepResult cluster = new StatusStep(context).status();
    if (!database.given()) {
      return cluster;
    }
    StepResult db =
        new DatabaseStatus(context.progress())
            .read(
                new DatabaseStatus.Request(
                    database.connection(environment()),
                    flyway.toOptions(environment().env()),
                    maintenanceDatabase.name,
                    common.timeout));
    StepResult.Builder both = StepResult.builder(cluster.summary() + "\ndatabase: " + db.summary());
    cluster.fields().forEach(both::field);
    both.field("database", db.fields());
    return both.build();
  }
}
