package dev.pitstop.step;

import static dev.pitstop.testing.TestPostgres.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.SessionPolicy;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.testing.MigrationSets;
import dev.pitstop.testing.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate} on migration sets shaped like real projects' ({@link MigrationSets}), on a real
 * PostgreSQL: concurrent index builds, enum values used by the next migration, and migrations that
 * wait for a lock past the step's deadline.
 */
class MigrationSetsIT {
  private static TestPostgres pg;
  private final StringWriter output = new StringWriter();
  private final MigrateStep step = new MigrateStep(new Progress(new PrintWriter(output), false));
  private final BiConsumer<String, String> noLog = (k, v) -> {};

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    pg = TestPostgres.start();
  }

  @AfterAll
  static void stopServer() {
    pg.close();
  }

  private static MigrateRequest request(DbConnection db, String... sets) {
    return MigrateRequest.of(db, FlywayOptions.locations(MigrationSets.locationList(sets)))
        .withSessions(SessionPolicy.waitFor(Duration.ofSeconds(1)).ignoring("batch-job"))
        .withTimeout(Duration.ofSeconds(60));
  }

  /** A database migrated with the {@code shop} set: version 2 and its repeatable view. */
  private DbConnection shop(String name) throws Exception {
    DbConnection db = pg.createDatabase(name);
    step.run(request(db, "shop"), noLog);
    return db;
  }

  private String indexes(String database, String table) throws Exception {
    return pg.queryString(
        database,
        "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname)"
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " WHERE i.indrelid = '"
            + table
            + "'::regclass");
  }

  private String history(String database) throws Exception {
    return pg.queryString(
        database,
        "SELECT string_agg(coalesce(version, 'R') || ':' || success, ',' ORDER BY installed_rank)"
            + " FROM flyway_schema_history");
  }

  @Test
  void concurrentIndexBuildRunsWithNoAtomicInsteadOfWaitingForPitstopsOwnSession()
      throws Exception {
    DbConnection db = shop("cic_no_atomic");

    StepResult result =
        step.run(
            request(db, "shop", "concurrent-index")
                .withAtomic(false)
                .withSession(SessionSettings.defaults().withLockTimeout(Duration.ofSeconds(2))),
            noLog);

    assertThat(result.fields()).containsEntry("schema-version-after", "3");
    assertThat(indexes("cic_no_atomic", "orders"))
        .isEqualTo("orders_customer_id_idx:true,orders_pkey:true");
    assertThat(history("cic_no_atomic")).isEqualTo("1:true,2:true,R:true,3:true");
  }

  @Test
  void atomicRunRefusesAConcurrentIndexBuildBeforeChangingAnythingAndItsDryRunExitsTheSame()
      throws Exception {
    DbConnection db = pg.createDatabase("cic_atomic");

    PitstopException refused =
        catchThrowableOfType(
            PitstopException.class, () -> step.run(request(db, "shop", "concurrent-index"), noLog));
    PitstopException dryRun =
        catchThrowableOfType(
            PitstopException.class,
            () -> step.run(request(db, "shop", "concurrent-index").withDryRun(true), noLog));

    assertThat(refused.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(refused.getMessage())
        .contains("V3__index_orders_by_customer.sql", "--no-atomic", "snapshot");
    assertThat(dryRun.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(dryRun.getMessage()).contains("a real run would stop here", "--no-atomic");
    assertThat(pg.queryString("cic_atomic", "SELECT to_regclass('flyway_schema_history')"))
        .isNull();
  }

  @Test
  void failedUniqueConcurrentBuildIsUndoneSoTheDatabaseIsAsBeforeItAndARetryAfterTheFixPasses()
      throws Exception {
    DbConnection db = shop("cic_unique");
    MigrateRequest withUniqueIndex =
        request(db, "shop", "unique-concurrent-index").withAtomic(false);

    PitstopException failure =
        catchThrowableOfType(PitstopException.class, () -> step.run(withUniqueIndex, noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("V3__unique_order_reference.sql", "23505")
        .contains("dropped the INVALID index public.orders_reference_key")
        .contains("removed its failed entry", "as before it");
    assertThat(indexes("cic_unique", "orders")).isEqualTo("orders_pkey:true");
    assertThat(history("cic_unique")).isEqualTo("1:true,2:true,R:true");

    pg.execute("cic_unique", "UPDATE orders SET reference = reference || '-B' WHERE id = 3000");
    StepResult retried = step.run(withUniqueIndex, noLog);

    assertThat(retried.fields()).containsEntry("schema-version-after", "3");
    assertThat(indexes("cic_unique", "orders"))
        .isEqualTo("orders_pkey:true,orders_reference_key:true");
  }

  @Test
  void concurrentBuildBlockedByAnotherSessionExitsTransientNamingItAndTheRetryBuildsTheIndex()
      throws Exception {
    DbConnection db = shop("cic_blocked");
    MigrateRequest request =
        request(db, "shop", "concurrent-index")
            .withAtomic(false)
            .withSession(SessionSettings.defaults().withLockTimeout(Duration.ofSeconds(2)));

    try (Connection holder = pg.jdbc("cic_blocked", "batch-job");
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("UPDATE orders SET total_cents = total_cents WHERE id = 1");

      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> step.run(request, noLog));

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage())
          .contains("V3__index_orders_by_customer.sql", "lock_timeout")
          .contains("application batch-job")
          .doesNotContain("another session")
          .contains("orders_customer_id_idx", "a retry drops it and builds it again");
      assertThat(indexes("cic_blocked", "orders"))
          .isEqualTo("orders_customer_id_idx:false,orders_pkey:true");
      holder.rollback();
    }

    StepResult retried = step.run(request, noLog);

    assertThat(retried.fields())
        .containsEntry("schema-version-before", "2")
        .containsEntry("schema-version-after", "3");
    assertThat(indexes("cic_blocked", "orders"))
        .isEqualTo("orders_customer_id_idx:true,orders_pkey:true");
    assertThat(history("cic_blocked")).isEqualTo("1:true,2:true,R:true,3:true");
    assertThat(output.toString()).contains("failed in an earlier run");
  }

  @Test
  void timeoutEndsAConcurrentBuildThatWaitsWithoutALockTimeoutAndTheRetryBuildsTheIndex()
      throws Exception {
    DbConnection db = shop("cic_no_lock_timeout");
    MigrateRequest request =
        request(db, "shop", "concurrent-index")
            .withAtomic(false)
            .withSession(SessionSettings.defaults().withLockTimeout(Duration.ZERO))
            .withTimeout(Duration.ofSeconds(8));

    try (Connection holder = pg.jdbc("cic_no_lock_timeout", "batch-job");
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("UPDATE orders SET total_cents = total_cents WHERE id = 1");

      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> step.run(request, noLog));

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage())
          .contains("ran out while migration V3", "waiting for a lock", "application batch-job")
          .contains("a retry drops it and builds it again");
      holder.rollback();
    }

    StepResult retried = step.run(request.withTimeout(Duration.ofSeconds(60)), noLog);

    assertThat(retried.fields()).containsEntry("schema-version-after", "3");
    assertThat(indexes("cic_no_lock_timeout", "orders"))
        .isEqualTo("orders_customer_id_idx:true,orders_pkey:true");
  }

  @Test
  void invalidIndexLeftByAnEarlierBuildIsDroppedBeforeTheMigrationThatBuildsItRunsAgain()
      throws Exception {
    DbConnection db = shop("cic_leftover");
    // what a build killed half-way leaves: an INVALID index of the name V3 builds IF NOT EXISTS,
    // which PostgreSQL would then silently keep
    try (Connection c = pg.jdbc("cic_leftover");
        Statement s = c.createStatement()) {
      catchThrowableOfType(
          java.sql.SQLException.class,
          () ->
              s.execute(
                  "CREATE UNIQUE INDEX CONCURRENTLY orders_customer_id_idx ON orders (reference)"));
    }
    assertThat(indexes("cic_leftover", "orders"))
        .isEqualTo("orders_customer_id_idx:false,orders_pkey:true");

    step.run(request(db, "shop", "concurrent-index").withAtomic(false), noLog);

    assertThat(indexes("cic_leftover", "orders"))
        .isEqualTo("orders_customer_id_idx:true,orders_pkey:true");
    assertThat(
            pg.queryString(
                "cic_leftover",
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_customer_id_idx'"))
        .contains("(customer_id)")
        .doesNotContain("UNIQUE");
    assertThat(output.toString())
        .contains("dropping the INVALID index public.orders_customer_id_idx");
  }

  @Test
  void enumValueUsedByTheNextMigrationIsRefusedInOneTransactionAndAppliesWithNoAtomic()
      throws Exception {
    DbConnection db = pg.createDatabase("enum_next");

    PitstopException refused =
        catchThrowableOfType(
            PitstopException.class, () -> step.run(request(db, "shop", "enum-value"), noLog));
    PitstopException dryRun =
        catchThrowableOfType(
            PitstopException.class,
            () -> step.run(request(db, "shop", "enum-value").withDryRun(true), noLog));

    assertThat(refused.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(refused.getMessage())
        .contains("V4__add_refunded_status.sql", "'refunded'", "order_status")
        .contains("V5__refund_cancelled_orders.sql", "55P04", "--no-atomic");
    assertThat(dryRun.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(pg.queryString("enum_next", "SELECT to_regclass('flyway_schema_history')")).isNull();

    StepResult applied = step.run(request(db, "shop", "enum-value").withAtomic(false), noLog);

    assertThat(applied.fields()).containsEntry("schema-version-after", "5");
    assertThat(pg.queryString("enum_next", "SELECT count(*) FROM orders WHERE status = 'refunded'"))
        .isEqualTo("300");
  }

  @Test
  void enumValueUsedOnlyInsideAFunctionFailsAtomicallyPointsAtNoAtomicAndLeavesNothingBehind()
      throws Exception {
    DbConnection db = pg.createDatabase("enum_function");

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () -> step.run(request(db, "shop", "enum-value-in-function"), noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("V5__refund_cancelled_orders.sql", "55P04", "--no-atomic")
        .contains("the database is unchanged");
    assertThat(
            pg.queryString(
                "enum_function",
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public'"))
        .isEqualTo("0");
    assertThat(pg.queryString("enum_function", "SELECT to_regtype('order_status')::text")).isNull();

    step.run(request(db, "shop", "enum-value-in-function").withAtomic(false), noLog);
    assertThat(
            pg.queryString(
                "enum_function", "SELECT count(*) FROM orders WHERE status = 'refunded'"))
        .isEqualTo("300");
  }

  @Test
  void timeoutCancelsAMigrationWaitingForALockThatNeverComesAndNamesWhoHoldsIt() throws Exception {
    DbConnection db = shop("timeout_lock");
    Path more = migration(dir, "V3__order_notes.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
    MigrateRequest request =
        MigrateRequest.of(
                db,
                FlywayOptions.locations(
                    MigrationSets.locationList("shop")[0], "filesystem:" + more))
            .withSessions(SessionPolicy.waitFor(Duration.ofSeconds(1)).ignoring("batch-job"))
            .withSession(SessionSettings.defaults().withLockTimeout(Duration.ZERO))
            .withTimeout(Duration.ofSeconds(8));

    try (Connection holder = pg.jdbc("timeout_lock", "batch-job");
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("SELECT count(*) FROM orders");

      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> step.run(request, noLog));

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage())
          .contains("--timeout 8", "ran out while migration V3", "waiting for a lock")
          .contains("application batch-job", "Pitstop cancelled it")
          .contains("the database is unchanged");
      assertThat(holder.isValid(2)).isTrue();
      holder.rollback();
    }
    assertThat(
            pg.queryString(
                "timeout_lock",
                "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'"))
        .isEqualTo("0");
    assertThat(step.run(request, noLog).fields()).containsEntry("schema-version-after", "3");
  }

  @Test
  void timeoutCancelsAMigrationThatRunsTooLongAndSaysToRaiseIt() throws Exception {
    DbConnection db = shop("timeout_running");
    Path more = migration(dir, "V3__slow_backfill.sql", "SELECT pg_sleep(600);\n");
    MigrateRequest request =
        MigrateRequest.of(
                db,
                FlywayOptions.locations(
                    MigrationSets.locationList("shop")[0], "filesystem:" + more))
            .withTimeout(Duration.ofSeconds(6));

    PitstopException failure =
        catchThrowableOfType(PitstopException.class, () -> step.run(request, noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("--timeout 6", "ran out while migration V3", "was running")
        .contains("raise --timeout");
    assertThat(history("timeout_running")).isEqualTo("1:true,2:true,R:true");
  }
}
