package dev.pitstop.cli;

import dev.pitstop.core.Progress;
import dev.pitstop.step.DatabaseUndo;
import java.time.Duration;
import picocli.CommandLine.Mixin;

/**
 * What undoing a run needs to reach its database ({@code rollback}, {@code finish}): where it is,
 * Flyway's settings (only to find the history table), the maintenance database a snapshot is
 * restored through, and what to do about other sessions.
 */
public final class UndoOptions {
  @Mixin DatabaseOptions database;

  @Mixin FlywayMixin flyway;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Mixin SessionsOptions sessions;

  /** The database half of an undo, or null when no database options were given. */
  DatabaseUndo undo(CliEnvironment environment, Duration timeout, Progress progress) {
    return database.given()
        ? new DatabaseUndo(
            database.connection(environment),
            flyway.toOptions(environment.env()),
            maintenanceDatabase.name,
            sessions.sessionsTimeout,
            timeout,
            progress)
        : null;
  }
}
