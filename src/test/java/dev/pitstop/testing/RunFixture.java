package dev.pitstop.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.pitstop.testing.CliRunner.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a test of {@code pitstop run} needs besides the cluster: a database at the demo's version 1
 * (5000 orders), no leftover snapshots, and a health endpoint for the smoke test.
 */
public final class RunFixture implements AutoCloseable {
  public static final String V1 = "classpath:pitstop/demo/v1";
  public static final String V2 = V1 + ",classpath:pitstop/demo/v2";

  /** Version 2, then a version 3 whose V4 fails half-way with a division by zero. */
  public static final String V4 = V2 + ",classpath:pitstop/demo/v3";

  private final TestPostgres postgres;
  private final String database;
  private final HttpServer health;
  private final AtomicInteger healthStatus = new AtomicInteger(200);

  private RunFixture(TestPostgres postgres, String database, HttpServer health) {
    this.postgres = postgres;
    this.database = database;
    this.health = health;
  }

  /** Recreates {@code database} at version 1 with {@code cli} and starts a health endpoint. */
  public static RunFixture start(TestPostgres postgres, String database, CliRunner cli)
      throws SQLException {
    dropSnapshots(postgres, database);
    postgres.createDatabase(database);
    Result setup =
        cli.run(
            "migrate",
            "--run-id",
            "setup",
            "--jdbc-url",
            postgres.url(database),
            "--db-user",
            "postgres",
            "--locations",
            V1);
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    return withHealth(postgres, database);
  }

  private static RunFixture withHealth(TestPostgres postgres, String database) {
    HttpServer health;
    try {
      health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RunFixture fixture = new RunFixture(postgres, database, health);
    health.createContext(
        "/healthz",
        exchange -> {
          byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(fixture.healthStatus.get(), body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    health.start();
    return fixture;
  }

  /**
   * A copy of {@code template} (a database a fixture made) named {@code database}, made by {@code
   * CREATE DATABASE … TEMPLATE}: the same rows and schema history in a fraction of the time of
   * migrating and inserting again.
   */
  public static RunFixture copyOf(TestPostgres postgres, String template, String database)
      throws SQLException {
    dropSnapshots(postgres, database);
    // 55006: a session that used the template is still closing; try again until it has gone
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              try {
                postgres.execute(
                    "postgres",
                    "DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)",
                    "CREATE DATABASE \"" + database + "\" TEMPLATE \"" + template + "\"");
                return true;
              } catch (SQLException e) {
                if ("55006".equals(e.getSQLState())) {
                  return false;
                }
                throw e;
              }
            });
    return withHealth(postgres, database);
  }

  /** Drops this fixture's database and its snapshots. */
  public void dropDatabases() throws SQLException {
    dropSnapshots(postgres, database);
    postgres.execute("postgres", "DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
  }

  private static void dropSnapshots(TestPostgres postgres, String database) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = postgres.jdbc("postgres");
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT datname FROM pg_database WHERE datname LIKE '"
                    + database
                    + "\\_pitstop%'")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    for (String name : names) {
      postgres.execute("postgres", "DROP DATABASE \"" + name + "\" WITH (FORCE)");
    }
  }

  /**
   * The options of a {@code run} of {@code runId} over every workload labelled {@code app=<app>},
   * configmap maintenance in {@code <app>-settings}, this database and the health endpoint, with no
   * retries of the whole step (a step's own retries of transient errors still apply).
   */
  public List<String> runArgs(String app, String runId) {
    return new ArrayList<>(
        List.of(
            "--run-id",
            runId,
            "--selector",
            "app=" + app,
            "--mode",
            "configmap",
            "--configmap",
            app + "-settings",
            "--key",
            "maintenance",
            "--jdbc-url",
            postgres.url(database),
            "--db-user",
            "postgres",
            "--url",
            healthUrl(),
            "--interval",
            "100ms",
            "--retries",
            "0",
            "--sessions-timeout",
            "1s"));
  }

  public String healthUrl() {
    return "http://127.0.0.1:" + health.getAddress().getPort() + "/healthz";
  }

  public void healthStatus(int status) {
    healthStatus.set(status);
  }

  public String jdbcUrl() {
    return postgres.url(database);
  }

  /** Row-level checksum of the orders. */
  public String orders() throws SQLException {
    return postgres.checksum(database, "orders");
  }

  public String schema() throws SQLException {
    return postgres.schemaFingerprint(database);
  }

  /**
   * A checksum of the columns every version has (id, customer, amount, created_at): equal before
   * and after a migration that loses no row and rewrites no amount.
   */
  public String originalRows() throws SQLException {
    return postgres.queryString(
        database,
        "SELECT count(*) || ':' || md5(string_agg(id || '|' || customer || '|' || amount_cents"
            + " || '|' || created_at, ',' ORDER BY id)) FROM orders");
  }

  /** The latest successfully applied schema version. */
  public String version() throws SQLException {
    return postgres.queryString(
        database,
        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank DESC"
            + " LIMIT 1");
  }

  @Override
  public void close() {
    health.stop(0);
  }
}
