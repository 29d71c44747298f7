package dev.pitstop.step;

import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.SessionPolicy;
import dev.pitstop.db.SessionSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code migrate} needs.
 *
 * @param db the database to migrate
 * @param flyway locations, target version, schemas and the other Flyway settings
 * @param atomic apply all pending migrations in one transaction, so they commit together or not at
 *     all; a pending migration that cannot run in a transaction is then refused
 * @param session lock and statement timeouts for every session of the migration
 * @param sessions what to do about other sessions on the database before migrating
 * @param dryRun only list the pending migrations
 * @param timeout the step's deadline: reaching the database, clearing other sessions and the
 *     migrations themselves; a statement still running or waiting when it passes is cancelled
 */
public record MigrateRequest(
    DbConnection db,
    FlywayOptions flyway,
    boolean atomic,
    SessionSettings session,
    SessionPolicy sessions,
    boolean dryRun,
    Duration timeout) {

  public MigrateRequest {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(flyway, "flyway");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** Atomic, default timeouts, waiting for other sessions, not a dry run. */
  public static MigrateRequest of(DbConnection db, FlywayOptions flyway) {
    return new MigrateRequest(
        db,
        flyway,
        true,
        SessionSettings.defaults(),
        SessionPolicy.waitFor(SessionPolicy.DEFAULT_WAIT),
        false,
        Duration.ofMinutes(2));
  }

  public MigrateRequest withAtomic(boolean value) {
    return new MigrateRequest(db, flyway, value, session, sessions, dryRun, timeout);
  }

  public MigrateRequest withSession(SessionSettings value) {
    return new MigrateRequest(db, flyway, atomic, value, sessions, dryRun, timeout);
  }

  public MigrateRequest withSessions(SessionPolicy value) {
    return new MigrateRequest(db, flyway, atomic, session, value, dryRun, timeout);
  }

  public MigrateRequest withDryRun(boolean value) {
    return new MigrateRequest(db, flyway, atomic, session, sessions, value, timeout);
  }

  public MigrateRequest withTimeout(Duration value) {
    return new MigrateRequest(db, flyway, atomic, session, sessions, dryRun, value);
  }
}
