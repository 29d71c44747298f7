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
import dev.pitstop.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyStepIT {
  private static TestPostgres pg;
  private final VerifyStep verify = new VerifyStep(Progress.silent());

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    pg = TestPostgres.start();
  }

  @AfterAll
  static void stopServer() {
    pg.close();
  }

  private Path migrations() {
    return dir.resolve("migrations");
  }

  private FlywayOptions flyway() {
    return FlywayOptions.locations("filesystem:" + migrations());
  }

  private DbConnection migrated(String name) throws Exception {
    DbConnection db = pg.createDatabase(name);
    migration(
        migrations(),
        "V1__users.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
            + "INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 500) g;\n");
    migration(migrations(), "V2__email_index.sql", "CREATE INDEX users_email ON users (email);\n");
    new MigrateStep(Progress.silent())
        .run(MigrateRequest.of(db, flyway()).withTimeout(Duration.ofSeconds(20)), (k, v) -> {});
    return db;
  }

  private Path check(String name, String sql) throws Exception {
    Path file = dir.resolve("checks").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, sql);
    return file;
  }

  @Test
  void migratedDatabaseWithPassingChecksVerifies() throws Exception {
    DbConnection db = migrated("good");

    StepResult result =
        verify.run(
            VerifyRequest.of(db, flyway())
                .withExpectVersion("2")
                .withChecks(
                    List.of(
                        check("emails.sql", "SELECT count(*) = 0 FROM users WHERE email IS NULL;"),
                        check("count.sql", "SELECT count(*) = 500 FROM users"))));

    assertThat(result.fields()).containsEntry("schema-version", "2").containsEntry("pending", 0);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> checks = (List<Map<String, Object>>) result.fields().get("checks");
    assertThat(checks).extracting(m -> m.get("passed")).containsExactly(true, true);
  }

  @Test
  void editedAppliedMigrationMakesVerifyFail() throws Exception {
    DbConnection db = migrated("edited");
    migration(
        migrations(), "V2__email_index.sql", "CREATE UNIQUE INDEX users_email ON users (email);\n");

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class, () -> verify.run(VerifyRequest.of(db, flyway())));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage()).contains("V2").containsIgnoringCase("checksum");
  }

  @Test
  void everyFailedCheckAndTheVersionMismatchAreNamedTogether() throws Exception {
    DbConnection db = migrated("checks");
    String rowsBefore = pg.checksum("checks", "users");
    List<Path> checks =
        List.of(
            check("passes.sql", "SELECT true"),
            check("is_false.sql", "SELECT count(*) > 500 FROM users"),
            check("two_rows.sql", "SELECT true FROM users WHERE id <= 2"),
            check("not_boolean.sql", "SELECT count(*) FROM users"),
            check("broken.sql", "SELECT true FROM no_such_table"),
            check(
                "writes.sql",
                "WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) > 0 FROM gone"));

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                verify.run(
                    VerifyRequest.of(db, flyway()).withExpectVersion("3").withChecks(checks)));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("6 problem(s)")
        .contains("schema version is 2, expected 3")
        .contains("is_false.sql failed: it returned false")
        .contains("two_rows.sql failed: it returned more than one row")
        .contains("not_boolean.sql failed: its first column is int8, not boolean")
        .contains("broken.sql failed: error:")
        .contains("writes.sql failed: error:", "read-only transaction")
        .doesNotContain("passes.sql");
    assertThat(pg.checksum("checks", "users")).isEqualTo(rowsBefore);
  }

  @Test
  void pendingMigrationFailsVerifyUnlessAllowed() throws Exception {
    DbConnection db = migrated("pending");
    migration(migrations(), "V3__later.sql", "ALTER TABLE users ADD COLUMN name text;\n");

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class, () -> verify.run(VerifyRequest.of(db, flyway())));
    StepResult allowed = verify.run(VerifyRequest.of(db, flyway()).withAllowPending(true));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage()).contains("1 migration(s) pending", "V3");
    assertThat(allowed.fields()).containsEntry("pending", 1);
  }

  @Test
  void statusReportsVersionPendingAndPitstopSnapshots() throws Exception {
    DbConnection db = migrated("status");
    migration(migrations(), "V3__later.sql", "ALTER TABLE users ADD COLUMN name text;\n");
    new SnapshotStep(Progress.silent()).run(SnapshotRequest.of(db, "run-42"), (k, v) -> {});

    StepResult status =
        new DatabaseStatus(Progress.silent())
            .read(new DatabaseStatus.Request(db, flyway(), null, Duration.ofSeconds(10)));

    assertThat(status.fields()).containsEntry("schema-version", "2").doesNotContainKey("errors");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pending = (List<Map<String, Object>>) status.fields().get("pending");
    assertThat(pending).extracting(m -> m.get("version")).containsExactly("3");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> snapshots =
        (List<Map<String, Object>>) status.fields().get("snapshots");
    assertThat(snapshots)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.get("kind")).isEqualTo("snapshot");
              assertThat(s.get("run-id")).isEqualTo("run-42");
            });
  }
}
