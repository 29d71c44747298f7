package dev.pitstop.step;

import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.SessionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@code verify} needs.
 *
 * @param db the database to check
 * @param flyway the same Flyway settings {@code migrate} used
 * @param expectVersion the schema version the database must be at, or {@code null}
 * @param checks SQL assertion files (see {@link VerifyStep} for the rule)
 * @param allowPending accept migrations that are not applied yet
 * @param session timeouts for the checks' session
 * @param timeout the budget for reaching the database
 */
public record VerifyRequest(
    DbConnection db,
    FlywayOptions flyway,
    String expectVersion,
    List<Path> checks,
    boolean allowPending,
    SessionSettings session,
    Duration timeout) {

  public VerifyRequest {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(flyway, "flyway");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(timeout, "timeout");
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** No expected version, no checks, pending migrations not allowed. */
  public static VerifyRequest of(DbConnection db, FlywayOptions flyway) {
    return new VerifyRequest(
        db, flyway, null, List.of(), false, SessionSettings.defaults(), Duration.ofMinutes(1));
  }

  public VerifyRequest withExpectVersion(String value) {
    return new VerifyRequest(db, flyway, value, checks, allowPending, session, timeout);
  }

  public VerifyRequest withChecks(List<Path> value) {
    return new VerifyRequest(db, flyway, expectVersion, value, allowPending, session, timeout);
  }

  public VerifyRequest withAllowPending(boolean value) {
    return new VerifyRequest(db, flyway, expectVersion, checks, value, session, timeout);
  }
}
