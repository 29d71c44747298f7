package dev.pitstop.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a migration plan needs to know about a database besides its migrations: how big it is (a
 * snapshot copies all of it), whether the user may create databases (a snapshot is one), which
 * server version runs it, and how long the migrations recorded in its history took. Reads only.
 *
 * @param sizeBytes {@code pg_database_size} of the database
 * @param superuser the user is a superuser (who may create databases anyway)
 * @param createDb the role has {@code CREATEDB}
 * @param serverVersionNum {@code server_version_num}, e.g. 160004
 * @param history the successful migrations recorded, oldest first; empty without a history table
 */
public record DatabaseFacts(
    long sizeBytes,
    boolean superuser,
    boolean createDb,
    int serverVersionNum,
    List<Applied> history) {

  /** One migration as the history table recorded it. */
  public record Applied(String version, String description, String type, long executionMillis) {}

  /** Whether the user can take a snapshot ({@code CREATE DATABASE … TEMPLATE}). */
  public boolean mayCreateDatabases() {
    return superuser || createDb;
  }

  /**
   * Reads the facts on {@code connection}.
   *
   * @param historySchema schema of Flyway's history table
   * @param historyTable its name
   */
  public static DatabaseFacts read(Connection connection, String historySchema, String historyTable)
      throws SQLException {
    long size;
    int version;
    try (PreparedStatement query =
            connection.prepareStatement(
                "SELECT pg_database_size(current_database()),"
                    + " current_setting('server_version_num')::int");
        ResultSet rows = query.executeQuery()) {
      rows.next();
      size = rows.getLong(1);
      version = rows.getInt(2);
    }
    boolean superuser = false;
    boolean createDb = false;
    try (PreparedStatement query =
            connection.prepareStatement(
                "SELECT rolsuper, rolcreatedb FROM pg_catalog.pg_roles WHERE rolname = current_user");
        ResultSet rows = query.executeQuery()) {
      if (rows.next()) {
        superuser = rows.getBoolean(1);
        createDb = rows.getBoolean(2);
      }
    }
    return new DatabaseFacts(
        size, superuser, createDb, version, history(connection, historySchema, historyTable));
  }

  private static List<Applied> history(Connection connection, String schema, String table)
      throws SQLException {
    String qualified =
        Identifiers.quote("schema", schema) + "." + Identifiers.quote("history table", table);
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?)")) {
      exists.setString(1, qualified);
      try (ResultSet rows = exists.executeQuery()) {
        if (!rows.next() || rows.getString(1) == null) {
          return List.of();
        }
      }
    }
    List<Applied> applied = new ArrayList<>();
    try (PreparedStatement query =
            connection.prepareStatement(
                "SELECT version, description, type, execution_time FROM "
                    + qualified
                    + " WHERE success ORDER BY installed_rank");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        applied.add(
            new Applied(rows.getString(1), rows.getString(2), rows.getString(3), rows.getLong(4)));
      }
    }
    return applied;
  }
}
