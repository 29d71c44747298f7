package dev.pitstop.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;

/**
 * Makes every session a read-only one: {@code default_transaction_read_only} is switched on as soon
 * as the driver has opened it, so PostgreSQL itself refuses any write in it (SQLSTATE 25006),
 * whatever runs there, Flyway included. For commands that promise to change nothing.
 */
public final class ReadOnlySessions {
  private ReadOnlySessions() {}

  /**
   * {@code decorator} followed by the switch; pass the result to {@link
   * DbConnection#withConnections}.
   */
  public static UnaryOperator<Connection> after(UnaryOperator<Connection> decorator) {
    return opened -> {
      Connection connection = decorator.apply(opened);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET default_transaction_read_only = on");
      } catch (SQLException e) {
        close(connection);
        throw new IllegalStateException("cannot make the session read-only: " + e.getMessage(), e);
      }
      return connection;
    };
  }

  private static void close(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // the session is of no use either way
    }
  }
}
