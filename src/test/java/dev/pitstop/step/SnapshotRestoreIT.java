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
import dev.pitstop.db.Snapshots;
import dev.pitstop.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRestoreIT {
  private static TestPostgres pg;
  private final SnapshotStep snapshot = new SnapshotStep(Progress.silent());
  private final RestoreStep restore = new RestoreStep(Progress.silent());
  private final MigrateStep migrate = new MigrateStep(Progress.silent());
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

  private static SnapshotRequest snapshotOf(DbConnection db, String runId) {
    return SnapshotRequest.of(db, runId)
        .withSessions(SessionPolicy.waitFor(Duration.ofSeconds(1)))
        .withTimeout(Duration.ofSeconds(20));
  }

  private DbConnection withOrders(String name) throws Exception {
    DbConnection db = pg.createDatabase(name);
    pg.execute(
        name,
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(10,2))",
        "INSERT INTO orders SELECT g, 'customer' || (g % 50), g * 0.25"
            + " FROM generate_series(1, 3000) g");
    return db;
  }

  @Test
  void failedNonTransactionalMigrationFollowedByRestoreGivesBackTheExactDatabase()
      throws Exception {
    DbConnection db = withOrders("shop");
    // an existing database taken over by Flyway: baseline at 1, then V2
    migration(dir, "V2__notes.sql", "CREATE TABLE notes (id int PRIMARY KEY);\n");
    StepResult adopted =
        migrate.run(
            MigrateRequest.of(
                    db, FlywayOptions.locations("filesystem:" + dir).withBaselineOnMigrate(true))
                .withTimeout(Duration.ofSeconds(20)),
            noLog);
    assertThat(adopted.fields()).containsEntry("schema-version-after", "2");
    String rowsBefore = pg.checksum("shop", "orders");
    String schemaBefore = pg.schemaFingerprint("shop");
    String historyBefore =
        pg.queryString(
            "shop",
            "SELECT md5(string_agg(h::text, ',' ORDER BY installed_rank)) FROM flyway_schema_history h");

    List<String> undoLog = new ArrayList<>();
    StepResult taken = snapshot.run(snapshotOf(db, "run-1"), (k, v) -> undoLog.add(k + "=" + v));
    String snapshotName = (String) taken.fields().get("snapshot");
    assertThat(undoLog).containsExactly("snapshot=" + snapshotName);

    migration(
        dir,
        "V3__discounts.sql",
        "ALTER TABLE orders ADD COLUMN discount numeric(10,2) NOT NULL DEFAULT 0;\n"
            + "UPDATE orders SET total = total * 0.9, discount = total * 0.1;\n");
    // customers repeat, so the unique index fails after V2 has committed
    migration(
        dir,
        "V4__unique_customer.sql",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_customer ON orders (customer);\n");
    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                migrate.run(
                    MigrateRequest.of(db, FlywayOptions.locations("filesystem:" + dir))
                        .withAtomic(false)
                        .withTimeout(Duration.ofSeconds(20)),
                    noLog));
    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("V4", "outside a transaction", "restore the snapshot");
    assertThat(pg.checksum("shop", "orders")).isNotEqualTo(rowsBefore);

    try (Connection app = pg.jdbc("shop", "shop-app")) {
      StepResult restored = restore.run(RestoreRequest.of(db, "run-1"));
      assertThat(restored.fields())
          .containsEntry("restored", true)
          .containsEntry("snapshot", snapshotName)
          .containsEntry("replaced-database", Snapshots.replacedName("shop", "run-1"));
      assertThat(app.isValid(2)).isFalse();
    }

    assertThat(pg.checksum("shop", "orders")).isEqualTo(rowsBefore);
    assertThat(pg.schemaFingerprint("shop")).isEqualTo(schemaBefore);
    assertThat(
            pg.queryString(
                "shop",
                "SELECT md5(string_agg(h::text, ',' ORDER BY installed_rank)) FROM flyway_schema_history h"))
        .isEqualTo(historyBefore);
    assertThat(pg.databaseExists(snapshotName)).isFalse();
    assertThat(pg.databaseExists(Snapshots.replacedName("shop", "run-1"))).isTrue();

    StepResult again = restore.run(RestoreRequest.of(db, "run-1"));
    assertThat(again.fields()).containsEntry("restored", false);
    assertThat(pg.checksum("shop", "orders")).isEqualTo(rowsBefore);
  }

  @Test
  void restoreStoppedHalfWayIsCompletedByRunningItAgain() throws Exception {
    DbConnection db = withOrders("half");
    String rowsBefore = pg.checksum("half", "orders");
    String snapshotName =
        (String) snapshot.run(snapshotOf(db, "run-7"), noLog).fields().get("snapshot");
    pg.execute("half", "DELETE FROM orders WHERE id > 100");
    // the first rename happened, then the process died
    pg.execute(
        "postgres",
        "ALTER DATABASE half RENAME TO \"" + Snapshots.replacedName("half", "run-7") + "\"");

    StepResult result = restore.run(RestoreRequest.of(db, "run-7"));

    assertThat(result.fields()).containsEntry("restored", true);
    assertThat(pg.checksum("half", "orders")).isEqualTo(rowsBefore);
    assertThat(pg.databaseExists(snapshotName)).isFalse();
  }

  @Test
  void snapshotIsIdempotentPerRunAndKeepDropsOlderSnapshots() throws Exception {
    DbConnection db = withOrders("kept");
    String first = (String) snapshot.run(snapshotOf(db, "run-a"), noLog).fields().get("snapshot");
    String second = (String) snapshot.run(snapshotOf(db, "run-b"), noLog).fields().get("snapshot");

    StepResult repeated = snapshot.run(snapshotOf(db, "run-b"), noLog);
    assertThat(repeated.fields()).containsEntry("snapshot", second).containsEntry("created", false);

    StepResult third = snapshot.run(snapshotOf(db, "run-c").withKeep(2), noLog);

    assertThat(third.fields()).containsEntry("created", true);
    assertThat(third.fields().get("dropped")).isEqualTo(List.of(first));
    assertThat(pg.databaseExists(first)).isFalse();
    assertThat(pg.databaseExists(second)).isTrue();
    assertThat(pg.databaseExists((String) third.fields().get("snapshot"))).isTrue();
    assertThat(pg.databaseExists("kept")).isTrue();
    assertThat(pg.checksum((String) third.fields().get("snapshot"), "orders"))
        .isEqualTo(pg.checksum("kept", "orders"));
  }

  @Test
  void snapshotWaitsForConnectedSessionsThenExitsTransientNamingThem() throws Exception {
    DbConnection db = withOrders("busy");
    List<String> undoLog = new ArrayList<>();

    try (Connection app = pg.jdbc("busy", "orders-worker")) {
      PitstopException failure =
          catchThrowableOfType(
              PitstopException.class,
              () -> snapshot.run(snapshotOf(db, "run-1"), (k, v) -> undoLog.add(k)));

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage()).contains("orders-worker");
      assertThat(app.isValid(2)).isTrue();
    }
    assertThat(undoLog).isEmpty();
    assertThat(pg.databaseExists(Snapshots.snapshotName("busy", "run-1"))).isFalse();

    try (Connection app = pg.jdbc("busy", "orders-worker")) {
      StepResult taken =
          snapshot.run(
              snapshotOf(db, "run-1")
                  .withSessions(SessionPolicy.terminateWithin(Duration.ofSeconds(10))),
              noLog);
      assertThat(taken.fields()).containsEntry("created", true);
      assertThat(app.isValid(2)).isFalse();
    }
  }

  @Test
  void snapshotByAUserWithoutCreatedbIsAClearUsageError() throws Exception {
    withOrders("owned");
    pg.execute(
        "postgres",
        "DROP ROLE IF EXISTS plain_user",
        "CREATE ROLE plain_user LOGIN PASSWORD 'plain-pw-123' NOCREATEDB");
    DbConnection asPlainUser =
        DbConnection.of(pg.url("owned"), "plain_user", "plain-pw-123".toCharArray());

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class, () -> snapshot.run(snapshotOf(asPlainUser, "run-1"), noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(failure.getMessage()).contains("plain_user", "CREATEDB");
  }

  @Test
  void hostileDatabaseNamesAreRejectedBeforeAnythingIsTouched() throws Exception {
    List<String> undoLog = new ArrayList<>();
    DbConnection hostile =
        DbConnection.of(
            "jdbc:postgresql://localhost:"
                + pg.port()
                + "/x%22%3B%20DROP%20DATABASE%20postgres%3B%20--",
            "postgres",
            null);
    DbConnection tooLong = pg.db("a".repeat(64));

    for (DbConnection db : List.of(hostile, tooLong)) {
      PitstopException onSnapshot =
          catchThrowableOfType(
              PitstopException.class,
              () -> snapshot.run(snapshotOf(db, "run-1"), (k, v) -> undoLog.add(k)));
      PitstopException onRestore =
          catchThrowableOfType(
              PitstopException.class, () -> restore.run(RestoreRequest.of(db, "run-1")));

      assertThat(onSnapshot.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(onRestore.exitCode()).isEqualTo(ExitCode.USAGE);
    }
    PitstopException badMaintenance =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                snapshot.run(
                    new SnapshotRequest(
                        pg.db("postgres"),
                        "run-1",
                        "postgres\"; DROP TABLE x; --",
                        0,
                        SessionPolicy.waitFor(Duration.ofSeconds(1)),
                        false,
                        Duration.ofSeconds(5)),
                    noLog));
    assertThat(badMaintenance.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(undoLog).isEmpty();
    assertThat(pg.databaseExists("postgres")).isTrue();
  }

  @Test
  void restoreWithoutTheSnapshotFailsAndChangesNothing() throws Exception {
    withOrders("nosnap");
    String rowsBefore = pg.checksum("nosnap", "orders");

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class, () -> restore.run(RestoreRequest.of(pg.db("nosnap"), "run-9")));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage()).contains("does not exist", "nothing was restored");
    assertThat(pg.checksum("nosnap", "orders")).isEqualTo(rowsBefore);
  }

  @Test
  void pruneKeepsTheNewestOfEachKindAndNeverTheSnapshotARunNeeds() throws Exception {
    DbConnection db = withOrders("prunes");
    for (String run : List.of("run-a", "run-b", "run-c")) {
      assertThat(snapshot.run(snapshotOf(db, run), noLog).fields()).containsEntry("created", true);
    }
    // run-b was rolled back: its restore set the migrated database aside
    restore.run(
        new RestoreRequest(
            db,
            "run-b",
            Snapshots.snapshotName("prunes", "run-b"),
            "postgres",
            SessionPolicy.terminateWithin(Duration.ofSeconds(5)),
            false,
            Duration.ofSeconds(20)));
    String replaced = Snapshots.replacedName("prunes", "run-b");
    String runA = Snapshots.snapshotName("prunes", "run-a");
    String runC = Snapshots.snapshotName("prunes", "run-c");
    assertThat(pg.databaseExists(replaced)).isTrue();

    StepResult dry =
        new PruneStep(Progress.silent())
            .prune(db, "postgres", 0, java.util.Set.of(runA), true, Duration.ofSeconds(20));
    assertThat(dry.fields().get("dropped")).asList().containsExactlyInAnyOrder(runC, replaced);
    assertThat(pg.databaseExists(runC)).as("a dry run drops nothing").isTrue();

    StepResult pruned =
        new PruneStep(Progress.silent())
            .prune(db, "postgres", 0, java.util.Set.of(runA), false, Duration.ofSeconds(20));

    assertThat(pruned.fields().get("dropped")).asList().containsExactlyInAnyOrder(runC, replaced);
    assertThat(pg.databaseExists(runA)).as("the record names it").isTrue();
    assertThat(pg.databaseExists(runC)).isFalse();
    assertThat(pg.databaseExists(replaced)).isFalse();
    assertThat(pg.databaseExists("prunes")).isTrue();
  }
}
