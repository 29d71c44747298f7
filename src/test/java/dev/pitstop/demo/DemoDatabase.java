package dev.pitstop.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server started from a Maven artifact, in its own temporary folder that is
 * deleted on close, so the demo leaves nothing behind.
 */
public final class DemoDatabase implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";

  private final Path folder;
  private final EmbeddedPostgres postgres;

  private DemoDatabase(String database) throws IOException, SQLException {
    folder = Files.createTempDirectory("pitstop-demo-");
    postgres =
        EmbeddedPostgres.builder()
            .setOverrideWorkingDirectory(folder.toFile())
            .setDataDirectory(folder.resolve("data"))
            .setCleanDataDirectory(true)
            .start();
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
  }

  public static DemoDatabase start(String database) {
    try {
      return new DemoDatabase(database);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  public String jdbcUrl(String database) {
    return postgres.getJdbcUrl(USER, database).replaceFirst("\\?.*$", "");
  }

  public int port() {
    return postgres.getPort();
  }

  /** One query's first column of the first row, as text. */
  public String query(String database, String sql) {
    try (Connection connection = postgres.getDatabase(USER, database).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteFolder();
    }
  }

  private void deleteFolder() {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
