package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.Identifiers;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.db.Snapshots;
import dev.pitstop.db.Snapshots.Marker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * The database part of {@code status}: schema version, pending and failed migrations, and the
 * Pitstop databases (snapshots, set-aside copies) of this database.
 *
 * <p>{@code status} is what a human reads when a run stopped half-way, so it reports what it can
 * instead of failing on the first problem: an unreachable database or a missing migration folder
 * becomes an {@code error} field next to whatever else could be read. Only bad input (exit 2) fails
 * it.
 */
public final class DatabaseStatus {
  /**
   * @param db the application's database
   * @param flyway the Flyway settings, for pending migrations; {@code null} to skip that part
   * @param maintenanceDatabase where snapshots are listed from, so they are found even while the
   *     database itself is missing half-way through a restore
   * @param timeout the budget for reaching the server
   */
  public record Request(
      DbConnection db, FlywayOptions flyway, String maintenanceDatabase, Duration timeout) {
    public Request {
      Objects.requireNonNull(db, "db");
      Objects.requireNonNull(timeout, "timeout");
      maintenanceDatabase =
          maintenanceDatabase == null
              ? SnapshotRequest.DEFAULT_MAINTENANCE_DATABASE
              : maintenanceDatabase;
    }
  }

  private final Progress progress;
  private final Retry.Sleeper sleeper;

  public DatabaseStatus(Progress progress) {
    this(progress, Steps.SLEEP);
  }

  public DatabaseStatus(Progress progress, Retry.Sleeper sleeper) {
    this.progress = progress;
    this.sleeper = sleeper;
  }

  /** Each snapshot and set-aside copy by name, and the command that drops the old ones. */
  private static String pitstopDatabases(List<Map<String, Object>> snapshots, DbConnection db) {
    if (snapshots.isEmpty()) {
      return "";
    }
    StringBuilder lines = new StringBuilder();
    for (Map<String, Object> snapshot : snapshots) {
      lines
          .append("\n  ")
          .append(snapshot.get("name"))
          .append(": ")
          .append(
              "replaced".equals(snapshot.get("kind"))
                  ? "the data a restore set aside (run "
                  : snapshot.get("kind") + " (run ")
          .append(snapshot.get("run-id"))
          .append(", ")
          .append(snapshot.get("created"))
          .append(")");
    }
    lines
        .append("\n  `pitstop prune --jdbc-url ")
        .append(db.url())
        .append(db.user() == null ? "" : " --db-user " + db.user())
        .append(" --keep 1` drops all but the newest of each kind");
    return lines.toString();
  }

  public StepResult read(Request request) {
    DbConnection db = request.db();
    String database = Identifiers.requireValid("database", db.database());
    Identifiers.requireValid("maintenance database", request.maintenanceDatabase());
    Deadline deadline = Deadline.after(request.timeout());
    List<String> errors = new ArrayList<>();

    String version = null;
    List<Map<String, Object>> pending = List.of();
    List<Map<String, Object>> failed = new ArrayList<>();
    if (request.flyway() != null) {
      try {
        Flyway flyway =
            new FlywayFactory(progress)
                .create(db, SessionSettings.defaults(), request.flyway(), false);
        // retries while the server is unreachable; Flyway opens its own sessions afterwards
        db.connect(SessionSettings.defaults(), deadline, sleeper).close();
        MigrationInfoService info = flyway.info();
        version = Migrations.version(info.current());
        pending = Arrays.stream(info.pending()).map(Migrations::pendingFields).toList();
        for (MigrationInfo m : info.all()) {
          if (m.getState().isFailed()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("version", m.getVersion() == null ? null : m.getVersion().getVersion());
            fields.put("description", m.getDescription());
            fields.put("script", m.getScript());
            failed.add(fields);
          }
        }
      } catch (PitstopException e) {
        errors.add(e.getMessage());
      } catch (FlywayException | SQLException e) {
        errors.add(PgErrors.classify(e, db, "reading the schema history").getMessage());
      }
    }

    List<Map<String, Object>> snapshots = new ArrayList<>();
    DbConnection admin = db.withDatabase(request.maintenanceDatabase());
    try (Connection connection = admin.connect(SessionSettings.defaults(), deadline, sleeper)) {
      if (!Snapshots.exists(connection, database)) {
        errors.add(
            "database " + database + " does not exist (a restore may have stopped half-way)");
      }
      for (Marker marker : Snapshots.list(connection, database)) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", marker.database());
        fields.put("kind", marker.kind().name().toLowerCase(java.util.Locale.ROOT));
        fields.put("run-id", marker.runId());
        fields.put("created", marker.created().toString());
        snapshots.add(fields);
      }
    } catch (PitstopException | SQLException e) {
      errors.add(PgErrors.classify(e, admin, "listing snapshots").getMessage());
    }

    StepResult.Builder result =
        StepResult.builder(
                database
                    + ": version "
                    + (version == null ? "unknown" : version)
                    + ", "
                    + pending.size()
                    + " pending, "
                    + failed.size()
                    + " failed, "
                    + snapshots.size()
                    + " Pitstop database(s)"
                    + pitstopDatabases(snapshots, db))
            .field("database", database)
            .field("schema-version", version)
            .field("pending", pending)
            .field("failed", failed)
            .field("snapshots", snapshots);
    if (!errors.isEmpty()) {
      result.field("errors", errors);
    }
    return result.build();
  }
}
