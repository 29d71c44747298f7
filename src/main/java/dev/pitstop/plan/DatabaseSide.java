package dev.pitstop.plan;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DatabaseFacts;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionInfo;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.db.Sessions;
import dev.pitstop.step.DatabaseStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * What a plan reads from the database: the schema version and pending migrations exactly as {@code
 * status} and {@code migrate --dry-run} see them ({@link DatabaseStatus}), and the {@link
 * DatabaseFacts} and other sessions. Every session is read-only (the caller's {@link DbConnection}
 * makes them so); a database that cannot be reached leaves these facts unknown, not the plan.
 */
final class DatabaseSide {
  /** What was read; any part may be null when it could not be read. */
  record Read(
      StepResult status,
      DatabaseFacts facts,
      List<SessionInfo> sessions,
      String serverVersion,
      List<String> errors) {}

  private final Progress progress;

  DatabaseSide(Progress progress) {
    this.progress = progress;
  }

  /**
   * Checks the Flyway settings before anything is read: a migration folder that does not exist is
   * bad input (exit 2), as it is for {@code migrate}.
   *
   * @return the history table as schema and name
   */
  static String[] historyTable(DbConnection db, FlywayOptions flyway, Progress progress) {
    Flyway configured =
        new FlywayFactory(progress)
            .create(
                db,
                SessionSettings.defaults(),
                flyway == null
                    ? new FlywayOptions(null, null, null, null, null, null, null, null)
                    : flyway,
                false);
    String[] schemas = configured.getConfiguration().getSchemas();
    String schema =
        configured.getConfiguration().getDefaultSchema() != null
            ? configured.getConfiguration().getDefaultSchema()
            : schemas.length > 0 ? schemas[0] : null;
    return new String[] {schema, configured.getConfiguration().getTable()};
  }

  Read read(DbConnection db, FlywayOptions flyway, String maintenanceDatabase, Duration budget) {
    String[] history = historyTable(db, flyway, progress);
    Deadline deadline = Deadline.after(budget);
    List<String> errors = new ArrayList<>();
    DatabaseFacts facts;
    List<SessionInfo> sessions;
    String version;
    try (Connection connection = db.connect(SessionSettings.defaults(), deadline, sleeper())) {
      String schema = history[0] != null ? history[0] : currentSchema(connection);
      facts = DatabaseFacts.read(connection, schema, history[1]);
      sessions = Sessions.list(connection, db.database());
      try (PreparedStatement query = connection.prepareStatement("SHOW server_version");
          ResultSet rows = query.executeQuery()) {
        version = rows.next() ? rows.getString(1) : null;
      }
    } catch (PitstopException e) {
      // unreachable, refused or not there: the rest would only wait for the same answer
      return new Read(null, null, null, null, List.of(e.getMessage()));
    } catch (SQLException e) {
      return new Read(
          null,
          null,
          null,
          null,
          List.of(PgErrors.classify(e, db, "reading " + db.describe()).getMessage()));
    }
    Duration left = deadline.remaining();
    StepResult status =
        new DatabaseStatus(progress, sleeper())
            .read(
                new DatabaseStatus.Request(
                    db,
                    flyway,
                    maintenanceDatabase,
                    left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left));
    if (status.fields().get("errors") instanceof List<?> list) {
      list.forEach(e -> errors.add(String.valueOf(e)));
    }
    return new Read(status, facts, sessions, version, List.copyOf(errors));
  }

  private static String currentSchema(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT current_schema()");
        ResultSet rows = query.executeQuery()) {
      return rows.next() && rows.getString(1) != null ? rows.getString(1) : "public";
    }
  }

  private static dev.pitstop.core.Retry.Sleeper sleeper() {
    return duration -> Thread.sleep(duration.toMillis());
  }

  /** The pending migrations as {@code status} lists them, or null when unknown. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> pending(Read read, boolean checked) {
    if (!checked || read.status() == null) {
      return null;
    }
    Object version = read.status().fields().get("schema-version");
    if (version == null) {
      return null;
    }
    return (List<Map<String, Object>>) read.status().fields().get("pending");
  }
}
