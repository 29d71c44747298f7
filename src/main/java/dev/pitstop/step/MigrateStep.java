package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Durations;
import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.Catalog;
import dev.pitstop.db.Catalog.InvalidIndex;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.FlywaySettings;
import dev.pitstop.db.MigrationNames;
import dev.pitstop.db.PgErrors;
import dev.pitstop.db.SessionInfo;
import dev.pitstop.db.SessionWatchdog;
import dev.pitstop.db.Sessions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;

/**
 * {@code migrate}: applies the pending Flyway migrations.
 *
 * <p>First it reads, changing nothing: the schema history, the pending scripts and the catalog.
 * With nothing pending it is done (exit 0) even while the app is still connected. A run that cannot
 * work is refused before anything changes (exit 2, and a dry run exits the same way): with {@code
 * atomic}, every pending migration runs in one transaction, so a migration that cannot run in a
 * transaction ({@code CREATE INDEX CONCURRENTLY}) or one that uses an enum value an earlier one
 * adds (PostgreSQL allows that only after a commit) is refused, pointing at {@code --no-atomic}; a
 * database with objects but no history table points at {@code --baseline-on-migrate}. Then other
 * sessions are cleared (see {@link dev.pitstop.db.SessionPolicy}) and the schema version is written
 * to the run's undo log, so a rollback knows what "before" was even if this process dies half-way.
 *
 * <p>A migration outside a transaction runs with Flyway's session-level lock (a transaction-level
 * lock would hold a transaction open that a concurrent index build waits for). An INVALID index
 * left by a failed concurrent build is dropped when a pending migration builds it again, and right
 * after such a build fails; when the failed migration was that one build, its failed entry in the
 * history goes too, so the database is as before it and a retry can pass. After a rolled-back first
 * run, the empty history table (and schemas Flyway created) are dropped again. The step's deadline
 * ({@code --timeout}) cancels a statement still running or waiting when it passes.
 *
 * <p>Exit codes: a lock or statement timeout, a deadline that passed while waiting for a lock, or a
 * database that stays unreachable, is 75 (retry) when the database is as a retry needs it; a
 * migration that fails is 1, naming the migration and quoting the database's error; bad options or
 * a migration set that cannot run as asked are 2.
 */
public final class MigrateStep {
  /** Undo-log key of the schema version before the migration. */
  public static final String UNDO_SCHEMA_VERSION_BEFORE = "schema-version-before";

  private static final Duration CLEAN_UP_LOCK_WAIT = Duration.ofSeconds(10);

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
    Deadline deadline = Deadline.after(request.timeout());
    try (SessionWatchdog watchdog = SessionWatchdog.watch(flyway, deadline)) {
      return new Attempt(request, flyway, deadline, watchdog).run(undoLog);
    } finally {
      FlywayFactory.closeLeftovers(flyway);
    }
  }

  /** What the database looked like before anything changed. */
  private record Before(
      String historySchema,
      String historyTable,
      boolean historyExists,
      List<String> schemas,
      Set<String> existingSchemas,
      List<InvalidIndex> invalidIndexes) {}

  /** One run of the step: its Flyway, its deadline and what it found before changing anything. */
  private final class Attempt {
    private final MigrateRequest request;
    private final DbConnection db;
    private final Flyway flyway;
    private final Configuration configuration;
    private final Deadline deadline;
    private final SessionWatchdog watchdog;

    Attempt(MigrateRequest request, Flyway flyway, Deadline deadline, SessionWatchdog watchdog) {
      this.request = request;
      this.db = request.db();
      this.flyway = flyway;
      this.configuration = flyway.getConfiguration();
      this.deadline = deadline;
      this.watchdog = watchdog;
    }

    StepResult run(BiConsumer<String, String> undoLog) {
      // Flyway's commands go on in this session instead of opening their own
      FlywayFactory.keepSessions(flyway, db.connect(request.session(), deadline, sleeper));

      MigrationInfoService info = info();
      warnAboutSkippedFiles();
      Before before = readBefore();
      List<MigrationInfo> failedBuilds = failedConcurrentBuilds(info, before);
      // a failed concurrent build left nothing that counts: the version is the one before it
      String version =
          Migrations.version(
              failedBuilds.isEmpty() ? info.current() : Migrations.latestSucceeded(info));
      List<MigrationInfo> pending = Arrays.asList(info.pending());
      PendingScripts scripts = PendingScripts.read(pending, configuration);
      List<MigrationInfo> outside = new ArrayList<>(failedBuilds);
      pending.stream()
          .filter(m -> Boolean.FALSE.equals(Migrations.transactional(m)))
          .forEach(outside::add);

      PitstopException refusal = failedBuilds.isEmpty() ? historyMismatch() : null;
      if (refusal == null) {
        refusal = refusal(info, before, outside, scripts);
      }
      warnAboutEnumValuesUsedInTheirOwnScript(scripts);
      Set<String> rebuilt = scripts.concurrentIndexNames();
      List<InvalidIndex> toDrop =
          before.invalidIndexes().stream().filter(i -> rebuilt.contains(i.name())).toList();
      Set<String> cleanedUp =
          PendingScripts.read(failedBuilds, configuration).concurrentIndexNames();
      before.invalidIndexes().stream()
          .filter(i -> !rebuilt.contains(i.name()) && !cleanedUp.contains(i.name()))
          .forEach(
              i ->
                  progress.warn(
                      "index "
                          + i.qualifiedName()
                          + " is INVALID (a concurrent build of it failed) and is not used by"
                          + " queries: drop it with DROP INDEX CONCURRENTLY "
                          + i.qualifiedName()
                          + ", or build it again"));

      if (request.dryRun()) {
        return dryRun(version, pending, failedBuilds, toDrop, refusal);
      }
      if (refusal != null) {
        throw refusal;
      }
      if (pending.isEmpty() && failedBuilds.isEmpty()) {
        // other sessions do not matter when nothing changes: a Helm hook or CI job that runs
        // migrate against a live app with nothing to do must pass
        return StepResult.builder(db.describe() + " is up to date at version " + version)
            .field("schema-version-before", version)
            .field("schema-version-after", version)
            .field("applied", List.of())
            .field("other-sessions", List.of())
            .build();
      }

      List<SessionInfo> others;
      try (Connection session = borrow()) {
        others =
            new Sessions(db, progress, sleeper)
                .clear(
                    session,
                    request.sessions(),
                    deadline,
                    FlywayFactory.ownSessions(flyway),
                    db.database());
        undoLog.accept(UNDO_SCHEMA_VERSION_BEFORE, version);
        cleanUpFailedBuilds(session, failedBuilds, before);
        for (InvalidIndex index : toDrop) {
          progress.info(
              "dropping the INVALID index "
                  + index.qualifiedName()
                  + " a failed concurrent build left: a pending migration builds it again");
          Catalog.dropIndexConcurrently(session, index);
        }
      } catch (SQLException e) {
        throw PgErrors.classify(e, db, "preparing " + db.describe());
      }
      if (!failedBuilds.isEmpty() || !toDrop.isEmpty()) {
        before = readBefore();
      }
      if (!failedBuilds.isEmpty()) {
        info = info();
        pending = Arrays.asList(info.pending());
        scripts = PendingScripts.read(pending, configuration);
      }
      if (!outside.isEmpty()) {
        useSessionLock(outside);
      }

      progress.info(
          "migrating "
              + db.describe()
              + " from version "
              + version
              + ": "
              + pending.size()
              + " pending"
              + (request.atomic() ? ", in one transaction" : ""));
      long started = System.nanoTime();
      MigrateResult result;
      try {
        result = flyway.migrate();
      } catch (FlywayException e) {
        throw failure(e, version, pending, scripts, before);
      }
      warnAboutInvalidIndexes(before);
      return success(result, version, others, started);
    }

    private StepResult success(
        MigrateResult result, String version, List<SessionInfo> others, long started) {
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
                  + (out.version == null || out.version.isEmpty()
                      ? "repeatable"
                      : "V" + out.version)
                  + " \""
                  + out.description
                  + "\" in "
                  + Durations.format(java.time.Duration.ofMillis(out.executionTime)));
        }
      }
      String after = result.targetSchemaVersion != null ? result.targetSchemaVersion : version;
      String summary =
          applied.isEmpty()
              ? db.describe() + " is up to date at version " + version
              : "migrated "
                  + db.describe()
                  + " from version "
                  + version
                  + " to "
                  + after
                  + " ("
                  + applied.size()
                  + " migration(s) in "
                  + Durations.format(java.time.Duration.ofNanos(System.nanoTime() - started))
                  + ")";
      return StepResult.builder(summary)
          .field("schema-version-before", version)
          .field("schema-version-after", after)
          .field("applied", applied)
          .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
          .build();
    }

    private StepResult dryRun(
        String version,
        List<MigrationInfo> pending,
        List<MigrationInfo> failedBuilds,
        List<InvalidIndex> toDrop,
        PitstopException refusal) {
      List<SessionInfo> others;
      try (Connection session = borrow()) {
        others = Sessions.list(session, db.database(), FlywayFactory.ownSessions(flyway));
      } catch (SQLException e) {
        throw PgErrors.classify(e, db, "checking other sessions on " + db.describe());
      }
      others.forEach(s -> progress.info("other session: " + s.describe()));
      progress.info(
          "dry run: "
              + db.describe()
              + " is at version "
              + version
              + ", "
              + pending.size()
              + " migration(s) pending");
      failedBuilds.forEach(
          m ->
              progress.info(
                  "  would drop what the failed concurrent index build "
                      + Migrations.name(m)
                      + " left (its INVALID index and its failed entry in the history) and"
                      + " run it again"));
      toDrop.forEach(
          i ->
              progress.info(
                  "  would drop the INVALID index "
                      + i.qualifiedName()
                      + " first: a pending migration builds it again"));
      pending.forEach(
          m ->
              progress.info(
                  "  would apply "
                      + Migrations.name(m)
                      + (Boolean.FALSE.equals(Migrations.transactional(m))
                          ? " (outside a transaction)"
                          : "")));
      if (refusal != null) {
        throw new PitstopException(
            refusal.exitCode(), "dry run: a real run would stop here: " + refusal.getMessage());
      }
      return StepResult.builder(
              "dry run: " + pending.size() + " migration(s) pending on " + db.describe())
          .field("schema-version-before", version)
          .field("schema-version-after", version)
          .field("pending", pending.stream().map(Migrations::pendingFields).toList())
          .field("applied", List.of())
          .field("other-sessions", others.stream().map(SessionInfo::toFields).toList())
          .field("dry-run", true)
          .build();
    }

    /** A session of the step's own, lent by Flyway's pool; closing it gives it back. */
    private Connection borrow() throws SQLException {
      return configuration.getDataSource().getConnection();
    }

    /**
     * A session for cleaning up after a failed migration, whose lock waits end on their own: the
     * deadline has cancelled one statement already, and {@code --lock-timeout 0s} would let a drop
     * that waits for the same lock as the cancelled build wait for ever.
     */
    private Connection borrowForCleanUp() throws SQLException {
      Duration configured = request.session().lockTimeout();
      Duration wait =
          configured.isZero() || configured.compareTo(CLEAN_UP_LOCK_WAIT) > 0
              ? CLEAN_UP_LOCK_WAIT
              : configured;
      Connection session = borrow();
      try (PreparedStatement set =
          session.prepareStatement("SELECT set_config('lock_timeout', ?, false)")) {
        set.setString(1, wait.toMillis() + "ms");
        set.execute();
      } catch (SQLException e) {
        session.close();
        throw e;
      }
      return session;
    }

    private MigrationInfoService info() {
      try {
        return flyway.info();
      } catch (FlywayException e) {
        throw Migrations.unreadable(e, db, "reading the schema history of " + db.describe());
      }
    }

    private void warnAboutSkippedFiles() {
      if (configuration.isValidateMigrationNaming()) {
        return;
      }
      List<String> skipped = MigrationNames.skipped(configuration);
      if (!skipped.isEmpty()) {
        progress.warn(
            "skipping "
                + String.join(", ", skipped)
                + ": not named like migrations, and flyway.validateMigrationNaming is false");
      }
    }

    private Before readBefore() {
      try (Connection session = borrow()) {
        String historySchema = configuration.getDefaultSchema();
        List<String> schemas = new ArrayList<>(Arrays.asList(configuration.getSchemas()));
        if (historySchema == null) {
          historySchema = schemas.isEmpty() ? Catalog.currentSchema(session) : schemas.get(0);
        }
        if (historySchema != null && !schemas.contains(historySchema)) {
          schemas.add(0, historySchema);
        }
        return new Before(
            historySchema,
            configuration.getTable(),
            historySchema != null
                && Catalog.tableExists(session, historySchema, configuration.getTable()),
            List.copyOf(schemas),
            Catalog.existingSchemas(session, schemas),
            Catalog.invalidIndexes(session, schemas));
      } catch (SQLException e) {
        throw PgErrors.classify(e, db, "reading the catalog of " + db.describe());
      }
    }

    /**
     * A failed migration in the history refuses the run (the database may be half-migrated), except
     * one that was a single concurrent index build whose index is now INVALID or gone: dropping the
     * index and the failed entry puts the database exactly as before it, and the build runs again.
     *
     * @return the failed concurrent builds that can be cleaned up and run again
     */
    private List<MigrationInfo> failedConcurrentBuilds(MigrationInfoService info, Before before) {
      List<MigrationInfo> failed =
          Arrays.stream(info.all()).filter(m -> m.getState().isFailed()).toList();
      if (failed.isEmpty()) {
        return List.of();
      }
      PendingScripts scripts = PendingScripts.read(failed, configuration);
      List<MigrationInfo> repairable = new ArrayList<>();
      List<MigrationInfo> broken = new ArrayList<>();
      for (MigrationInfo m : failed) {
        Optional<String> index = scripts.concurrentIndexName(m);
        boolean leftInvalidOrNothing =
            index.isPresent()
                && (before.invalidIndexes().stream().anyMatch(i -> i.name().equals(index.get()))
                    || !indexExists(before, index.get()));
        (leftInvalidOrNothing ? repairable : broken).add(m);
      }
      if (!broken.isEmpty()) {
        throw PitstopException.failed(
            "the schema history records failed migration(s) "
                + Migrations.joinNames(broken)
                + ": the database may be half-migrated; restore the snapshot (or repair it by hand"
                + " and run flyway repair) before migrating again");
      }
      return repairable;
    }

    /** Drops what the failed concurrent builds left: their INVALID index, their failed entry. */
    private void cleanUpFailedBuilds(
        Connection session, List<MigrationInfo> failedBuilds, Before before) throws SQLException {
      PendingScripts scripts = PendingScripts.read(failedBuilds, configuration);
      for (MigrationInfo m : failedBuilds) {
        String index = scripts.concurrentIndexName(m).orElseThrow();
        for (InvalidIndex invalid : before.invalidIndexes()) {
          if (invalid.name().equals(index)) {
            Catalog.dropIndexConcurrently(session, invalid);
          }
        }
        Catalog.deleteLatestFailedRow(
            session, before.historySchema(), before.historyTable(), m.getScript());
        progress.info(
            "the concurrent index build "
                + Migrations.name(m)
                + " failed in an earlier run: dropped what it left (its INVALID index and its"
                + " failed entry in the history); it runs again");
      }
    }

    private boolean indexExists(Before before, String index) {
      try (Connection session = borrow()) {
        for (String schema : before.schemas()) {
          if (Catalog.tableExists(session, schema, index)) {
            return true;
          }
        }
        return false;
      } catch (SQLException e) {
        throw PgErrors.classify(e, db, "reading the indexes of " + db.describe());
      }
    }

    /**
     * Flyway's own validation, as migrate would run it first, but before anything is touched: a
     * wrong --locations folder or an edited applied migration is found by a dry run and by run's
     * checks before the lock, not after the app went down. Pending migrations are what migrate is
     * for, so they do not count.
     */
    private PitstopException historyMismatch() {
      if (!configuration.isValidateOnMigrate()) {
        return null;
      }
      List<org.flywaydb.core.api.pattern.ValidatePattern> patterns =
          new ArrayList<>(Arrays.asList(configuration.getIgnoreMigrationPatterns()));
      patterns.add(org.flywaydb.core.api.pattern.ValidatePattern.fromPattern("*:pending"));
      org.flywaydb.core.api.output.ValidateResult result =
          Flyway.configure(MigrateStep.class.getClassLoader())
              .configuration(configuration)
              .ignoreMigrationPatterns(
                  patterns.toArray(org.flywaydb.core.api.pattern.ValidatePattern[]::new))
              .load()
              .validateWithResult();
      if (result.validationSuccessful) {
        return null;
      }
      List<String> problems = new ArrayList<>();
      if (result.invalidMigrations != null) {
        result.invalidMigrations.forEach(
            m ->
                problems.add(
                    (m.version == null || m.version.isEmpty() ? m.filepath : "V" + m.version)
                        + ": "
                        + (m.errorDetails == null ? "invalid" : m.errorDetails.errorMessage)));
      }
      if (problems.isEmpty() && result.errorDetails != null) {
        problems.add(result.errorDetails.errorMessage);
      }
      return PitstopException.usage(
          "the migrations in "
              + String.join(
                  ",",
                  configuration.getLocations().length == 0
                      ? List.of("--locations")
                      : Arrays.stream(configuration.getLocations()).map(Object::toString).toList())
              + " do not match the history of "
              + db.describe()
              + ": "
              + String.join("; ", problems.stream().limit(5).toList())
              + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : "")
              + ". Is --locations the right folder (every applied migration must be in it), and"
              + " were applied migrations left unchanged?");
    }

    private PitstopException refusal(
        MigrationInfoService info,
        Before before,
        List<MigrationInfo> outside,
        PendingScripts scripts) {
      if (!before.historyExists()
          && !configuration.isBaselineOnMigrate()
          && !info.getInfoResult().allSchemasEmpty) {
        return baselineNeeded(before);
      }
      if (!request.atomic()) {
        return null;
      }
      if (!outside.isEmpty()) {
        return PitstopException.usage(
            "--atomic cannot hold: "
                + Migrations.joinNames(outside)
                + " cannot run inside a transaction (e.g. CREATE INDEX CONCURRENTLY). Run with"
                + " --no-atomic, which commits each migration on its own, and take a snapshot"
                + " first (run --snapshot, or pitstop snapshot) so a failure can still be rolled"
                + " back");
      }
      List<PendingScripts.EnumUse> tooEarly =
          scripts.enumValuesUsedTooEarly(true, this::enumHasLabel).stream()
              .filter(use -> use.adds() != use.uses())
              .toList();
      if (!tooEarly.isEmpty()) {
        PendingScripts.EnumUse first = tooEarly.get(0);
        return PitstopException.usage(
            "--atomic cannot hold: "
                + Migrations.name(first.adds())
                + " adds the value '"
                + first.value().label()
                + "' to the enum type "
                + first.value().type()
                + " and "
                + Migrations.name(first.uses())
                + " uses it, but PostgreSQL lets a transaction use a new enum value only after the"
                + " value is committed (SQLSTATE 55P04)"
                + (tooEarly.size() > 1 ? " (and " + (tooEarly.size() - 1) + " more like it)" : "")
                + ". Run with --no-atomic, which commits each migration on its own, and take a"
                + " snapshot first (run --snapshot, or pitstop snapshot)");
      }
      return null;
    }

    private PitstopException baselineNeeded(Before before) {
      return PitstopException.usage(
          "schema(s) "
              + String.join(", ", before.schemas())
              + " of "
              + db.describe()
              + " already hold tables or other objects but no Flyway history table ("
              + before.historySchema()
              + "."
              + before.historyTable()
              + "), nothing was changed: if they hold what your migrations up to version "
              + configuration.getBaselineVersion()
              + " create, run with --baseline-on-migrate (Flyway records version "
              + configuration.getBaselineVersion()
              + " as the baseline, set by flyway.baselineVersion, and applies only later"
              + " migrations); otherwise check --jdbc-url and --schemas");
    }

    private boolean enumHasLabel(String type, String label) {
      try (Connection session = borrow()) {
        return Catalog.enumHasLabel(session, type, label);
      } catch (SQLException e) {
        return false;
      }
    }

    private void warnAboutEnumValuesUsedInTheirOwnScript(PendingScripts scripts) {
      for (PendingScripts.EnumUse use : scripts.enumValuesUsedTooEarly(false, this::enumHasLabel)) {
        progress.warn(
            Migrations.name(use.uses())
                + " adds the value '"
                + use.value().label()
                + "' to the enum type "
                + use.value().type()
                + " and uses it in the same script: PostgreSQL refuses that (SQLSTATE 55P04) in one"
                + " transaction; move the statements that use it to a later migration");
      }
    }

    private void useSessionLock(List<MigrationInfo> outside) {
      String requestedBy = FlywaySettings.load(request.flyway()).transactionalLockRequestedBy();
      if (requestedBy != null) {
        progress.warn(
            "flyway.postgresql.transactional.lock=true from "
                + requestedBy
                + " is not used for this run: "
                + Migrations.joinNames(outside)
                + " runs outside a transaction and would wait for the transaction holding Flyway's"
                + " lock; Flyway's lock is held for the session instead");
      }
      FlywayFactory.useSessionLock(flyway);
    }

    private void warnAboutInvalidIndexes(Before before) {
      try (Connection session = borrow()) {
        for (InvalidIndex index : Catalog.invalidIndexes(session, before.schemas())) {
          progress.warn(
              "index "
                  + index.qualifiedName()
                  + " is INVALID after migrating (a concurrent build that was skipped or failed):"
                  + " drop it with DROP INDEX CONCURRENTLY "
                  + index.qualifiedName()
                  + " and build it again");
        }
      } catch (SQLException e) {
        progress.debug("could not look for INVALID indexes: " + e.getMessage());
      }
    }

    private PitstopException failure(
        FlywayException e,
        String versionBefore,
        List<MigrationInfo> pending,
        PendingScripts scripts,
        Before before) {
      if (e.getErrorCode() == CoreErrorCode.NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE) {
        return baselineNeeded(before);
      }
      MigrationInfo migration = e instanceof FlywayMigrateException fm ? fm.getMigration() : null;
      String state = PgErrors.sqlState(e);
      if (state == null && e instanceof FlywayMigrateException fm) {
        state = fm.getSqlState();
      }
      Optional<SessionWatchdog.Cancellation> cancelled =
          PgErrors.QUERY_CANCELED.equals(state) ? watchdog.cancellation() : Optional.empty();
      if (migration == null) {
        PitstopException classified = PgErrors.classify(e, db, "migrating " + db.describe());
        String message =
            cancelled.isPresent()
                ? ranOut(cancelled.get(), "migrating " + db.describe())
                    + ": "
                    + classified.getMessage()
                : classified.getMessage();
        int code =
            classified.exitCode() == ExitCode.USAGE
                ? ExitCode.USAGE
                : classified.isTransient() ? ExitCode.TRANSIENT : ExitCode.FAILED;
        return new PitstopException(code, message, classified.getCause());
      }

      String name = "migration " + Migrations.name(migration);
      StringBuilder message = new StringBuilder();
      if (cancelled.isPresent()) {
        message
            .append(ranOut(cancelled.get(), name))
            .append(": ")
            .append(PgErrors.databaseMessage(e, db));
      } else if (PgErrors.LOCK_NOT_AVAILABLE.equals(state)) {
        message
            .append(name)
            .append(" gave up waiting for a lock (lock_timeout) on ")
            .append(db.describe())
            .append(": ")
            .append(PgErrors.databaseMessage(e, db))
            .append(lockHolders());
      } else {
        message.append(name).append(" failed: ").append(PgErrors.databaseMessage(e, db));
        if (state != null) {
          message.append(" [SQLSTATE ").append(state).append("]");
        }
      }

      List<String> applied = appliedBeforeTheFailure(e);
      boolean transactional = !Boolean.FALSE.equals(Migrations.transactional(migration));
      boolean rolledBack =
          request.atomic()
              ? pending.stream().allMatch(m -> !Boolean.FALSE.equals(Migrations.transactional(m)))
              : transactional;
      // whether the database is as a retry needs it: rolled back, or cleaned up after a build
      boolean retryCanPass = rolledBack;
      if (rolledBack) {
        List<String> dropped =
            request.atomic() || applied.isEmpty() ? dropUnusedHistory(before) : List.of();
        if (request.atomic()) {
          message.append("; all pending migrations were rolled back");
          if (!dropped.isEmpty()) {
            message.append(" and ").append(String.join(" and ", dropped)).append(" dropped");
          }
          message.append(", the database is unchanged");
        } else {
          message.append("; this migration was rolled back");
          if (!dropped.isEmpty()) {
            message.append(" and ").append(String.join(" and ", dropped)).append(" dropped");
          }
        }
      } else {
        retryCanPass = cleanUpAfterConcurrentBuild(migration, scripts, before, message);
      }
      if (!request.atomic()) {
        message.append(
            applied.isEmpty()
                ? "; nothing else was applied in this run, schema version " + versionBefore
                : "; kept from this run: "
                    + String.join(", ", applied)
                    + ", schema version "
                    + versionAfter(e, versionBefore)
                    + " (to undo this run, restore the snapshot)");
      }
      if ("55P04".equals(state)) {
        message.append(
            request.atomic()
                ? ". A new enum value can be used only after the transaction that adds it commits,"
                    + " and --atomic runs every pending migration in one transaction: run with"
                    + " --no-atomic (take a snapshot first)"
                : ". A new enum value can be used only after the transaction that adds it commits:"
                    + " move the statements that use it to a later migration");
      } else if ("25001".equals(state)) {
        message.append(
            ". Flyway ran it inside a transaction: if the statement cannot run in one, add the"
                + " line executeInTransaction=false to a file "
                + migration.getScript()
                + ".conf next to it and run with --no-atomic");
      } else if (cancelled.isPresent() && !cancelled.get().waitingForLock()) {
        message.append(". If the migration needs longer, raise --timeout");
      }

      int code;
      if (!retryCanPass) {
        code = ExitCode.FAILED;
      } else if (cancelled.isPresent()) {
        code = cancelled.get().waitingForLock() ? ExitCode.TRANSIENT : ExitCode.FAILED;
      } else {
        code = PgErrors.isTransient(state) ? ExitCode.TRANSIENT : ExitCode.FAILED;
      }
      return new PitstopException(code, message.toString(), PgErrors.sanitized(e, db));
    }

    private String ranOut(SessionWatchdog.Cancellation cancelled, String what) {
      return "--timeout "
          + Durations.format(deadline.budget())
          + " ran out while "
          + what
          + " was "
          + cancelled.doing()
          + "; Pitstop cancelled it";
    }

    /** Who holds a transaction open now, after a lock was not granted in time. */
    private String lockHolders() {
      try (Connection session = borrow()) {
        List<Catalog.OpenTransaction> open =
            Catalog.openTransactions(session, db.database(), FlywayFactory.ownSessions(flyway));
        if (open.isEmpty()) {
          return "; no other session is in a transaction now, a retry may pass";
        }
        return "; sessions in a transaction now: "
            + open.stream()
                .map(Catalog.OpenTransaction::describe)
                .collect(Collectors.joining(", "));
      } catch (SQLException e) {
        return "";
      }
    }

    /**
     * After a migration outside a transaction failed: drops the INVALID indexes that appeared (a
     * failed concurrent build leaves one), and when the migration was one concurrent build whose
     * index is now gone, its failed entry in the history too.
     *
     * @return whether a retry can pass: the database is as before the migration, or what is left is
     *     what the next run cleans up on its own
     */
    private boolean cleanUpAfterConcurrentBuild(
        MigrationInfo migration, PendingScripts scripts, Before before, StringBuilder message) {
      List<String> dropped = new ArrayList<>();
      List<String> left = new ArrayList<>();
      boolean historyRepaired = false;
      try (Connection session = borrowForCleanUp()) {
        Set<InvalidIndex> earlier = new LinkedHashSet<>(before.invalidIndexes());
        for (InvalidIndex index : Catalog.invalidIndexes(session, before.schemas())) {
          if (earlier.contains(index)) {
            continue;
          }
          try {
            Catalog.dropIndexConcurrently(session, index);
            dropped.add(index.qualifiedName());
          } catch (SQLException e) {
            left.add(
                index.qualifiedName()
                    + " (could not drop it: "
                    + PgErrors.databaseMessage(e, db)
                    + ")");
          }
        }
        if (left.isEmpty() && scripts.isOneConcurrentIndexBuild(migration)) {
          historyRepaired =
              Catalog.deleteLatestFailedRow(
                  session, before.historySchema(), before.historyTable(), migration.getScript());
        }
      } catch (SQLException e) {
        progress.debug("could not clean up after the failed migration: " + e.getMessage());
      }
      message.append("; it ran outside a transaction");
      if (!dropped.isEmpty()) {
        message
            .append(": Pitstop dropped the INVALID index ")
            .append(String.join(", ", dropped))
            .append(" the failed build left");
      }
      if (historyRepaired) {
        message.append(
            (dropped.isEmpty() ? ": Pitstop" : " and")
                + " removed its failed entry from the"
                + " schema history, so the database is as before it");
        return true;
      }
      if (!left.isEmpty()) {
        message
            .append(", and left the INVALID index ")
            .append(String.join(", ", left))
            .append(": a retry drops it and builds it again once nothing holds it");
        return scripts.isOneConcurrentIndexBuild(migration)
            && scripts.concurrentIndexName(migration).isPresent();
      }
      message.append(
          ", so the database may be partly changed and the schema history records it as failed:"
              + " restore the snapshot, or undo what it did by hand and run flyway repair");
      return false;
    }

    /** Drops what a first run left that was rolled back: the empty history, schemas it made. */
    private List<String> dropUnusedHistory(Before before) {
      if (before.historyExists() || before.historySchema() == null) {
        return List.of();
      }
      List<String> created =
          before.schemas().stream().filter(s -> !before.existingSchemas().contains(s)).toList();
      try (Connection session = borrowForCleanUp()) {
        return Catalog.dropUnusedHistory(
            session, before.historySchema(), before.historyTable(), created);
      } catch (SQLException e) {
        progress.warn(
            "the history table "
                + before.historySchema()
                + "."
                + before.historyTable()
                + " this first run created is left: "
                + PgErrors.databaseMessage(e, db));
        return List.of();
      }
    }
  }

  /** The migrations applied in this run before one failed (committed without {@code --atomic}). */
  private static List<String> appliedBeforeTheFailure(FlywayException e) {
    if (e instanceof FlywayMigrateException fm
        && fm.getErrorResult() != null
        && fm.getErrorResult().migrations != null) {
      return fm.getErrorResult().migrations.stream()
          .map(
              out ->
                  (out.version == null || out.version.isEmpty() ? "repeatable" : "V" + out.version)
                      + " \""
                      + out.description
                      + "\"")
          .toList();
    }
    return List.of();
  }

  private static String versionAfter(FlywayException e, String before) {
    String after = before;
    if (e instanceof FlywayMigrateException fm
        && fm.getErrorResult() != null
        && fm.getErrorResult().migrations != null) {
      for (MigrateOutput out : fm.getErrorResult().migrations) {
        if (out.version != null && !out.version.isEmpty()) {
          after = out.version;
        }
      }
    }
    return after;
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
