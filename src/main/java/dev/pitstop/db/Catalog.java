package dev.pitstop.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code migrate} reads from and repairs in PostgreSQL's catalog around Flyway: the history
 * table and schemas a failed first run leaves behind, indexes a failed concurrent build leaves
 * INVALID, and the sessions that hold a transaction open.
 */
public final class Catalog {
  private Catalog() {}

  /** An index PostgreSQL does not use because its build failed. */
  public record InvalidIndex(String schema, String name, String table) {
    /** {@code schema.name}, quoted where needed, as a DBA would type it. */
    public String qualifiedName() {
      return display(schema) + "." + display(name);
    }

    String sql() {
      return quote(schema) + "." + quote(name);
    }
  }

  /** A session in a transaction, described for a message. */
  public record OpenTransaction(
      int pid, String user, String applicationName, String state, OffsetDateTime since) {
    /** PostgreSQL shows the state only to the same role or {@code pg_read_all_stats}. */
    public String describe() {
      return "pid "
          + pid
          + " (user "
          + orDash(user)
          + ", application "
          + orDash(applicationName)
          + (state == null ? "" : ", " + state)
          + (since == null ? "" : ", in a transaction since " + since)
          + ")";
    }
  }

  /** The session's first schema on its search path, where Flyway puts its history by default. */
  public static String currentSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_schema()")) {
      return row.next() ? row.getString(1) : null;
    }
  }

  public static boolean tableExists(Connection connection, String schema, String table)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT to_regclass(format('%I.%I', ?::text, ?::text))")) {
      query.setString(1, schema);
      query.setString(2, table);
      try (ResultSet row = query.executeQuery()) {
        return row.next() && row.getString(1) != null;
      }
    }
  }

  /**
   * Whether the enum type, named as a migration wrote it ({@code status}, {@code app."Status"}),
   * exists and has the label already.
   */
  public static boolean enumHasLabel(Connection connection, String type, String label)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_enum WHERE enumtypid = to_regtype(?)"
                + " AND enumlabel = ?)")) {
      query.setString(1, type);
      query.setString(2, label);
      try (ResultSet row = query.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /** Those of {@code schemas} that exist. */
  public static Set<String> existingSchemas(Connection connection, Collection<String> schemas)
      throws SQLException {
    Set<String> found = new LinkedHashSet<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(?) ORDER BY nspname")) {
      query.setArray(1, textArray(connection, schemas));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          found.add(rows.getString(1));
        }
      }
    }
    return found;
  }

  /**
   * INVALID indexes in {@code schemas}, leaving out any being built right now (a concurrent build
   * shows its index as invalid until it ends).
   */
  public static List<InvalidIndex> invalidIndexes(Connection connection, Collection<String> schemas)
      throws SQLException {
    List<InvalidIndex> found = new ArrayList<>();
    // PostgreSQL 11 and older show no index builds in progress
    boolean progressShown = connection.getMetaData().getDatabaseMajorVersion() >= 12;
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT n.nspname, ci.relname, ct.relname FROM pg_index i"
                + " JOIN pg_class ci ON ci.oid = i.indexrelid"
                + " JOIN pg_class ct ON ct.oid = i.indrelid"
                + " JOIN pg_namespace n ON n.oid = ci.relnamespace"
                + " WHERE NOT i.indisvalid AND n.nspname = ANY(?)"
                + (progressShown
                    ? " AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p"
                        + " WHERE p.index_relid = i.indexrelid)"
                    : "")
                + " ORDER BY 1, 2")) {
      query.setArray(1, textArray(connection, schemas));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          found.add(new InvalidIndex(rows.getString(1), rows.getString(2), rows.getString(3)));
        }
      }
    }
    return found;
  }

  /**
   * Drops an index without blocking writes to its table. It must run outside a transaction: the
   * connection is left in auto-commit.
   */
  public static void dropIndexConcurrently(Connection connection, InvalidIndex index)
      throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index.sql());
    }
  }

  /**
   * Drops Flyway's history table if it holds no applied migration (at most its markers of the
   * schemas it created and of a baseline), then those of {@code createdSchemas} that are empty:
   * what a first run whose transaction was rolled back leaves behind.
   *
   * @return what was dropped, for the message; empty when the table holds migrations
   */
  public static List<String> dropUnusedHistory(
      Connection connection, String schema, String table, Collection<String> createdSchemas)
      throws SQLException {
    List<String> dropped = new ArrayList<>();
    String qualified = quote(schema) + "." + quote(table);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      if (tableExists(connection, schema, table)) {
        try (ResultSet row =
            statement.executeQuery(
                "SELECT count(*) FROM "
                    + qualified
                    + " WHERE type IS NULL OR type NOT IN ('SCHEMA', 'BASELINE')")) {
          row.next();
          if (row.getLong(1) > 0) {
            connection.rollback();
            return List.of();
          }
        }
        statement.execute("DROP TABLE " + qualified);
        dropped.add("the history table " + display(schema) + "." + display(table));
      }
      for (String created : createdSchemas) {
        if (isEmptySchema(connection, created)) {
          statement.execute("DROP SCHEMA IF EXISTS " + quote(created));
          dropped.add("the schema " + display(created));
        }
      }
      connection.commit();
      return dropped;
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static boolean isEmptySchema(Connection connection, String schema) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT n.oid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_depend d"
                + " WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = n.oid)"
                + " FROM pg_namespace n WHERE n.nspname = ?")) {
      query.setString(1, schema);
      try (ResultSet row = query.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /**
   * Removes the row Flyway wrote for a migration that failed, if it is the latest row: what {@code
   * flyway repair} would remove, once the failed migration's effects are gone.
   *
   * @return whether a row was removed
   */
  public static boolean deleteLatestFailedRow(
      Connection connection, String schema, String table, String script) throws SQLException {
    String qualified = quote(schema) + "." + quote(table);
    try (PreparedStatement delete =
        connection.prepareStatement(
            "DELETE FROM "
                + qualified
                + " WHERE NOT success AND script = ? AND installed_rank ="
                + " (SELECT max(installed_rank) FROM "
                + qualified
                + ")")) {
      delete.setString(1, script);
      return delete.executeUpdate() == 1;
    }
  }

  /** Client sessions on {@code database} inside a transaction, except {@code ownPids}. */
  public static List<OpenTransaction> openTransactions(
      Connection connection, String database, Set<Integer> ownPids) throws SQLException {
    List<OpenTransaction> found = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT pid, usename, application_name, state, xact_start FROM pg_stat_activity"
                + " WHERE datname = ? AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
                + " AND backend_type = 'client backend' AND NOT (pid = ANY(?))"
                + " ORDER BY xact_start, pid")) {
      query.setString(1, database);
      query.setArray(2, connection.createArrayOf("int4", ownPids.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          found.add(
              new OpenTransaction(
                  rows.getInt(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getObject(5, OffsetDateTime.class)));
        }
      }
    }
    return found;
  }

  /** An identifier from the catalog, quoted for SQL text. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** An identifier for a message: quoted only when it would need quotes in SQL. */
  static String display(String identifier) {
    return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : quote(identifier);
  }

  private static Array textArray(Connection connection, Collection<String> values)
      throws SQLException {
    return connection.createArrayOf("text", values.toArray());
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
