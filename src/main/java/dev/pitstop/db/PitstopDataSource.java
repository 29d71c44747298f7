package dev.pitstop.db;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Hands Flyway connections opened by {@link DbConnection#open}, so Flyway's sessions carry the same
 * lock timeout, statement timeout and application name as Pitstop's own.
 *
 * <p>Once {@link #keepSessions} is called, a session Flyway closes is kept open and handed out
 * again on the next request, and the caller's own session can be added to that pool: one step that
 * runs several Flyway commands then pays for one connection set-up instead of one per command. Kept
 * sessions are closed by {@link #closeLeftovers}, which the caller must then call.
 */
final class PitstopDataSource implements DataSource {
  private final DbConnection db;
  private final SessionSettings settings;
  private final Set<Connection> opened = ConcurrentHashMap.newKeySet();
  private final Map<Connection, Integer> pids = new ConcurrentHashMap<>();
  private final Deque<Connection> idle = new ArrayDeque<>();
  private volatile boolean keep;

  PitstopDataSource(DbConnection db, SessionSettings settings) {
    this.db = db;
    this.settings = settings;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (!keep) {
      return open();
    }
    Connection physical = takeIdle();
    if (physical == null) {
      physical = open();
    }
    return lend(physical);
  }

  private Connection open() throws SQLException {
    Connection connection = db.open(settings);
    opened.add(connection);
    pids.put(connection, backendPid(connection));
    return connection;
  }

  private static int backendPid(Connection connection) throws SQLException {
    try {
      return connection.unwrap(PGConnection.class).getBackendPID();
    } catch (SQLException notTheDriversConnection) {
      try (Statement statement = connection.createStatement();
          ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  /** The server processes of the sessions this data source has open, Flyway's and Pitstop's. */
  Set<Integer> pids() {
    Set<Integer> open = new HashSet<>();
    pids.forEach(
        (connection, pid) -> {
          try {
            if (opened.contains(connection) && !connection.isClosed()) {
              open.add(pid);
            }
          } catch (SQLException e) {
            // a session that cannot say whether it is open is not counted
          }
        });
    return open;
  }

  /** Asks the server to cancel whatever each open session is running, without a new session. */
  void cancelRunning() {
    for (Connection connection : opened) {
      try {
        connection.unwrap(PGConnection.class).cancelQuery();
      } catch (SQLException e) {
        // nothing more can be done from here; the caller reports the deadline
      }
    }
  }

  DbConnection db() {
    return db;
  }

  SessionSettings settings() {
    return settings;
  }

  /**
   * From now on, keep the sessions Flyway closes for the next request, and start the pool with
   * {@code connection} (opened by {@link DbConnection#open} with the same settings, outside any
   * transaction), which this data source now owns.
   */
  void keepSessions(Connection connection) {
    keep = true;
    opened.add(connection);
    try {
      pids.put(connection, backendPid(connection));
    } catch (SQLException e) {
      // a session that cannot answer is not handed out again (giveBack finds it closed or fails)
    }
    giveBack(connection);
  }

  private synchronized Connection takeIdle() {
    return idle.pollFirst();
  }

  private void giveBack(Connection physical) {
    try {
      if (physical.isClosed()) {
        opened.remove(physical);
        pids.remove(physical);
        return;
      }
      if (!physical.getAutoCommit()) {
        physical.rollback();
        physical.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // a session that cannot be reset is not handed out again
      closeQuietly(physical);
      return;
    }
    synchronized (this) {
      idle.addFirst(physical);
    }
  }

  private Connection lend(Connection physical) {
    InvocationHandler handler =
        new InvocationHandler() {
          private boolean returned;

          @Override
          public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
              case "close":
                if (!returned) {
                  returned = true;
                  giveBack(physical);
                }
                return null;
              case "isClosed":
                return returned || physical.isClosed();
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return "PitstopDataSource session " + physical;
              default:
                break;
            }
            if (returned) {
              throw new SQLException("this session was closed", "08003");
            }
            try {
              return method.invoke(physical, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  /**
   * Closes every connection handed out that is still open, and every kept one. Flyway does not
   * close every one of its sessions when a command fails, and a session left behind would look like
   * another client to the next attempt's session check.
   */
  void closeLeftovers() {
    synchronized (this) {
      idle.clear();
    }
    for (Connection connection : opened) {
      closeQuietly(connection);
    }
  }

  private void closeQuietly(Connection connection) {
    try {
      if (!connection.isClosed()) {
        connection.close();
      }
    } catch (SQLException e) {
      // a session that cannot even be closed is gone already
    }
    opened.remove(connection);
    pids.remove(connection);
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
