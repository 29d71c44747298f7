package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.Identifiers;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.db.Sessions;
import dev.pitstop.db.Snapshots;
import dev.pitstop.db.Snapshots.Kind;
import dev.pitstop.db.Snapshots.Marker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code restore}: puts a snapshot back in place of the database, by two renames.
 *
 * <p>The migrated database is renamed aside ({@code <db>_pitstop_replaced_<run>}) rather than
 * dropped, so whatever it holds can still be looked at after a rollback; the snapshot then takes
 * the database's name. Renaming is instant whatever the size, and a rename needs no session on
 * either database, which is why other sessions are ended (or waited for) first.
 *
 * <p>Safe to run again at any point. The state is read from the server, not assumed: if the
 * database already carries this run's {@code restored} marker, there is nothing to do; if the first
 * rename happened but not the second, the second is done.
 */
public final class RestoreStep {
  private final Progress progress;
  private final Retry.Sleeper sleeper;

  public RestoreStep(Progress progress) {
    this(progress, Steps.SLEEP);
  }

  public RestoreStep(Progress progress, Retry.Sleeper sleeper) {
    this.progress = progress;
    this.sleeper = sleeper;
  }

  public StepResult run(RestoreRequest request) {
    DbConnection db = request.db();
    String database = Identifiers.requireValid("database", db.database());
    String maintenance =
        Identifiers.requireValid("maintenance database", request.maintenanceDatabase());
    Snapshots.requireRunId(request.runId());
    String snapshot =
        request.snapshot() == null
            ? Snapshots.snapshotName(database, request.runId())
            : Identifiers.requireValid("snapshot", request.snapshot());
    String aside = Snapshots.replacedName(database, request.runId());
    if (maintenance.equals(database) || maintenance.equals(snapshot)) {
      throw PitstopException.usage(
          "the maintenance database must be neither the database nor its snapshot ("
              + maintenance
              + ")");
    }
    if (snapshot.equals(database) || aside.equals(snapshot)) {
      throw PitstopException.usage(
          "snapshot " + snapshot + " cannot be restored onto " + database + " under that name");
    }
    Deadline deadline = Deadline.after(request.timeout());
    DbConnection admin = db.withDatabase(maintenance);

    try (Connection connection = admin.connect(SessionSettings.defaults(), deadline, sleeper)) {
      Snapshots.Existing current = Snapshots.find(connection, database);
      Snapshots.Existing copy = Snapshots.find(connection, snapshot);
      boolean asideExists = Snapshots.exists(connection, aside);

      if (!copy.exists()) {
        if (current.exists() && isRestored(current.marker(), database, request.runId())) {
          progress.info(database + " is already restored from " + snapshot + ": nothing to do");
          return result("already restored", database, snapshot, aside, false);
        }
        throw PitstopException.failed(
            "snapshot "
                + snapshot
                + " does not exist on "
                + admin.describe()
                + " and "
                + database
                + (current.exists() ? " was not restored from it" : " does not exist either")
                + ": nothing was restored");
      }
      checkIsSnapshot(copy.marker(), snapshot, database);
      if (current.exists() && asideExists) {
        throw PitstopException.failed(
            "both "
                + database
                + " and "
                + aside
                + " exist, and the snapshot "
                + snapshot
                + " too: an earlier restore of this run was undone by hand? Rename or drop "
                + aside
                + " and run restore again");
      }
      if (request.dryRun()) {
        String plan =
            (current.exists() ? "rename " + database + " to " + aside + ", then " : "")
                + "rename "
                + snapshot
                + " to "
                + database;
        progress.info("dry run: would " + plan);
        return result("dry run: would " + plan, database, snapshot, aside, false);
      }

      Sessions sessions = new Sessions(admin, progress, sleeper);
      Retry retry = new Retry(e -> PgErrors.classify(e, admin, "restoring " + database), sleeper);
      if (current.exists()) {
        sessions.clear(connection, request.sessions(), deadline, database, snapshot);
        retry.run(
            "setting " + database + " aside",
            deadline,
            () -> {
              if (request.sessions().terminate()) {
                sessions.clear(connection, request.sessions(), deadline, database, snapshot);
              }
              Snapshots.rename(connection, database, aside);
            });
        progress.info("renamed " + database + " to " + aside);
        markQuietly(
            connection,
            admin,
            new Marker(aside, Kind.REPLACED, database, request.runId(), Instant.now()));
      } else {
        progress.info(
            database + " is missing (an earlier restore stopped half-way): finishing the swap");
        sessions.clear(connection, request.sessions(), deadline, snapshot);
      }
      retry.run(
          "renaming " + snapshot + " to " + database,
          deadline,
          () -> {
            if (request.sessions().terminate()) {
              sessions.clear(connection, request.sessions(), deadline, snapshot);
            }
            Snapshots.rename(connection, snapshot, database);
          });
      progress.info("renamed " + snapshot + " to " + database);
      Snapshots.mark(
          connection,
          new Marker(database, Kind.RESTORED, database, request.runId(), Instant.now()));
      return result(
          database
              + " restored from snapshot "
              + snapshot
              + "; the migrated one is kept as "
              + aside,
          database,
          snapshot,
          current.exists() || asideExists ? aside : null,
          true);
    } catch (SQLException e) {
      throw PgErrors.classify(e, admin, "restoring " + database + " from " + snapshot);
    }
  }

  private static boolean isRestored(Optional<Marker> marker, String database, String runId) {
    return marker
        .filter(
            m ->
                m.kind() == Kind.RESTORED && m.source().equals(database) && m.runId().equals(runId))
        .isPresent();
  }

  /** Refuses to swap in a database that is not a Pitstop snapshot of this database. */
  private static void checkIsSnapshot(Optional<Marker> marker, String snapshot, String database) {
    boolean ours =
        marker.filter(m -> m.kind() == Kind.SNAPSHOT && m.source().equals(database)).isPresent();
    if (!ours) {
      throw PitstopException.usage(
          "database "
              + snapshot
              + " is not marked as a Pitstop snapshot of "
              + database
              + (marker.isPresent() ? " (its marker says otherwise)" : " (it has no marker)")
              + ": nothing was changed");
    }
  }

  private void markQuietly(Connection connection, DbConnection admin, Marker marker) {
    try {
      Snapshots.mark(connection, marker);
    } catch (SQLException e) {
      // Only the owner may comment; the rename has happened and the name says what it is.
      progress.warn(
          "could not mark " + marker.database() + ": " + PgErrors.databaseMessage(e, admin));
    }
  }

  private static StepResult result(
      String summary, String database, String snapshot, String aside, boolean restored) {
    return StepResult.builder(summary)
        .field("database", database)
        .field("snapshot", snapshot)
        .field("replaced-database", aside)
        .field("restored", restored)
        .build();
  }
}
