package dev.pitstop.db;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Retry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/**
 * Where and as whom Pitstop connects to PostgreSQL.
 *
 * <p>The password is kept out of {@link #toString()}, {@link #describe()} and every message built
 * from this object: Pitstop's output ends up in pipeline logs that many people can read. {@link
 * #redact(String)} masks secrets in text that comes back from the driver or Flyway.
 */
public final class DbConnection {
  /** Every Pitstop session says who it is, so a DBA looking at pg_stat_activity can tell. */
  public static final String APPLICATION_NAME = "pitstop";

  private static final String PREFIX = "jdbc:postgresql:";

  private static final Pattern KEY_VALUE_SECRET =
      Pattern.compile(
          "(?i)\\b(password|passwd|pwd)(\"?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,)}\\]\"']+)");

  private static final Pattern URL_USERINFO_SECRET =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^/\\s:@]+:)[^@/\\s]+@");

  private static final Pattern SQL_PASSWORD_LITERAL =
      Pattern.compile("(?i)\\b(PASSWORD\\s+E?)'(?:[^']|'')*'");

  private static final Pattern URL_PASSWORD_PARAM =
      Pattern.compile("(?i)([?&])password=[^&]*(&|$)");

  private final String jdbcUrl;
  private final String user;
  private final char[] password;
  private final String database;
  private final String hostAndPort;
  private final UnaryOperator<Connection> connections;

  private DbConnection(String jdbcUrl, String user, char[] password) {
    this(jdbcUrl, user, password, UnaryOperator.identity());
  }

  private DbConnection(
      String jdbcUrl, String user, char[] password, UnaryOperator<Connection> connections) {
    this.connections = connections;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password == null ? new char[0] : password.clone();
    Properties parsed = parse(jdbcUrl, this);
    String db = parsed.getProperty("PGDBNAME");
    if (db == null || db.isEmpty()) {
      throw PitstopException.usage(
          "the JDBC URL names no database: write it like jdbc:postgresql://host:5432/mydb");
    }
    this.database = db;
    this.hostAndPort =
        parsed.getProperty("PGHOST", "localhost") + ":" + parsed.getProperty("PGPORT", "5432");
  }

  /**
   * @param jdbcUrl a PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/database?...})
   * @param user the database user, or {@code null} to use the one in the URL
   * @param password the password, or {@code null}/empty for none; it is copied
   * @throws PitstopException exit 2 when the URL is not a PostgreSQL JDBC URL
   */
  public static DbConnection of(String jdbcUrl, String user, char[] password) {
    if (jdbcUrl == null || !jdbcUrl.startsWith(PREFIX)) {
      throw PitstopException.usage(
          "the JDBC URL must start with jdbc:postgresql:, like jdbc:postgresql://host:5432/mydb");
    }
    // A password written into the URL is moved out of it, so the URL can be logged (Flyway does).
    Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
    String urlPassword = parsed == null ? null : parsed.getProperty("password");
    String cleanUrl = URL_PASSWORD_PARAM.matcher(jdbcUrl).replaceAll("$1").replaceAll("[?&]$", "");
    char[] effective =
        (password == null || password.length == 0) && urlPassword != null
            ? urlPassword.toCharArray()
            : password;
    String effectiveUser = user == null && parsed != null ? parsed.getProperty("user") : user;
    return new DbConnection(cleanUrl, effectiveUser, effective);
  }

  private static Properties parse(String url, DbConnection self) {
    Properties parsed = Driver.parseURL(url, new Properties());
    if (parsed == null) {
      throw PitstopException.usage(
          "the JDBC URL '"
              + self.redact(url)
              + "' cannot be read: write it like jdbc:postgresql://host:5432/mydb");
    }
    return parsed;
  }

  /** The database this connection points at. */
  public String database() {
    return database;
  }

  public String user() {
    return user;
  }

  /**
   * The same server and credentials, another database: snapshots are created and restored from a
   * maintenance database because PostgreSQL cannot copy or rename the database a session is in.
   */
  public DbConnection withDatabase(String otherDatabase) {
    Identifiers.requireValid("database", otherDatabase);
    int queryAt = jdbcUrl.indexOf('?');
    String base = queryAt < 0 ? jdbcUrl : jdbcUrl.substring(0, queryAt);
    String query = queryAt < 0 ? "" : jdbcUrl.substring(queryAt);
    String encoded = URLEncoder.encode(otherDatabase, StandardCharsets.UTF_8);
    String rebuilt;
    if (base.startsWith(PREFIX + "//")) {
      int pathAt = base.indexOf('/', (PREFIX + "//").length());
      rebuilt = (pathAt < 0 ? base : base.substring(0, pathAt)) + "/" + encoded;
    } else {
      rebuilt = PREFIX + encoded;
    }
    return new DbConnection(rebuilt + query, user, password, connections);
  }

  /**
   * The same connection whose sessions are passed through {@code decorator} as soon as the driver
   * has opened them, before Pitstop's session settings are applied; the same decorator carries over
   * to {@link #withDatabase}. Tests use it to watch and fail statements on real sessions.
   */
  public DbConnection withConnections(UnaryOperator<Connection> decorator) {
    return new DbConnection(jdbcUrl, user, password, decorator);
  }

  /** The JDBC URL without any password in it, safe to print and to record. */
  public String url() {
    return jdbcUrl;
  }

  /** {@code user@host:port/database}, safe to print. */
  public String describe() {
    return (user == null ? "" : user + "@") + hostAndPort + "/" + database;
  }

  /**
   * Every session this process opened and has not let go of. On SIGTERM or SIGINT each is asked to
   * cancel what it runs: a client that just dies leaves PostgreSQL running the migration or the
   * database copy on its own, and the next attempt would wait for it.
   */
  private static final java.util.Set<Connection> LIVE =
      java.util.Collections.synchronizedSet(
          java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

  static {
    dev.pitstop.core.Signals.onStop(DbConnection::cancelEverySession);
  }

  private static void cancelEverySession() {
    List<Connection> sessions;
    synchronized (LIVE) {
      sessions = new ArrayList<>(LIVE);
    }
    for (Connection session : sessions) {
      try {
        if (!session.isClosed()) {
          session.unwrap(org.postgresql.PGConnection.class).cancelQuery();
        }
      } catch (SQLException e) {
        // the session is going anyway when the process ends
      }
    }
  }

  /** Opens a connection with Pitstop's session settings applied. */
  public Connection open(SessionSettings settings) throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password.length > 0) {
      props.setProperty("password", new String(password));
    }
    props.setProperty("ApplicationName", APPLICATION_NAME);
    props.setProperty(
        "connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    props.setProperty(
        "loginTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    Connection opened = new Driver().connect(jdbcUrl, props);
    if (opened != null) {
      LIVE.add(opened);
    }
    if (opened == null) {
      throw new SQLException("the driver does not accept this URL", "08001");
    }
    Connection connection = connections.apply(opened);
    try {
      // set_config rather than the "options" URL parameter: a user's own options in the URL would
      // silently replace ours, and these two settings are what keeps a migration from hanging.
      try (PreparedStatement set =
          connection.prepareStatement(
              "SELECT set_config('lock_timeout', ?, false),"
                  + " set_config('statement_timeout', ?, false),"
                  + " set_config('application_name', ?, false)")) {
        set.setString(1, settings.lockTimeout().toMillis() + "ms");
        set.setString(2, settings.statementTimeout().toMillis() + "ms");
        set.setString(3, APPLICATION_NAME);
        set.execute();
      }
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Opens a connection, retrying while the database is unreachable, starting up or out of
   * connection slots, until the deadline; then exit 75. Bad credentials fail at once (exit 2).
   */
  public Connection connect(SessionSettings settings, Deadline deadline, Retry.Sleeper sleeper) {
    Retry retry =
        new Retry(e -> PgErrors.classify(e, this, "connecting to " + describe()), sleeper);
    dev.pitstop.core.Progress.current().debug("database: connecting to " + describe());
    return retry.call("connecting to " + describe(), deadline, () -> open(settings));
  }

  /** A {@link javax.sql.DataSource} over {@link #open}, for Flyway. */
  public javax.sql.DataSource dataSource(SessionSettings settings) {
    return new PitstopDataSource(this, settings);
  }

  /**
   * The text with secrets masked where they are written: {@code password=...} URL parameters and
   * connection properties (also {@code password: ...} and JSON), the password of a {@code
   * scheme://user:password@host} URL, and the literal of a {@code PASSWORD '...'} clause.
   *
   * <p>The password's own text is not searched for here: a short or ordinary password (say {@code
   * ex} or {@code postgres}) would then mask parts of words, table names and database names in
   * every message, and a message that reads {@code relation "x" already e****ists} helps nobody.
   * What the driver says when it cannot connect goes through {@link #redactConnectionError}.
   */
  public String redact(String text) {
    return mask(text);
  }

  /**
   * {@link #redact}, and the password's own text wherever it appears: for what the driver says when
   * it cannot connect or log in, which may echo what it was given, and never names a table.
   */
  public String redactConnectionError(String text) {
    String result = mask(text);
    if (result != null && password.length > 0) {
      result = result.replace(new String(password), "****");
    }
    return result;
  }

  /** {@link #redact} for text that belongs to no particular connection. */
  public static String mask(String text) {
    if (text == null) {
      return null;
    }
    String result = KEY_VALUE_SECRET.matcher(text).replaceAll("$1$2****");
    result = URL_USERINFO_SECRET.matcher(result).replaceAll("$1****@");
    return SQL_PASSWORD_LITERAL.matcher(result).replaceAll("$1'****'");
  }

  @Override
  public String toString() {
    return "DbConnection[" + describe() + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DbConnection that
        && jdbcUrl.equals(that.jdbcUrl)
        && java.util.Objects.equals(user, that.user)
        && Arrays.equals(password, that.password);
  }

  @Override
  public int hashCode() {
    return jdbcUrl.hashCode();
  }
}
