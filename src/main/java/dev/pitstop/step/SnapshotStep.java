package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.Identifiers;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionInfo;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.db.Sessions;
import dev.pitstop.db.Snapshots;
import dev.pitstop.db.Snapshots.Kind;
import dev.pitstop.db.Snapshots.Marker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code snapshot}: {@code CREATE DATABASE <db>_pitstop_<run> TEMPLATE <db>}, a full copy to swap
 * back if the migration cannot be undone by a rollback of its transaction.
 *
 * <p>The copy is made from the maintenance database, because PostgreSQL refuses to copy a database
 * anyone is connected to. The snapshot's name goes to the undo log before the copy starts, so that
 * a run that dies mid-copy still knows what to clean up. Running it again for the same run id is a
 * no-op. Missing privileges are reported before anything is attempted (exit 2).
 */
public final class SnapshotStep {
  /** Undo-log key of the snapshot's name. */
  public static final String UNDO_SNAPSHOT = "snapshot";

  private final Progress progress;
  private final Retry.Sleeper sleeper;

  public SnapshotStep(Progress progress) {
    this(progress, Steps.SLEEP);
  }

  public SnapshotStep(Progress progress, Retry.Sleeper sleeper) {
    this.progress = progress;
    this.sleeper = sleeper;
  }

  /**
   * @param undoLog receives ({@value #UNDO_SNAPSHOT}, name) before the copy starts; it must persist
   *     the fact before returning
   */
  public StepResult run(SnapshotRequest request, BiConsumer<String, String> undoLog) {
    DbConnection db = request.db();
    String source = Identifiers.requireValid("database", db.database());
    String maintenance =
        Identifiers.requireValid("maintenance database", request.maintenanceDatabase());
    if (source.equals(maintenance)) {
      throw PitstopException.usage(
          "the maintenance database must not be the database to snapshot ("
              + source
              + "): PostgreSQL cannot copy the database Pitstop is connected to");
    }
    if (request.keep() < 0) {
      throw PitstopException.usage("--keep must be 0 (keep all) or more");
    }
    String snapshot = Snapshots.snapshotName(source, request.runId());
    Deadline deadline = Deadline.after(request.timeout());
    DbConnection admin = db.withDatabase(maintenance);
    // No statement timeout: copying a large database takes as long as it takes.
    SessionSettings settings = SessionSettings.defaults();

    try (Connection connection = admin.connect(settings, deadline, sleeper)) {
      if (!Snapshots.exists(connection, source)) {
        throw PitstopException.usage(
            "database " + source + " does not exist on " + admin.describe() + ": nothing to copy");
      }
      Snapshots.Existing existing = Snapshots.find(connection, snapshot);
      if (existing.exists()) {
        if (!request.dryRun()) {
          // made by an earlier attempt of this run: make sure the record names it
          undoLog.accept(UNDO_SNAPSHOT, snapshot);
        }
        return alreadyThere(connection, admin, request, source, snapshot, existing);
      }
      checkPrivileges(connection, admin, source);

      if (request.dryRun()) {
        List<SessionInfo> others = Sessions.list(connection, source);
        others.forEach(s -> progress.info("other session: " + s.describe()));
        List<String> wouldDrop =
            obsolete(connection, admin, source, snapshot, request.keep(), true);
        progress.info("dry run: would create " + snapshot + " from " + source);
        return StepResult.builder("dry run: would snapshot " + source + " as " + snapshot)
            .field("snapshot", snapshot)
            .field("source-database", source)
            .field("created", false)
            .field("dropped", wouldDrop)
            .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
            .field("dry-run", true)
            .build();
      }

      Sessions sessions = new Sessions(admin, progress, sleeper);
      List<SessionInfo> others = sessions.clear(connection, request.sessions(), deadline, source);
      undoLog.accept(UNDO_SNAPSHOT, snapshot);
      progress.info("copying " + source + " to " + snapshot);
      long started = System.nanoTime();
      Retry retry =
          new Retry(e -> PgErrors.classify(e, admin, "creating snapshot " + snapshot), sleeper);
      retry.run(
          "creating snapshot " + snapshot,
          deadline,
          () -> {
            if (request.sessions().terminate()) {
              // a pooler or the app may have reconnected since the sessions were cleared
              sessions.clear(connection, request.sessions(), deadline, source);
            }
            Snapshots.createFromTemplate(connection, snapshot, source);
          });
      Snapshots.mark(
          connection, new Marker(snapshot, Kind.SNAPSHOT, source, request.runId(), Instant.now()));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      progress.info("snapshot " + snapshot + " created in " + Durations.format(took));
      List<String> dropped = obsolete(connection, admin, source, snapshot, request.keep(), false);
      return StepResult.builder("snapshot " + snapshot + " of " + source + " created")
          .field("snapshot", snapshot)
          .field("source-database", source)
          .field("created", true)
          .field("duration-ms", took.toMillis())
          .field("dropped", dropped)
          .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
          .build();
    } catch (SQLException e) {
      throw PgErrors.classify(e, admin, "snapshot of " + source);
    }
  }

  private StepResult alreadyThere(
      Connection connection,
      DbConnection admin,
      SnapshotRequest request,
      String source,
      String snapshot,
      Snapshots.Existing existing)
      throws SQLException {
    if (existing.marker().isPresent()) {
      Marker marker = existing.marker().get();
      if (marker.kind() != Kind.SNAPSHOT
          || !marker.source().equals(source)
          || !marker.runId().equals(request.runId())) {
        throw PitstopException.usage(
            "database "
                + snapshot
                + " exists but is not the snapshot of "
                + source
                + " for run "
                + request.runId()
                + " (it is marked '"
                + marker.kind().name().toLowerCase(java.util.Locale.ROOT)
                + " of "
                + marker.source()
                + " for run "
                + marker.runId()
                + "'); nothing was changed");
      }
    } else if (!request.dryRun()) {
      // CREATE DATABASE completed but the run stopped before marking it: the copy is whole.
      Snapshots.mark(
          connection, new Marker(snapshot, Kind.SNAPSHOT, source, request.runId(), Instant.now()));
    }
    progress.info("snapshot " + snapshot + " already exists for this run: nothing to do");
    List<String> dropped =
        obsolete(connection, admin, source, snapshot, request.keep(), request.dryRun());
    return StepResult.builder("snapshot " + snapshot + " of " + source + " already exists")
        .field("snapshot", snapshot)
        .field("source-database", source)
        .field("created", false)
        .field("dropped", dropped)
        .build();
  }

  private void checkPrivileges(Connection connection, DbConnection admin, String source)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT r.rolsuper, r.rolcreatedb, d.datdba = r.oid OR d.datistemplate"
                + " FROM pg_roles r, pg_database d"
                + " WHERE r.rolname = current_user AND d.datname = ?")) {
      query.setString(1, source);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return;
        }
        boolean superuser = row.getBoolean(1);
        if (!superuser && !row.getBoolean(2)) {
          throw PitstopException.usage(
              "user "
                  + admin.user()
                  + " may not create databases, so it cannot take a snapshot: grant it with"
                  + " ALTER ROLE ... CREATEDB, or run without a snapshot");
        }
        if (!superuser && !row.getBoolean(3)) {
          throw PitstopException.usage(
              "user "
                  + admin.user()
                  + " does not own database "
                  + source
                  + ", and PostgreSQL lets only the owner (or a superuser) copy it");
        }
      }
    }
  }

  /**
   * Drops Pitstop snapshots of {@code source} beyond the newest {@code keep}. A snapshot that
   * cannot be dropped is reported, not fatal: the copy this run needs exists.
   */
  private List<String> obsolete(
      Connection connection,
      DbConnection admin,
      String source,
      String current,
      int keep,
      boolean dryRun)
      throws SQLException {
    if (keep == 0) {
      return List.of();
    }
    List<Marker> snapshots = new ArrayList<>();
    for (Marker marker : Snapshots.list(connection, source)) {
      if (marker.kind() == Kind.SNAPSHOT
          && !marker.database().equals(source)
          && !marker.database().equals(current)) {
        snapshots.add(marker);
      }
    }
    List<String> dropped = new ArrayList<>();
    // the current snapshot counts as one of the kept
    for (int i = Math.max(0, keep - 1); i < snapshots.size(); i++) {
      String name = snapshots.get(i).database();
      if (dryRun) {
        progress.info("dry run: would drop old snapshot " + name);
        dropped.add(name);
        continue;
      }
      try {
        Snapshots.drop(connection, name);
        progress.info("dropped old snapshot " + name + " (--keep " + keep + ")");
        dropped.add(name);
      } catch (SQLException e) {
        progress.warn(
            "could not drop old snapshot " + name + ": " + PgErrors.databaseMessage(e, admin));
      }
    }
    return dropped;
  }
}
