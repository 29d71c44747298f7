package dev.pitstop.step;

import dev.pitstop.db.DbConnection;
import dev.pitstop.db.SessionPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code snapshot} needs.
 *
 * @param db the database to copy
 * @param runId names the snapshot, so a retry finds the copy it already made
 * @param maintenanceDatabase where Pitstop connects to run the copy ({@code postgres} usually):
 *     PostgreSQL cannot copy a database that has a session, including Pitstop's own
 * @param keep how many Pitstop snapshots of this database to keep, this one included; older ones
 *     are dropped. 0 keeps all.
 * @param sessions what to do about sessions connected to the database
 * @param dryRun only say what would be done
 * @param timeout the budget for reaching the server and clearing sessions
 */
public record SnapshotRequest(
    DbConnection db,
    String runId,
    String maintenanceDatabase,
    int keep,
    SessionPolicy sessions,
    boolean dryRun,
    Duration timeout) {
  public static final String DEFAULT_MAINTENANCE_DATABASE = "postgres";

  public SnapshotRequest {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(timeout, "timeout");
    maintenanceDatabase =
        maintenanceDatabase == null ? DEFAULT_MAINTENANCE_DATABASE : maintenanceDatabase;
  }

  /** Maintenance database {@code postgres}, keep all, wait for sessions, not a dry run. */
  public static SnapshotRequest of(DbConnection db, String runId) {
    return new SnapshotRequest(
        db,
        runId,
        DEFAULT_MAINTENANCE_DATABASE,
        0,
        SessionPolicy.waitFor(SessionPolicy.DEFAULT_WAIT),
        false,
        Duration.ofMinutes(2));
  }

  public SnapshotRequest withKeep(int value) {
    return new SnapshotRequest(db, runId, maintenanceDatabase, value, sessions, dryRun, timeout);
  }

  public SnapshotRequest withSessions(SessionPolicy value) {
    return new SnapshotRequest(db, runId, maintenanceDatabase, keep, value, dryRun, timeout);
  }

  public SnapshotRequest withDryRun(boolean value) {
    return new SnapshotRequest(db, runId, maintenanceDatabase, keep, sessions, value, timeout);
  }

  public SnapshotRequest withTimeout(Duration value) {
    return new SnapshotRequest(db, runId, maintenanceDatabase, keep, sessions, dryRun, value);
  }
}
