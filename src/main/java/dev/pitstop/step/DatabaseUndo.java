package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.SessionPolicy;
import java.time.Duration;

/** The database half of a rollback: read the schema version, put the run's snapshot back. */
public final class DatabaseUndo {
  private final DbConnection db;
  private final FlywayOptions flyway;
  private final String maintenanceDatabase;
  private final Duration sessionsTimeout;
  private final Duration timeout;
  private final Progress progress;

  public DatabaseUndo(
      DbConnection db,
      FlywayOptions flyway,
      String maintenanceDatabase,
      Duration sessionsTimeout,
      Duration timeout,
      Progress progress) {
    this.db = db;
    this.flyway = flyway;
    this.maintenanceDatabase = maintenanceDatabase;
    this.sessionsTimeout = sessionsTimeout;
    this.timeout = timeout;
    this.progress = progress;
  }

  /** The schema version now, {@code none} for an empty history; transient when unreadable. */
  public String currentVersion() {
    StepResult status =
        new DatabaseStatus(progress)
            .read(new DatabaseStatus.Request(db, flyway, maintenanceDatabase, timeout));
    Object version = status.fields().get("schema-version");
    if (version == null) {
      throw PitstopException.transientFailure(
          "cannot read the schema version of "
              + db.database()
              + ": "
              + status.fields().get("errors"),
          null);
    }
    return version.toString();
  }

  /** Swaps the snapshot back in, ending the sessions on both databases. */
  public StepResult restore(String runId, String snapshot) {
    return new RestoreStep(progress)
        .run(
            new RestoreRequest(
                db,
                runId,
                snapshot,
                maintenanceDatabase,
                SessionPolicy.terminateWithin(sessionsTimeout),
                false,
                timeout));
  }
}
