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
import dev.pitstop.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrateStepIT {
  private static final String V1 =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, balance numeric(12,2));\n"
          + "INSERT INTO accounts SELECT g, 'user' || g || '@example.com', g * 1.5"
          + " FROM generate_series(1, 2000) g;\n";

  private static TestPostgres pg;
  private final MigrateStep step = new MigrateStep(Progress.silent());
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

  private MigrateRequest request(DbConnection db, Path migrations) {
    return MigrateRequest.of(db, FlywayOptions.locations("filesystem:" + migrations))
        .withSessions(SessionPolicy.waitFor(Duration.ofSeconds(1)))
        .withTimeout(Duration.ofSeconds(20));
  }

  private DbConnection atVersion1(String name, Path migrations) throws Exception {
    DbConnection db = pg.createDatabase(name);
    migration(migrations, "V1__create_accounts.sql", V1);
    step.run(request(db, migrations), noLog);
    return db;
  }

  @Test
  void atomicMigrationFailingHalfWayLeavesSchemaAndRowsUntouched() throws Exception {
    DbConnection db = atVersion1("atomic_fail", dir);
    String rowsBefore = pg.checksum("atomic_fail", "accounts");
    String schemaBefore = pg.schemaFingerprint("atomic_fail");
    migration(
        dir,
        "V2__add_currency.sql",
        "ALTER TABLE accounts ADD COLUMN currency text NOT NULL DEFAULT 'EUR';\n"
            + "UPDATE accounts SET balance = balance * 100;\n"
            + "CREATE TABLE audit (id bigint PRIMARY KEY);\n");
    migration(
        dir,
        "V3__tighten_email.sql",
        "UPDATE accounts SET email = NULL WHERE id = 1000;\n"
            + "ALTER TABLE accounts ADD COLUMN never text;\n");

    PitstopException failure =
        catchThrowableOfType(PitstopException.class, () -> step.run(request(db, dir), noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(failure.getMessage())
        .contains("V3", "tighten email", "V3__tighten_email.sql")
        .contains("null value in column \"email\"")
        .contains("rolled back");
    assertThat(pg.checksum("atomic_fail", "accounts")).isEqualTo(rowsBefore);
    assertThat(pg.schemaFingerprint("atomic_fail")).isEqualTo(schemaBefore);
    assertThat(
            pg.queryString(
                "atomic_fail", "SELECT max(version) FROM flyway_schema_history WHERE success"))
        .isEqualTo("1");
    assertThat(pg.queryString("atomic_fail", "SELECT to_regclass('audit')::text")).isNull();
  }

  @Test
  void migrateRecordsVersionBeforeChangingAnythingAndReportsWhatItApplied() throws Exception {
    DbConnection db = atVersion1("applies", dir);
    migration(dir, "V2__add_currency.sql", "ALTER TABLE accounts ADD COLUMN currency text;\n");
    migration(dir, "V3__index_email.sql", "CREATE INDEX accounts_email ON accounts (email);\n");
    List<String> undoLog = new ArrayList<>();

    StepResult result =
        step.run(
            request(db, dir),
            (key, value) -> {
              try {
                // write-ahead: nothing has changed yet when the ledger is told
                undoLog.add(
                    key
                        + "="
                        + value
                        + " currency-column="
                        + pg.queryString(
                            "applies",
                            "SELECT count(*) FROM information_schema.columns"
                                + " WHERE column_name = 'currency'"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    assertThat(undoLog).containsExactly("schema-version-before=1 currency-column=0");
    assertThat(result.fields())
        .containsEntry("schema-version-before", "1")
        .containsEntry("schema-version-after", "3");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> applied = (List<Map<String, Object>>) result.fields().get("applied");
    assertThat(applied).extracting(m -> m.get("version")).containsExactly("2", "3");
    assertThat(applied)
        .extracting(m -> m.get("description"))
        .containsExactly("add currency", "index email");
    assertThat(applied).allSatisfy(m -> assertThat((Integer) m.get("duration-ms")).isNotNegative());

    StepResult again = step.run(request(db, dir), noLog);
    assertThat(again.fields()).containsEntry("schema-version-after", "3");
    assertThat((List<?>) again.fields().get("applied")).isEmpty();
  }

  @Test
  void dryRunListsPendingMigrationsAndChangesNothing() throws Exception {
    DbConnection db = atVersion1("dry_run", dir);
    String rowsBefore = pg.checksum("dry_run", "accounts");
    String schemaBefore = pg.schemaFingerprint("dry_run");
    String historyBefore =
        pg.queryString(
            "dry_run", "SELECT md5(string_agg(h::text, ',')) FROM flyway_schema_history h");
    migration(dir, "V2__add_currency.sql", "ALTER TABLE accounts ADD COLUMN currency text;\n");
    migration(
        dir,
        "V3__index_email.sql",
        "CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n");
    List<String> undoLog = new ArrayList<>();

    StepResult result =
        step.run(request(db, dir).withAtomic(false).withDryRun(true), (k, v) -> undoLog.add(k));

    assertThat(undoLog).isEmpty();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pending = (List<Map<String, Object>>) result.fields().get("pending");
    assertThat(pending).extracting(m -> m.get("version")).containsExactly("2", "3");
    assertThat(pending).extracting(m -> m.get("transactional")).containsExactly(true, false);
    assertThat(pending).allSatisfy(m -> assertThat(m.get("checksum")).isNotNull());
    assertThat(result.fields()).containsEntry("schema-version-before", "1");
    assertThat(pg.checksum("dry_run", "accounts")).isEqualTo(rowsBefore);
    assertThat(pg.schemaFingerprint("dry_run")).isEqualTo(schemaBefore);
    assertThat(
            pg.queryString(
                "dry_run", "SELECT md5(string_agg(h::text, ',')) FROM flyway_schema_history h"))
        .isEqualTo(historyBefore);
  }

  @Test
  void heldTableLockMakesMigrateExitTransientWithinTheLockTimeout() throws Exception {
    DbConnection db = atVersion1("locked", dir);
    migration(dir, "V2__add_currency.sql", "ALTER TABLE accounts ADD COLUMN currency text;\n");
    MigrateRequest request =
        request(db, dir)
            .withSession(SessionSettings.defaults().withLockTimeout(Duration.ofSeconds(1)))
            .withSessions(SessionPolicy.waitFor(Duration.ofSeconds(1)).ignoring("batch-job"));

    try (Connection holder = pg.jdbc("locked", "batch-job");
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");

      long started = System.nanoTime();
      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> step.run(request, noLog));
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage()).contains("lock_timeout", "V2");
      assertThat(took).isLessThan(Duration.ofSeconds(10));
      holder.rollback();
    }

    StepResult retried = step.run(request, noLog);
    assertThat(retried.fields()).containsEntry("schema-version-after", "2");
  }

  @Test
  void atomicMigrateRefusesAMigrationThatCannotRunInATransaction() throws Exception {
    DbConnection db = atVersion1("atomic_refuses", dir);
    migration(
        dir,
        "V2__index_email.sql",
        "CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n");

    PitstopException failure =
        catchThrowableOfType(PitstopException.class, () -> step.run(request(db, dir), noLog));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(failure.getMessage()).contains("V2", "--atomic");
    assertThat(
            pg.queryString(
                "atomic_refuses",
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_email'"))
        .isEqualTo("0");
  }

  @Test
  void flywayConfigFileAndEnvironmentAreHonouredAndPitstopOptionsWin() throws Exception {
    DbConnection db = pg.createDatabase("configured");
    Path migrations = dir.resolve("sql");
    migration(
        migrations,
        "V1__greetings.sql",
        "CREATE TABLE greetings (id int PRIMARY KEY, text text);\n");
    migration(
        migrations, "V2__hello.sql", "INSERT INTO greetings VALUES (1, '${greeting} ${who}');\n");
    migration(migrations, "V3__later.sql", "INSERT INTO greetings VALUES (3, 'later');\n");
    Path conf = dir.resolve("flyway.conf");
    Files.writeString(
        conf,
        "flyway.locations=filesystem:"
            + migrations
            + "\nflyway.placeholders.greeting=ignored\nflyway.placeholders.who=world\n"
            + "flyway.cleanDisabled=false\n");
    FlywayOptions options =
        new FlywayOptions(
            List.of(),
            "2",
            List.of(),
            null,
            null,
            Map.of(),
            conf,
            Map.of("FLYWAY_PLACEHOLDERS_GREETING", "hello"));

    StepResult result =
        step.run(MigrateRequest.of(db, options).withTimeout(Duration.ofSeconds(20)), noLog);

    assertThat(result.fields()).containsEntry("schema-version-after", "2");
    assertThat(pg.queryString("configured", "SELECT string_agg(text, ',') FROM greetings"))
        .isEqualTo("hello world");
  }

  @Test
  void otherSessionMakesMigrateWaitThenExitTransientNamingIt() throws Exception {
    DbConnection db = atVersion1("sessions_wait", dir);
    migration(dir, "V2__add_currency.sql", "ALTER TABLE accounts ADD COLUMN currency text;\n");

    try (Connection app = pg.jdbc("sessions_wait", "billing-app")) {
      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> step.run(request(db, dir), noLog));

      assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(failure.getMessage()).contains("billing-app", "still connected");
      assertThat(app.isValid(2)).isTrue();
    }
    assertThat(
            pg.queryString(
                "sessions_wait",
                "SELECT count(*) FROM information_schema.columns WHERE column_name = 'currency'"))
        .isEqualTo("0");
  }

  @Test
  void terminateSessionsEndsThemAndWaitsUntilTheyAreGone() throws Exception {
    DbConnection db = atVersion1("sessions_kill", dir);
    migration(dir, "V2__add_currency.sql", "ALTER TABLE accounts ADD COLUMN currency text;\n");

    try (Connection app = pg.jdbc("sessions_kill", "billing-app")) {
      StepResult result =
          step.run(
              request(db, dir).withSessions(SessionPolicy.terminateWithin(Duration.ofSeconds(10))),
              noLog);

      assertThat(result.fields()).containsEntry("schema-version-after", "2");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> others =
          (List<Map<String, Object>>) result.fields().get("other-sessions");
      assertThat(others).extracting(m -> m.get("application-name")).containsExactly("billing-app");
      assertThat(app.isValid(2)).isFalse();
    }
  }
}
