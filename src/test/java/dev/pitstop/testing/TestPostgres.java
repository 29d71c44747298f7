package dev.pitstop.testing;

import dev.pitstop.db.DbConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One real PostgreSQL server for a test class. The superuser {@code postgres} logs in without a
 * password; every other role must give its password (scram), so authentication failures are real.
 */
public final class TestPostgres implements AutoCloseable {
  private final EmbeddedPostgres server;

  private TestPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  public static TestPostgres start() {
    try {
      return new TestPostgres(
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "50")
              .setDataDirectoryCustomizer(TestPostgres::writeHba)
              .start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeHba(java.io.File dataDirectory) {
    try {
      Files.writeString(
          dataDirectory.toPath().resolve("pg_hba.conf"),
          String.join(
              "\n",
              "local all all trust",
              "host all postgres 127.0.0.1/32 trust",
              "host all postgres ::1/128 trust",
              "host all all 127.0.0.1/32 scram-sha-256",
              "host all all ::1/128 scram-sha-256",
              ""),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getPort();
  }

  public String url(String database) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
  }

  /** Pitstop's view of a database, as the superuser. */
  public DbConnection db(String database) {
    return DbConnection.of(url(database), "postgres", null);
  }

  /** A plain JDBC connection as the superuser, with an application name. */
  public Connection jdbc(String database, String applicationName) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(url(database), props);
  }

  public Connection jdbc(String database) throws SQLException {
    return jdbc(database, "test");
  }

  /** Creates an empty database (dropping a leftover) and returns Pitstop's view of it. */
  public DbConnection createDatabase(String name) throws SQLException {
    try (Connection c = jdbc("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
      s.execute("CREATE DATABASE \"" + name + "\"");
    }
    return db(name);
  }

  public void execute(String database, String... sql) throws SQLException {
    try (Connection c = jdbc(database);
        Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }

  public String queryString(String database, String sql) throws SQLException {
    try (Connection c = jdbc(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  public boolean databaseExists(String name) throws SQLException {
    try (Connection c = jdbc("postgres");
        var query = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, name);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** A row-level checksum of a table's whole content, in primary-key order. */
  public String checksum(String database, String table) throws SQLException {
    return queryString(
        database,
        "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY id)), '-') FROM "
            + table
            + " t");
  }

  /** Columns, constraints and indexes of the public schema: the shape, not the data. */
  public String schemaFingerprint(String database) throws SQLException {
    return queryString(
        database,
        "SELECT md5(coalesce((SELECT string_agg(table_name || '.' || column_name || ':' ||"
            + " data_type || ':' || is_nullable || ':' || coalesce(column_default, ''), ','"
            + " ORDER BY table_name, column_name) FROM information_schema.columns WHERE"
            + " table_schema = 'public'), '') || '|' || coalesce((SELECT string_agg(indexdef, ','"
            + " ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public'), '') || '|' ||"
            + " coalesce((SELECT string_agg(conname || pg_get_constraintdef(oid), ',' ORDER BY"
            + " conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace), ''))");
  }

  /** Writes a migration file into a folder and returns the folder. */
  public static Path migration(Path dir, String fileName, String sql) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(fileName), sql, StandardCharsets.UTF_8);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
