package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.MigrationNames;
import dev.pitstop.db.PgErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.internal.info.MigrationInfoImpl;

/** How migrations are named and described in results, shared by migrate, verify and status. */
final class Migrations {
  /** The schema version reported when Flyway has applied nothing yet. */
  static final String NO_VERSION = "none";

  private Migrations() {}

  static String version(MigrationInfo info) {
    if (info == null) {
      return NO_VERSION;
    }
    return info.getVersion() == null ? "R" : info.getVersion().getVersion();
  }

  /** The latest applied versioned migration that did not fail, or {@code null}. */
  static MigrationInfo latestSucceeded(org.flywaydb.core.api.MigrationInfoService info) {
    MigrationInfo latest = null;
    for (MigrationInfo applied : info.applied()) {
      if (applied.getVersion() != null && !applied.getState().isFailed()) {
        latest = applied;
      }
    }
    return latest;
  }

  /** {@code V2 "add email" (V2__add_email.sql)}: how a DBA recognises a migration in a message. */
  static String name(MigrationInfo info) {
    String version = info.getVersion() == null ? "repeatable" : "V" + info.getVersion();
    return version + " \"" + info.getDescription() + "\" (" + info.getScript() + ")";
  }

  /**
   * Whether the migration runs inside a transaction. Flyway decides this from the statements in the
   * script ({@code CREATE INDEX CONCURRENTLY} cannot), and only its resolved migration knows;
   * {@code null} when that is not available.
   */
  static Boolean transactional(MigrationInfo info) {
    if (info instanceof MigrationInfoImpl impl && impl.getResolvedMigration() != null) {
      return impl.getResolvedMigration().getExecutor().canExecuteInTransaction();
    }
    return null;
  }

  /** The names of several migrations, for one message. */
  static String joinNames(java.util.List<MigrationInfo> migrations) {
    return String.join(", ", migrations.stream().map(Migrations::name).toList());
  }

  /** The names of at most {@code limit} migrations and how many more there are. */
  static String joinNames(java.util.List<MigrationInfo> migrations, int limit) {
    if (migrations.size() <= limit) {
      return joinNames(migrations);
    }
    return joinNames(migrations.subList(0, limit))
        + " and "
        + (migrations.size() - limit)
        + " more";
  }

  /**
   * What a failure of Flyway's {@code info} or {@code validate} means. When it is not the
   * database's answer, Flyway could not use the migration files (bad names, duplicate versions,
   * wrong encoding): exit 2, nothing was changed, and badly named files are listed with what to do.
   *
   * @param doing what Pitstop was doing, for a database error
   */
  static PitstopException unreadable(FlywayException e, DbConnection db, String doing) {
    PitstopException failure = PgErrors.classify(e, db, doing);
    if (failure.exitCode() != ExitCode.FAILED || PgErrors.sqlState(e) != null) {
      return failure;
    }
    java.util.List<String> badNames = MigrationNames.refusedFiles(e.getMessage());
    String what =
        badNames == null
            ? PgErrors.databaseMessage(e, db)
            : "files that are not named like migrations: "
                + badNames.stream().map(Migrations::badName).collect(Collectors.joining("; "))
                + ". "
                + Character.toUpperCase(MigrationNames.WAYS_OUT.charAt(0))
                + MigrationNames.WAYS_OUT.substring(1);
    return new PitstopException(
        ExitCode.USAGE,
        "the migrations in --locations cannot be used, nothing was changed: " + what,
        failure.getCause());
  }

  private static String badName(String flywayMessage) {
    String unrecognised = "Unrecognised migration name format: ";
    return flywayMessage.startsWith(unrecognised)
        ? flywayMessage.substring(unrecognised.length()) + " (no V, R or callback prefix)"
        : flywayMessage;
  }

  /** Version, description, script, checksum and transactional, as result fields. */
  static Map<String, Object> pendingFields(MigrationInfo info) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("version", info.getVersion() == null ? null : info.getVersion().getVersion());
    fields.put("description", info.getDescription());
    fields.put("script", info.getScript());
    fields.put("checksum", info.getChecksum());
    fields.put("transactional", transactional(info));
    return fields;
  }
}
