package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.step.MigrateRequest;
import dev.pitstop.step.MigrateStep;
import dev.pitstop.step.VerifyRequest;
import dev.pitstop.step.VerifyStep;
import dev.pitstop.testing.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionIT {
  private static final String PASSWORD = "Tr0ub4dor-and-3-horses";
  private static final String WRONG_PASSWORD = "correct-horse-battery-staple";

  private static TestPostgres pg;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    pg = TestPostgres.start();
    pg.execute(
        "postgres",
        "CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'",
        "CREATE DATABASE appdb OWNER app");
  }

  @AfterAll
  static void stopServer() {
    pg.close();
  }

  private FlywayOptions flyway() {
    return FlywayOptions.locations(
        "filesystem:" + TestPostgres.migration(dir, "V1__t.sql", "CREATE TABLE t (id int);\n"));
  }

  /** Every message, toString and stack trace along the chain, as one text. */
  private static String everythingPrinted(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    StringBuilder all = new StringBuilder(out.toString());
    for (Throwable t = error; t != null; t = t.getCause()) {
      all.append('\n').append(t.getMessage()).append('\n').append(t);
    }
    return all.toString();
  }

  @Test
  void wrongPasswordIsAClearUsageErrorThatNeverShowsThePassword() {
    DbConnection db = DbConnection.of(pg.url("appdb"), "app", WRONG_PASSWORD.toCharArray());

    PitstopException onMigrate =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                new MigrateStep(Progress.silent())
                    .run(
                        MigrateRequest.of(db, flyway()).withTimeout(Duration.ofSeconds(10)),
                        (k, v) -> {}));
    PitstopException onVerify =
        catchThrowableOfType(
            PitstopException.class,
            () -> new VerifyStep(Progress.silent()).run(VerifyRequest.of(db, flyway())));

    for (PitstopException failure : new PitstopException[] {onMigrate, onVerify}) {
      assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(failure.getMessage())
          .contains("authentication failed", "app@localhost:" + pg.port() + "/appdb");
      assertThat(everythingPrinted(failure))
          .doesNotContain(WRONG_PASSWORD)
          .doesNotContain(PASSWORD);
    }
    assertThat(db.toString()).doesNotContain(WRONG_PASSWORD);
  }

  @Test
  void passwordWrittenIntoTheUrlIsUsedButNeverPrinted() throws Exception {
    DbConnection db =
        DbConnection.of(pg.url("appdb") + "?user=app&password=" + PASSWORD, null, null);
    try (Connection connection = db.open(SessionSettings.defaults())) {
      assertThat(connection.isValid(2)).isTrue();
    }
    DbConnection wrong =
        DbConnection.of(pg.url("appdb") + "?password=" + WRONG_PASSWORD + "&user=app", null, null);
    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                wrong.connect(
                    SessionSettings.defaults(), Deadline.after(Duration.ofSeconds(5)), d -> {}));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(everythingPrinted(failure)).doesNotContain(WRONG_PASSWORD);
    assertThat(db.toString() + db.describe()).doesNotContain(PASSWORD);
  }

  @Test
  void unreachableDatabaseIsTransientAfterRetryingUntilTheDeadline() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    DbConnection db =
        DbConnection.of(
            "jdbc:postgresql://localhost:" + closedPort + "/appdb", "app", PASSWORD.toCharArray());

    long started = System.nanoTime();
    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                new MigrateStep(Progress.silent())
                    .run(
                        MigrateRequest.of(db, flyway()).withTimeout(Duration.ofSeconds(2)),
                        (k, v) -> {}));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.TRANSIENT);
    assertThat(failure.getMessage()).contains("cannot reach the database", "attempt(s)");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(everythingPrinted(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void malformedJdbcUrlsAreUsageErrors() {
    for (String url :
        new String[] {
          "jdbc:mysql://localhost:3306/appdb",
          "postgres://localhost/appdb",
          "jdbc:postgresql://localhost:notaport/appdb",
          "jdbc:postgresql://localhost:5432/"
        }) {
      PitstopException failure =
          catchThrowableOfType(
              PitstopException.class, () -> DbConnection.of(url, "app", PASSWORD.toCharArray()));
      assertThat(failure.exitCode()).as(url).isEqualTo(ExitCode.USAGE);
      assertThat(failure.getMessage()).as(url).contains("jdbc:postgresql://host:5432/");
    }
  }

  @Test
  void missingDatabaseIsAUsageError() {
    DbConnection db = pg.db("no_such_db");

    PitstopException failure =
        catchThrowableOfType(
            PitstopException.class,
            () ->
                db.connect(
                    SessionSettings.defaults(), Deadline.after(Duration.ofSeconds(5)), d -> {}));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(failure.getMessage()).contains("no_such_db");
  }

  @Test
  void sessionsCarryPitstopsNameAndTimeouts() throws Exception {
    DbConnection db = DbConnection.of(pg.url("appdb"), "app", PASSWORD.toCharArray());
    SessionSettings settings =
        new SessionSettings(Duration.ofSeconds(3), Duration.ofMinutes(5), Duration.ofSeconds(5));

    try (Connection connection = db.open(settings);
        Statement s = connection.createStatement();
        ResultSet row =
            s.executeQuery(
                "SELECT current_setting('application_name'), current_setting('lock_timeout'),"
                    + " current_setting('statement_timeout')")) {
      row.next();
      assertThat(row.getString(1)).isEqualTo("pitstop");
      assertThat(row.getString(2)).isEqualTo("3s");
      assertThat(row.getString(3)).isEqualTo("5min");
    }
  }

  private static int pid(Connection connection) throws Exception {
    try (Statement s = connection.createStatement();
        ResultSet row = s.executeQuery("SELECT pg_backend_pid()")) {
      row.next();
      return row.getInt(1);
    }
  }

  private static long sessionsOf(int... pids) throws Exception {
    String list = java.util.Arrays.toString(pids).replace('[', '(').replace(']', ')');
    return Long.parseLong(
        pg.queryString("postgres", "SELECT count(*) FROM pg_stat_activity WHERE pid IN " + list));
  }

  @Test
  void keptSessionsAreHandedOutAgainResetAndClosedAtTheEnd() throws Exception {
    DbConnection db = DbConnection.of(pg.url("appdb"), "app", PASSWORD.toCharArray());
    SessionSettings settings = SessionSettings.defaults().withLockTimeout(Duration.ofSeconds(3));
    PitstopDataSource source = (PitstopDataSource) db.dataSource(settings);
    Connection own = db.open(settings);
    int ownPid = pid(own);
    source.keepSessions(own);

    Connection first = source.getConnection();
    assertThat(pid(first)).isEqualTo(ownPid);
    first.setAutoCommit(false);
    try (Statement s = first.createStatement()) {
      s.execute("CREATE TABLE never_committed (id int)");
    }
    first.close();
    assertThat(first.isClosed()).isTrue();
    assertThatThrownBy(first::createStatement).isInstanceOf(java.sql.SQLException.class);

    Connection again = source.getConnection();
    assertThat(pid(again)).isEqualTo(ownPid);
    assertThat(again.getAutoCommit()).isTrue();
    try (Statement s = again.createStatement();
        ResultSet row =
            s.executeQuery(
                "SELECT to_regclass('never_committed') IS NULL,"
                    + " current_setting('lock_timeout'), current_setting('application_name')")) {
      row.next();
      assertThat(row.getBoolean(1)).as("the uncommitted table was rolled back").isTrue();
      assertThat(row.getString(2)).isEqualTo("3s");
      assertThat(row.getString(3)).isEqualTo("pitstop");
    }
    Connection second = source.getConnection();
    int secondPid = pid(second);
    assertThat(secondPid).as("a session in use is not handed out twice").isNotEqualTo(ownPid);

    second.close();
    source.closeLeftovers();
    assertThat(again.isClosed()).isTrue();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(sessionsOf(ownPid, secondPid)).isZero());
  }

  @Test
  void migrateLeavesNoSessionBehind() throws Exception {
    DbConnection db = pg.createDatabase("no_leftovers");

    new MigrateStep(Progress.silent())
        .run(MigrateRequest.of(db, flyway()).withTimeout(Duration.ofSeconds(30)), (k, v) -> {});

    assertThat(pg.queryString("no_leftovers", "SELECT count(*) FROM t")).isEqualTo("0");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        pg.queryString(
                            "postgres",
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'no_leftovers'"
                                + " AND application_name = 'pitstop'"))
                    .isEqualTo("0"));
  }
}
