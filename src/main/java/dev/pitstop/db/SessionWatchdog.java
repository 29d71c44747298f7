package dev.pitstop.db;

import dev.pitstop.core.Deadline;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;

/**
 * Ends a step's statements when its deadline passes. A statement that waits for a lock with {@code
 * --lock-timeout 0s}, or a migration that simply runs long, would otherwise outlive {@code
 * --timeout}: the step's deadline is a promise to the pipeline that a step ends.
 *
 * <p>When the deadline passes it looks, from a session of its own, at what each of the step's
 * sessions is doing (waiting for a lock, and held by whom, or running) and cancels the statement
 * with {@code pg_cancel_backend}. The statement then fails with SQLSTATE 57014 and Flyway rolls
 * back what its transaction held. If no statement was running at that moment (Flyway between two
 * statements), it looks again every second until it has cancelled one.
 */
public final class SessionWatchdog implements AutoCloseable {
  private static final Duration RECHECK = Duration.ofSeconds(1);

  /**
   * What a cancelled session was doing.
   *
   * @param waitingForLock whether it was waiting for a lock (then a later attempt may pass)
   * @param doing e.g. {@code waiting for a lock (Lock/relation) held by pid 42 (...)}
   */
  public record Cancellation(boolean waitingForLock, String doing) {}

  private final PitstopDataSource source;
  private final ScheduledExecutorService timer;
  private volatile Cancellation cancellation;
  private Connection watcher;

  private SessionWatchdog(PitstopDataSource source) {
    this.source = source;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "pitstop-deadline");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Watches the sessions of a Flyway made by {@link FlywayFactory}; a Flyway with another data
   * source is not watched.
   */
  public static SessionWatchdog watch(Flyway flyway, Deadline deadline) {
    if (!(flyway.getConfiguration().getDataSource() instanceof PitstopDataSource source)) {
      return new SessionWatchdog(null);
    }
    SessionWatchdog watchdog = new SessionWatchdog(source);
    watchdog.timer.scheduleWithFixedDelay(
        watchdog::check,
        deadline.remaining().toMillis(),
        RECHECK.toMillis(),
        TimeUnit.MILLISECONDS);
    return watchdog;
  }

  /**
   * What was cancelled, once the deadline has passed and a statement was cancelled. Synchronized
   * with the check that cancels: the cancelled statement can fail before that check has noted what
   * it cancelled, and the one who reads this then waits for the note.
   */
  public synchronized Optional<Cancellation> cancellation() {
    return Optional.ofNullable(cancellation);
  }

  private synchronized void check() {
    if (cancellation != null) {
      return;
    }
    Set<Integer> own = source.pids();
    if (own.isEmpty()) {
      return;
    }
    try {
      if (watcher == null || watcher.isClosed()) {
        watcher =
            source
                .db()
                .open(
                    new SessionSettings(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        source.settings().connectTimeout()));
      }
      cancelActive(own);
    } catch (SQLException e) {
      // no session of its own: cancel through the sessions' own connections, without knowing
      // what they were doing
      source.cancelRunning();
      cancellation = new Cancellation(false, "running or waiting");
    }
  }

  private void cancelActive(Set<Integer> own) throws SQLException {
    try (PreparedStatement query =
        watcher.prepareStatement(
            "SELECT pid, wait_event_type, wait_event, pg_blocking_pids(pid),"
                + " now() - query_start FROM pg_stat_activity"
                + " WHERE pid = ANY(?) AND state = 'active'")) {
      query.setArray(1, ints(own));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          int pid = rows.getInt(1);
          String waitType = rows.getString(2);
          Integer[] blockers = (Integer[]) rows.getArray(4).getArray();
          String doing =
              "Lock".equals(waitType)
                  ? "waiting for a lock ("
                      + rows.getString(3)
                      + ")"
                      + heldBy(List.of(blockers), own)
                  : "running";
          if (cancel(pid)) {
            cancellation = new Cancellation("Lock".equals(waitType), doing);
            return;
          }
        }
      }
    }
  }

  private String heldBy(List<Integer> blockers, Set<Integer> own) throws SQLException {
    if (blockers.isEmpty()) {
      return "";
    }
    List<String> holders = new ArrayList<>();
    Set<Integer> others = new HashSet<>(blockers);
    for (Integer pid : blockers) {
      if (own.contains(pid)) {
        holders.add("Pitstop's own session pid " + pid);
        others.remove(pid);
      }
    }
    try (PreparedStatement query =
        watcher.prepareStatement(
            "SELECT pid, usename, application_name, state, xact_start FROM pg_stat_activity"
                + " WHERE pid = ANY(?) ORDER BY pid")) {
      query.setArray(1, ints(others));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          holders.add(
              new Catalog.OpenTransaction(
                      rows.getInt(1),
                      rows.getString(2),
                      rows.getString(3),
                      rows.getString(4),
                      rows.getObject(5, OffsetDateTime.class))
                  .describe());
        }
      }
    }
    return " held by " + holders.stream().collect(Collectors.joining(", "));
  }

  private boolean cancel(int pid) throws SQLException {
    try (PreparedStatement cancel = watcher.prepareStatement("SELECT pg_cancel_backend(?)")) {
      cancel.setInt(1, pid);
      try (ResultSet row = cancel.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  private Array ints(Set<Integer> values) throws SQLException {
    return watcher.createArrayOf("int4", values.toArray());
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (watcher != null) {
      try {
        watcher.close();
      } catch (SQLException e) {
        // the session is gone already
      }
    }
  }
}
