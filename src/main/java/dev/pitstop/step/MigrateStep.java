package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Durations;
import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionInfo;
import dev.pitstop.db.Sessions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;

/**
 * {@code migrate}: applies the pending Flyway migrations.
 *
 * <p>Before anything changes, other sessions on the database are cleared (see {@link
 * dev.pitstop.db.SessionPolicy}) and the schema version is written to the run's undo log, so a
 * rollback knows what "before" was even if this process dies half-way. With {@code atomic}, every
 * pending migration runs in one transaction: a failure anywhere leaves the database exactly as it
 * was, which is why a migration that cannot run in a transaction is refused up front instead of
 * silently breaking that promise.
 *
 * <p>Exit codes: a lock or statement timeout, or a database that stays unreachable, is 75 (retry);
 * a migration that fails is 1, naming the migration and quoting the database's error; bad options
 * are 2.
 */
public final class MigrateStep {
  /** Undo-log key of the schema version before the migration. */
  public static final String UNDO_SCHEMA_VERSION_BEFORE = "schema-version-before";

  private final Progress progress;
  private final Retry.Sleeper sleeper;

  public MigrateStep(Progress progress) {
    this(progress, Steps.SLEEP);
  }

  public MigrateStep(Progress progress, Retry.Sleeper sleeper) {
    this.progress = progress;
    this.sleeper = sleeper;
  }

  /**
   * @param undoLog receives ({@value #UNDO_SCHEMA_VERSION_BEFORE}, version) before the first
   *     change; it must persist the fact before returning
   */
  public StepResult run(MigrateRequest request, BiConsumer<String, String> undoLog) {
    Flyway flyway =
        new FlywayFactory(progress)
            .create(request.db(), request.session(), request.flyway(), request.atomic());
    try {
      return run(request, undoLog, flyway);
    } finally {
      FlywayFactory.closeLeftovers(flyway);
    }
  }

  private StepResult run(
      MigrateRequest request, BiConsumer<String, String> undoLog, Flyway flyway) {
    DbConnection db = request.db();
    Deadline deadline = Deadline.after(request.timeout());

    List<SessionInfo> others;
    Connection connection = db.connect(request.session(), deadline, sleeper);
    try {
      if (request.dryRun()) {
        others = Sessions.list(connection, db.database());
        others.forEach(s -> progress.info("other session: " + s.describe()));
      } else {
        others =
            new Sessions(db, progress, sleeper)
                .clear(connection, request.sessions(), deadline, db.database());
      }
    } catch (SQLException e) {
      close(connection);
      throw PgErrors.classify(e, db, "checking other sessions on " + db.describe());
    } catch (RuntimeException e) {
      close(connection);
      throw e;
    }
    // Flyway's commands go on in this session instead of opening their own
    FlywayFactory.keepSessions(flyway, connection);

    MigrationInfoService info = info(flyway, db);
    String before = Migrations.version(info.current());
    List<MigrationInfo> pending = Arrays.asList(info.pending());
    refuseFailed(info);
    if (request.atomic()) {
      if (request.dryRun()) {
        try {
          refuseNonTransactional(pending);
        } catch (PitstopException e) {
          progress.warn("a real run would stop here: " + e.getMessage());
        }
      } else {
        refuseNonTransactional(pending);
      }
    }

    if (request.dryRun()) {
      progress.info(
          "dry run: "
              + db.describe()
              + " is at version "
              + before
              + ", "
              + pending.size()
              + " migration(s) pending");
      pending.forEach(
          m ->
              progress.info(
                  "  would apply "
                      + Migrations.name(m)
                      + (Boolean.FALSE.equals(Migrations.transactional(m))
                          ? " (outside a transaction)"
                          : "")));
      return StepResult.builder(
              "dry run: " + pending.size() + " migration(s) pending on " + db.describe())
          .field("schema-version-before", before)
          .field("schema-version-after", before)
          .field("pending", pending.stream().map(Migrations::pendingFields).toList())
          .field("applied", List.of())
          .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
          .field("dry-run", true)
          .build();
    }

    undoLog.accept(UNDO_SCHEMA_VERSION_BEFORE, before);
    progress.info(
        "migrating "
            + db.describe()
            + " from version "
            + before
            + ": "
            + pending.size()
            + " pending"
            + (request.atomic() ? ", in one transaction" : ""));
    long started = System.nanoTime();
    MigrateResult result;
    try {
      result = flyway.migrate();
    } catch (FlywayException e) {
      throw migrationFailure(e, request, pending);
    }
    List<Map<String, Object>> applied = new ArrayList<>();
    if (result.migrations != null) {
      for (MigrateOutput out : result.migrations) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", out.version == null || out.version.isEmpty() ? null : out.version);
        fields.put("description", out.description);
        fields.put("script", out.filepath == null ? null : fileName(out.filepath));
        fields.put("duration-ms", out.executionTime);
        applied.add(fields);
        progress.info(
            "applied "
                + (out.version == null || out.version.isEmpty() ? "repeatable" : "V" + out.version)
                + " \""
                + out.description
                + "\" in "
                + Durations.format(java.time.Duration.ofMillis(out.executionTime)));
      }
    }
    String after = result.targetSchemaVersion != null ? result.targetSchemaVersion : before;
    String summary =
        applied.isEmpty()
            ? db.describe() + " is up to date at version " + before
            : "migrated "
                + db.describe()
                + " from version "
                + before
                + " to "
                + after
                + " ("
                + applied.size()
                + " migration(s) in "
                + Durations.format(java.time.Duration.ofNanos(System.nanoTime() - started))
                + ")";
    return StepResult.builder(summary)
        .field("schema-version-before", before)
        .field("schema-version-after", after)
        .field("applied", applied)
        .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
        .build();
  }

  private static void close(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // the session is gone already
    }
  }

  private static MigrationInfoService info(Flyway flyway, DbConnection db) {
    try {
      return flyway.info();
    } catch (FlywayException e) {
      PitstopException failure =
          PgErrors.classify(e, db, "reading the schema history of " + db.describe());
      if (failure.exitCode() == ExitCode.FAILED && PgErrors.sqlState(e) == null) {
        // not the database's answer: Flyway could not read the migration files (bad names,
        // duplicate versions, wrong encoding); nothing was changed
        throw new PitstopException(
            ExitCode.USAGE,
            "the migrations in --locations cannot be used, nothing was changed: "
                + PgErrors.databaseMessage(e, db),
            failure.getCause());
      }
      throw failure;
    }
  }

  private static void refuseFailed(MigrationInfoService info) {
    List<String> failed =
        Arrays.stream(info.all())
            .filter(m -> m.getState().isFailed())
            .map(Migrations::name)
            .toList();
    if (!failed.isEmpty()) {
      throw PitstopException.failed(
          "the schema history records failed migration(s) "
              + String.join(", ", failed)
              + ": the database may be half-migrated; restore the snapshot (or repair it by hand"
              + " and run flyway repair) before migrating again");
    }
  }

  private static void refuseNonTransactional(List<MigrationInfo> pending) {
    List<String> outside =
        pending.stream()
            .filter(m -> Boolean.FALSE.equals(Migrations.transactional(m)))
            .map(Migrations::name)
            .toList();
    if (!outside.isEmpty()) {
      throw PitstopException.usage(
          "--atomic cannot hold: "
              + String.join(", ", outside)
              + " cannot run inside a transaction (e.g. CREATE INDEX CONCURRENTLY). Run with"
              + " --atomic=false and take a snapshot first, so a failure can still be rolled back");
    }
  }

  private PitstopException migrationFailure(
      FlywayException e, MigrateRequest request, List<MigrationInfo> pending) {
    DbConnection db = request.db();
    MigrationInfo migration = e instanceof FlywayMigrateException fm ? fm.getMigration() : null;
    String state = PgErrors.sqlState(e);
    if (state == null && e instanceof FlywayMigrateException fm) {
      state = fm.getSqlState();
    }
    boolean rolledBack =
        migration != null
            && (request.atomic()
                ? pending.stream().allMatch(m -> !Boolean.FALSE.equals(Migrations.transactional(m)))
                : !Boolean.FALSE.equals(Migrations.transactional(migration)));
    String what =
        migration == null
            ? "migrating " + db.describe()
            : "migration " + Migrations.name(migration);
    String consequence =
        migration == null
            ? ""
            : rolledBack
                ? request.atomic()
                    ? "; all pending migrations were rolled back, the database is unchanged"
                    : "; this migration was rolled back, earlier ones in this run stay applied"
                : "; it ran outside a transaction, so the database may be partly changed:"
                    + " restore the snapshot";
    if (PgErrors.isTransient(state)) {
      PitstopException classified = PgErrors.classify(e, db, what);
      return new PitstopException(
          ExitCode.TRANSIENT, classified.getMessage() + consequence, classified.getCause());
    }
    if (migration != null) {
      return new PitstopException(
          ExitCode.FAILED,
          what
              + " failed: "
              + PgErrors.databaseMessage(e, db)
              + (state == null ? "" : " [SQLSTATE " + state + "]")
              + consequence,
          PgErrors.sanitized(e, db));
    }
    PitstopException classified = PgErrors.classify(e, db, what);
    return classified.exitCode() == ExitCode.USAGE
        ? classified
        : new PitstopException(ExitCode.FAILED, classified.getMessage(), classified.getCause());
  }

  private static String fileName(String path) {
    try {
      Path name = Path.of(path).getFileName();
      return name == null ? path : name.toString();
    } catch (RuntimeException e) {
      return path;
    }
  }
}
