package dev.pitstop.step;

import dev.pitstop.db.DbConnection;
import dev.pitstop.db.SessionPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code restore} needs.
 *
 * @param db the database to put back
 * @param runId the run whose snapshot is restored; also names where the current database is set
 *     aside
 * @param snapshot the snapshot's name as the ledger recorded it, or {@code null} to derive it from
 *     the run id
 * @param maintenanceDatabase where Pitstop connects to rename databases
 * @param sessions what to do about sessions on the database and the snapshot; a rollback normally
 *     terminates them
 * @param dryRun only say what would be done
 * @param timeout the budget for reaching the server and clearing sessions
 */
public record RestoreRequest(
    DbConnection db,
    String runId,
    String snapshot,
    String maintenanceDatabase,
    SessionPolicy sessions,
    boolean dryRun,
    Duration timeout) {

  public RestoreRequest {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(timeout, "timeout");
    maintenanceDatabase =
        maintenanceDatabase == null
            ? SnapshotRequest.DEFAULT_MAINTENANCE_DATABASE
            : maintenanceDatabase;
  }

  /** The run's own snapshot, maintenance database {@code postgres}, terminating sessions. */
  public static RestoreRequest of(DbConnection db, String runId) {
    return new RestoreRequest(
        db,
        runId,
        null,
        SnapshotRequest.DEFAULT_MAINTENANCE_DATABASE,
        SessionPolicy.terminateWithin(SessionPolicy.DEFAULT_WAIT),
        false,
        Duration.ofMinutes(2));
  }

  public RestoreRequest withSnapshot(String value) {
    return new RestoreRequest(db, runId, value, maintenanceDatabase, sessions, dryRun, timeout);
  }

  public RestoreRequest withSessions(SessionPolicy value) {
    return new RestoreRequest(db, runId, snapshot, maintenanceDatabase, value, dryRun, timeout);
  }

  public RestoreRequest withDryRun(boolean value) {
    return new RestoreRequest(db, runId, snapshot, maintenanceDatabase, sessions, value, timeout);
  }
}
