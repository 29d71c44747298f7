package dev.pitstop.db;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-session limits for every connection Pitstop opens.
 *
 * <p>The lock timeout is what makes a stop-the-world migration safe to retry: a migration that
 * queues behind a forgotten session's lock would otherwise block every later query on that table
 * while it waits. Hitting it is reported as transient (exit 75), and with an atomic migration
 * nothing was committed. The statement timeout defaults to none, because a long data migration is
 * legitimate; set one when a runaway statement must not outlive the maintenance window.
 *
 * @param lockTimeout PostgreSQL {@code lock_timeout}; zero disables it
 * @param statementTimeout PostgreSQL {@code statement_timeout}; zero disables it
 * @param connectTimeout how long to wait for the TCP connection and the login
 */
public record SessionSettings(
    Duration lockTimeout, Duration statementTimeout, Duration connectTimeout) {
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ZERO;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  public SessionSettings {
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (lockTimeout.isNegative() || statementTimeout.isNegative() || connectTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts cannot be negative");
    }
  }

  public static SessionSettings defaults() {
    return new SessionSettings(
        DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
  }

  public SessionSettings withLockTimeout(Duration value) {
    return new SessionSettings(value, statementTimeout, connectTimeout);
  }

  public SessionSettings withStatementTimeout(Duration value) {
    return new SessionSettings(lockTimeout, value, connectTimeout);
  }
}
