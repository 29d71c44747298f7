package dev.pitstop.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Injects faults at the statement boundaries of the CLI's database sessions. Passed to the CLI as
 * its connection decorator, it wraps every connection Pitstop opens (its own and Flyway's), numbers
 * every statement executed on them and names the procedure step that executed it (from the calling
 * thread's stack). Just before the chosen statement it makes the real server raise the fault on the
 * real session, and the server's own exception reaches Pitstop:
 *
 * <ul>
 *   <li>{@link Fault#CONNECTION_LOST}: the session terminates itself ({@code
 *       pg_terminate_backend(pg_backend_pid())}, SQLSTATE 57P01), the connection is dead after it;
 *   <li>{@link Fault#LOCK_TIMEOUT}: the server raises SQLSTATE 55P03 "canceling statement due to
 *       lock timeout", which aborts an open transaction as a real lock timeout does;
 *   <li>{@link Fault#SQL_ERROR}: the server raises SQLSTATE 22012 "division by zero", likewise.
 * </ul>
 */
public final class DbFaults implements UnaryOperator<Connection> {
  /** What happens just before the chosen statement. */
  public enum Fault {
    CONNECTION_LOST("DB connection lost (57P01)", "SELECT pg_terminate_backend(pg_backend_pid())"),
    LOCK_TIMEOUT(
        "DB lock_timeout (55P03)",
        "DO $$BEGIN RAISE EXCEPTION USING ERRCODE = '55P03',"
            + " MESSAGE = 'canceling statement due to lock timeout'; END$$"),
    SQL_ERROR(
        "DB SQL error (22012)",
        "DO $$BEGIN RAISE EXCEPTION USING ERRCODE = '22012',"
            + " MESSAGE = 'division by zero'; END$$");

    private final String label;
    private final String sql;

    Fault(String label, String sql) {
      this.label = label;
      this.sql = sql;
    }

    public String label() {
      return label;
    }
  }

  /**
   * The {@code ordinal}-th statement that step {@code step} executed; stable when other steps'
   * statements change.
   */
  public record Point(String step, int ordinal) {
    @Override
    public String toString() {
      return step + " statement #" + ordinal;
    }
  }

  /** One statement as the CLI executed it. */
  public record Executed(int index, String step, int ordinal, String sql) {
    public Point point() {
      return new Point(step, ordinal);
    }
  }

  private final List<Executed> executed = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final Map<String, AtomicInteger> perStep = new ConcurrentHashMap<>();
  private volatile Point failAt;
  private volatile Fault fault;
  private volatile Executed injectedAt;
  private volatile SQLException raised;

  /** Raises {@code f} just before the statement at {@code point}, once. */
  public DbFaults failAt(Point point, Fault f) {
    this.failAt = point;
    this.fault = f;
    return this;
  }

  /** Every statement executed so far, in order. */
  public List<Executed> executed() {
    return new ArrayList<>(executed);
  }

  /** The statement the fault was injected before, or null when it was not reached. */
  public Executed injectedAt() {
    return injectedAt;
  }

  /** What the server raised for the injected fault. */
  public SQLException raised() {
    return raised;
  }

  @Override
  public Connection apply(Connection real) {
    return proxy(Connection.class, real, new ConnectionHandler(real));
  }

  private static <T> T proxy(Class<T> type, Object target, InvocationHandler handler) {
    return type.cast(
        Proxy.newProxyInstance(
            DbFaults.class.getClassLoader(), interfacesOf(type, target), handler));
  }

  private static Class<?>[] interfacesOf(Class<?> type, Object target) {
    if (target instanceof CallableStatement) {
      return new Class<?>[] {CallableStatement.class};
    }
    if (target instanceof PreparedStatement) {
      return new Class<?>[] {PreparedStatement.class};
    }
    return new Class<?>[] {type};
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private final class ConnectionHandler implements InvocationHandler {
    private final Connection real;

    ConnectionHandler(Connection real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      Object result = DbFaults.invoke(real, method, args);
      if (result instanceof Statement statement) {
        String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
        return proxy(
            Statement.class,
            statement,
            new StatementHandler(real, (Connection) self, statement, sql));
      }
      return result;
    }
  }

  private final class StatementHandler implements InvocationHandler {
    private final Connection real;
    private final Connection wrapped;
    private final Statement statement;
    private final String prepared;

    StatementHandler(Connection real, Connection wrapped, Statement statement, String prepared) {
      this.real = real;
      this.wrapped = wrapped;
      this.statement = statement;
      this.prepared = prepared;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      if (method.getName().equals("getConnection")) {
        return wrapped;
      }
      if (method.getName().startsWith("execute")) {
        String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : prepared;
        before(real, sql);
      }
      return DbFaults.invoke(statement, method, args);
    }
  }

  private void before(Connection real, String sql) throws SQLException {
    String step = ApiFaults.stepOnStack();
    String owner = step == null ? "-" : step;
    int ordinal = perStep.computeIfAbsent(owner, k -> new AtomicInteger()).incrementAndGet();
    Executed now =
        new Executed(counter.incrementAndGet(), owner, ordinal, sql == null ? "?" : sql.strip());
    executed.add(now);
    if (injectedAt != null || !now.point().equals(failAt)) {
      return;
    }
    injectedAt = now;
    try (Statement s = real.createStatement()) {
      s.execute(fault.sql);
    } catch (SQLException e) {
      raised = e;
      throw e;
    }
    throw new AssertionError("the server did not raise " + fault + " before " + now);
  }
}
