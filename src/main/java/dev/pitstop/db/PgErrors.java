package dev.pitstop.db;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Turns what the driver and Flyway throw into Pitstop's exit codes, and keeps secrets out of the
 * result.
 *
 * <p>The split follows what a retry can fix. Waiting on a lock ({@code 55P03}), a cancelled
 * statement ({@code 57014}), a database that is unreachable, restarting or out of connection slots,
 * a serialization failure or deadlock, or a database still in use by a session that is leaving, are
 * transient (exit 75): the pipeline retries. Bad credentials, a missing database or missing
 * privileges are configuration (exit 2): retrying cannot help and nothing was changed. Everything
 * else means the step ran and failed (exit 1).
 */
public final class PgErrors {
  public static final String LOCK_NOT_AVAILABLE = "55P03";
  public static final String QUERY_CANCELED = "57014";
  public static final String OBJECT_IN_USE = "55006";
  public static final String INSUFFICIENT_PRIVILEGE = "42501";
  public static final String INVALID_PASSWORD = "28P01";

  /** pgjdbc's code when it cannot authenticate at all, e.g. no password for SCRAM. */
  public static final String CONNECTION_REJECTED = "08004";

  public static final String INVALID_AUTHORIZATION = "28000";
  public static final String INVALID_CATALOG_NAME = "3D000";
  public static final String DUPLICATE_DATABASE = "42P04";
  public static final String UNDEFINED_DATABASE = INVALID_CATALOG_NAME;

  private static final Set<String> TRANSIENT =
      Set.of(
          LOCK_NOT_AVAILABLE,
          QUERY_CANCELED,
          OBJECT_IN_USE,
          "57P01", // admin_shutdown: our session was terminated, e.g. by a failover
          "57P02", // crash_shutdown
          "57P03", // cannot_connect_now: starting up or in recovery
          "53300", // too_many_connections
          "40001", // serialization_failure
          "40P01"); // deadlock_detected

  private PgErrors() {}

  /** The first SQLSTATE found along the cause chain, or {@code null}. */
  public static String sqlState(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The database's own message for the first SQL error along the cause chain, redacted. */
  public static String databaseMessage(Throwable error, DbConnection db) {
    UnaryOperator<String> redact = redactor(error, db);
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return oneLine(redact.apply(sql.getMessage()));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return oneLine(redact.apply(error.getMessage()));
  }

  /**
   * How to redact the messages of {@code error}'s chain. A failure to connect or log in (SQLSTATE
   * class 08 or 28, or the network) is about the connection only, and the driver may echo what it
   * was given: the password's text is masked wherever it appears. Any other message (a migration's
   * error naming its tables) is masked only where secrets are written, so that a short password
   * does not mask parts of its words.
   */
  private static UnaryOperator<String> redactor(Throwable error, DbConnection db) {
    String state = sqlState(error);
    boolean connecting =
        state != null && (state.startsWith("08") || state.startsWith("28"))
            || isNetworkFailure(error);
    return connecting ? db::redactConnectionError : db::redact;
  }

  /** Whether the SQLSTATE means a retry may succeed. */
  public static boolean isTransient(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || TRANSIENT.contains(sqlState));
  }

  /**
   * Classifies any failure met while talking to {@code db}.
   *
   * @param doing what Pitstop was doing, for the message ("reading the schema history")
   */
  public static PitstopException classify(Throwable error, DbConnection db, String doing) {
    if (error instanceof PitstopException pitstop) {
      return pitstop;
    }
    String state = sqlState(error);
    String message = databaseMessage(error, db);
    Throwable cause = sanitized(error, db);
    String where = db.describe();
    if (CONNECTION_REJECTED.equals(state)
        && message != null
        && (message.contains("password") || message.contains("authentication"))) {
      // e.g. no password given for a server that asks for one: retrying cannot help
      String why =
          message.contains("no password was provided")
              ? "the server asks for a password and none was given"
              : message;
      return new PitstopException(
          ExitCode.USAGE,
          "cannot log in to "
              + where
              + ": "
              + why
              + "; set PITSTOP_DB_PASSWORD or --db-password-file ["
              + state
              + "]",
          cause);
    }
    if (INVALID_PASSWORD.equals(state) || INVALID_AUTHORIZATION.equals(state)) {
      return new PitstopException(
          ExitCode.USAGE,
          "authentication failed for "
              + where
              + ": check the user and the password (PITSTOP_DB_PASSWORD or --db-password-file)"
              + " and pg_hba.conf ["
              + state
              + "] "
              + message,
          cause);
    }
    if (INVALID_CATALOG_NAME.equals(state)) {
      return new PitstopException(
          ExitCode.USAGE, doing + ": " + message + " (" + where + ")", cause);
    }
    if (INSUFFICIENT_PRIVILEGE.equals(state)) {
      return new PitstopException(
          ExitCode.USAGE,
          doing + ": permission denied for user " + db.user() + " on " + where + ": " + message,
          cause);
    }
    if (LOCK_NOT_AVAILABLE.equals(state)) {
      return new PitstopException(
          ExitCode.TRANSIENT,
          doing + ": gave up waiting for a lock (lock_timeout) on " + where + ": " + message,
          cause);
    }
    if (QUERY_CANCELED.equals(state)) {
      return new PitstopException(
          ExitCode.TRANSIENT,
          doing
              + ": the statement was cancelled (statement_timeout or an administrator) on "
              + where
              + ": "
              + message,
          cause);
    }
    if (isTransient(state) || isNetworkFailure(error)) {
      String what =
          state != null && state.startsWith("08") || isNetworkFailure(error)
              ? "cannot reach the database " + where
              : "the database " + where + " is busy";
      return new PitstopException(ExitCode.TRANSIENT, doing + ": " + what + ": " + message, cause);
    }
    return new PitstopException(ExitCode.FAILED, doing + ": " + message, cause);
  }

  private static boolean isNetworkFailure(Throwable error) {
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A copy of the cause chain with every message redacted, so that a stack trace printed with
   * {@code --verbose} cannot leak the password either. Stack traces and SQLSTATEs are kept.
   */
  public static Throwable sanitized(Throwable error, DbConnection db) {
    return error == null ? null : sanitized(error, redactor(error, db));
  }

  private static Throwable sanitized(Throwable error, UnaryOperator<String> redact) {
    if (error == null) {
      return null;
    }
    Throwable cause = error.getCause() == error ? null : sanitized(error.getCause(), redact);
    String message = redact.apply(error.getMessage());
    Throwable copy =
        error instanceof SQLException sql
            ? new RedactedSqlException(
                error.getClass().getName() + ": " + message, sql.getSQLState(), cause)
            : new RedactedException(error.getClass().getName() + ": " + message, cause);
    copy.setStackTrace(error.getStackTrace());
    return copy;
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "(no message)";
    }
    // a line that ends with a colon introduces what follows, it does not end a sentence
    return text.strip().replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
  }

  /** A redacted stand-in for an SQLException, keeping its SQLSTATE. */
  static final class RedactedSqlException extends SQLException {
    private static final long serialVersionUID = 1L;

    RedactedSqlException(String message, String sqlState, Throwable cause) {
      super(message, sqlState, cause);
    }
  }

  /** A redacted stand-in for any other exception. */
  static final class RedactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
