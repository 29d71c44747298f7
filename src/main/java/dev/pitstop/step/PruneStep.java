package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.Identifiers;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.db.Snapshots;
import dev.pitstop.db.Snapshots.Kind;
import dev.pitstop.db.Snapshots.Marker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Drops the databases Pitstop made for a database and no longer needs: snapshots, and the copies a
 * restore set aside ({@code <db>_pitstop_replaced_<run>}, the data as the failed release left it),
 * keeping the newest {@code keep} of each kind. A database a run record still names is never
 * dropped: its run may yet roll back to it.
 */
public final class PruneStep {
  private final Progress progress;

  public PruneStep(Progress progress) {
    this.progress = progress;
  }

  /**
   * @param keep how many of each kind to keep, newest first; 0 drops them all
   * @param protectedNames databases a run record names (its snapshot), never dropped
   */
  public StepResult prune(
      DbConnection db,
      String maintenanceDatabase,
      int keep,
      Set<String> protectedNames,
      boolean dryRun,
      Duration timeout) {
    if (keep < 0) {
      throw PitstopException.usage("--keep must be 0 or more");
    }
    String source = Identifiers.requireValid("database", db.database());
    DbConnection admin = db.withDatabase(maintenanceDatabase);
    List<String> dropped = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    try (Connection connection =
        admin.connect(SessionSettings.defaults(), Deadline.after(timeout), Steps.SLEEP)) {
      for (Kind kind : List.of(Kind.SNAPSHOT, Kind.REPLACED)) {
        int seen = 0;
        for (Marker marker : Snapshots.list(connection, source)) {
          if (marker.kind() != kind || marker.database().equals(source)) {
            continue;
          }
          seen++;
          String name = marker.database();
          if (seen <= keep || protectedNames.contains(name)) {
            kept.add(name);
            if (protectedNames.contains(name) && seen > keep) {
              progress.info("kept " + name + ": run " + marker.runId() + "'s record names it");
            }
            continue;
          }
          if (dryRun) {
            progress.info("dry run: would drop " + name + " (" + describe(marker) + ")");
          } else {
            Snapshots.drop(connection, name);
            progress.info("dropped " + name + " (" + describe(marker) + ")");
          }
          dropped.add(name);
        }
      }
    } catch (SQLException e) {
      throw PgErrors.classify(e, admin, "dropping old Pitstop databases of " + source);
    }
    return StepResult.builder(
            (dryRun ? "dry run: would drop " : "dropped ")
                + dropped.size()
                + " Pitstop database(s) of "
                + source
                + ", kept "
                + kept.size())
        .field("dropped", dropped)
        .field("kept", kept)
        .build();
  }

  static String describe(Marker marker) {
    return (marker.kind() == Kind.REPLACED
            ? "set aside by the restore of run "
            : "snapshot of run ")
        + marker.runId()
        + ", "
        + marker.created();
  }
}
