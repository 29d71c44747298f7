package dev.pitstop.db;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Other client sessions on a database: listing them, ending them and waiting until they are gone.
 *
 * <p>Only client backends count; autovacuum workers and replication senders come and go on their
 * own and PostgreSQL does not let them block a migration. The session running these queries is
 * never counted.
 */
public final class Sessions {
  private static final String LIST =
      "SELECT pid, datname, usename, application_name, host(client_addr), state, backend_start"
          + " FROM pg_stat_activity"
          + " WHERE datname = ? AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
          + " ORDER BY backend_start, pid";

  private final DbConnection db;
  private final Progress progress;
  private final Retry.Sleeper sleeper;

  /**
   * @param db the server to ask; its own database does not matter
   * @param sleeper pauses between polls of pg_stat_activity, which has no change notification
   */
  public Sessions(DbConnection db, Progress progress, Retry.Sleeper sleeper) {
    this.db = db;
    this.progress = progress;
    this.sleeper = sleeper;
  }

  public Sessions(DbConnection db, Progress progress) {
    this(db, progress, duration -> Thread.sleep(duration.toMillis()));
  }

  /** Other client sessions connected to {@code database}, oldest first. */
  public static List<SessionInfo> list(Connection connection, String database) throws SQLException {
    return list(connection, database, Set.of());
  }

  /**
   * Other client sessions connected to {@code database}, oldest first, leaving out {@code own}: the
   * server processes of the step's other sessions (Flyway's), which are not "other clients".
   */
  public static List<SessionInfo> list(Connection connection, String database, Set<Integer> own)
      throws SQLException {
    List<SessionInfo> sessions = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(LIST)) {
      query.setString(1, database);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          if (own.contains(rows.getInt(1))) {
            continue;
          }
          sessions.add(
              new SessionInfo(
                  rows.getInt(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getString(6),
                  rows.getObject(7, OffsetDateTime.class)));
        }
      }
    }
    return sessions;
  }

  /**
   * Makes sure no other session (except ignored applications) is connected to the databases,
   * following the policy, within {@code deadline} and the policy's wait.
   *
   * @return the sessions that were found at first (ended or gone by now), for the step's result
   * @throws PitstopException exit 75 naming every session still there when time runs out
   */
  public List<SessionInfo> clear(
      Connection connection, SessionPolicy policy, Deadline deadline, String... databases) {
    return clear(connection, policy, deadline, Set.of(), databases);
  }

  /** {@link #clear}, not counting the step's own sessions {@code own} (server process ids). */
  public List<SessionInfo> clear(
      Connection connection,
      SessionPolicy policy,
      Deadline deadline,
      Set<Integer> own,
      String... databases) {
    Deadline wait = earlier(deadline, Deadline.after(policy.maxWait()));
    List<SessionInfo> first = blocking(connection, policy, true, own, databases);
    if (first.isEmpty()) {
      return first;
    }
    first.forEach(s -> progress.info("other session on " + s.database() + ": " + s.describe()));
    if (policy.terminate()) {
      terminate(connection, first);
    } else {
      progress.info(
          "waiting up to "
              + dev.pitstop.core.Durations.format(wait.remaining())
              + " for "
              + first.size()
              + " session(s) to leave (or pass --terminate-sessions)");
    }
    Retry retry = new Retry(e -> PgErrors.classify(e, db, "listing sessions"), sleeper);
    retry.run(
        "waiting for other sessions to leave",
        wait,
        () -> {
          List<SessionInfo> left = blocking(connection, policy, false, own, databases);
          if (!left.isEmpty()) {
            if (policy.terminate()) {
              // a pooler may have opened a new one since: end it as well
              terminate(connection, left);
            }
            throw PitstopException.transientFailure(
                left.size()
                    + " other session(s) still connected: "
                    + left.stream().map(SessionInfo::describe).collect(Collectors.joining("; ")),
                null);
          }
        });
    progress.info("no other sessions on " + String.join(", ", databases));
    return first;
  }

  private List<SessionInfo> blocking(
      Connection connection,
      SessionPolicy policy,
      boolean reportIgnored,
      Set<Integer> own,
      String... databases) {
    try {
      List<SessionInfo> found = new ArrayList<>();
      for (String database : databases) {
        for (SessionInfo session : list(connection, database, own)) {
          if (!policy.ignoredApplications().contains(session.applicationName())) {
            found.add(session);
          } else if (reportIgnored) {
            progress.info("leaving alone " + session.describe());
          }
        }
      }
      return found;
    } catch (SQLException e) {
      throw PgErrors.classify(e, db, "listing sessions");
    }
  }

  private void terminate(Connection connection, List<SessionInfo> sessions) {
    try (PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
      for (SessionInfo session : sessions) {
        kill.setInt(1, session.pid());
        try (ResultSet result = kill.executeQuery()) {
          result.next();
          progress.info(
              (result.getBoolean(1) ? "terminated " : "could not terminate ") + session.describe());
        }
      }
    } catch (SQLException e) {
      throw PgErrors.classify(e, db, "terminating other sessions");
    }
  }

  private static Deadline earlier(Deadline a, Deadline b) {
    return a.remaining().compareTo(b.remaining()) <= 0 ? a : b;
  }
}
