package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SchemaHistory;
import dev.pitstop.db.SessionPolicy;
import dev.pitstop.db.SessionSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.api.configuration.Configuration;

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

  /**
   * The schema version now, {@code none} for an empty history, read from the history table: no
   * migration folder is needed to undo a run. Transient when the database cannot be reached.
   */
  public String currentVersion() {
    // Flyway's own settings (config file, FLYWAY_* variables) say where its history table is
    Configuration config =
        new FlywayFactory(progress)
            .create(db, SessionSettings.defaults(), flyway, false)
            .getConfiguration();
    try (Connection connection =
        db.connect(SessionSettings.defaults(), Deadline.after(timeout), Steps.SLEEP)) {
      String schema = config.getDefaultSchema();
      if (schema == null && config.getSchemas().length > 0) {
        schema = config.getSchemas()[0];
      }
      if (schema == null) {
        schema = connection.getSchema();
      }
      return SchemaHistory.currentVersion(connection, schema, config.getTable());
    } catch (SQLException e) {
      throw PgErrors.classify(e, db, "reading the schema version of " + db.database());
    }
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
