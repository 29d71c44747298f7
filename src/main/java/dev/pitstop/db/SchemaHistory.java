package dev.pitstop.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Reads the schema version straight from Flyway's history table. Undoing a run only needs to know
 * where the schema stands, not which migration files exist, so this works without {@code
 * --locations} (the folder may belong to a version that is being rolled back).
 */
public final class SchemaHistory {
  /** What a database with no applied versioned migration is at. */
  public static final String NO_VERSION = "none";

  private SchemaHistory() {}

  /**
   * The highest version recorded as applied successfully (a baseline included), as Flyway counts
   * the current version; {@link #NO_VERSION} when the table is missing or holds none.
   */
  public static String currentVersion(Connection connection, String schema, String table)
      throws SQLException {
    if (!exists(connection, schema, table)) {
      return NO_VERSION;
    }
    Optional<MigrationVersion> highest = Optional.empty();
    String sql =
        "SELECT version FROM "
            + Identifiers.quote("schema", schema)
            + "."
            + Identifiers.quote("history table", table)
            + " WHERE success AND version IS NOT NULL";
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        MigrationVersion version = MigrationVersion.fromVersion(rows.getString(1));
        if (highest.isEmpty() || version.compareTo(highest.get()) > 0) {
          highest = Optional.of(version);
        }
      }
    }
    return highest.map(MigrationVersion::getVersion).orElse(NO_VERSION);
  }

  private static boolean exists(Connection connection, String schema, String table)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = ? AND tablename = ?")) {
      statement.setString(1, schema);
      statement.setString(2, table);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }
}
