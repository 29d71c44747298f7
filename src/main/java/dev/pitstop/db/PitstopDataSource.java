package dev.pitstop.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Hands Flyway connections opened by {@link DbConnection#open}, so Flyway's sessions carry the same
 * lock timeout, statement timeout and application name as Pitstop's own.
 */
final class PitstopDataSource implements DataSource {
  private final DbConnection db;
  private final SessionSettings settings;
  private final java.util.Set<Connection> opened =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  PitstopDataSource(DbConnection db, SessionSettings settings) {
    this.db = db;
    this.settings = settings;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = db.open(settings);
    opened.add(connection);
    return connection;
  }

  /**
   * Closes every connection handed out that is still open. Flyway does not close every one of its
   * sessions when a command fails, and a session left behind would look like another client to the
   * next attempt's session check.
   */
  void closeLeftovers() {
    for (Connection connection : opened) {
      try {
        if (!connection.isClosed()) {
          connection.close();
        }
      } catch (SQLException e) {
        // a session that cannot even be closed is gone already
      }
      opened.remove(connection);
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("credentials come from the Pitstop connection");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return (int) settings.connectTimeout().toSeconds();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }

  @Override
  public String toString() {
    return "PitstopDataSource[" + db.describe() + "]";
  }
}
