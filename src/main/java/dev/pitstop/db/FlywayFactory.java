package dev.pitstop.db;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import java.io.File;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.configuration.ConfigUtils;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.postgresql.Driver;

/**
 * Builds the one Flyway configuration {@code migrate}, {@code verify} and {@code status} share.
 *
 * <p>Order of precedence, lowest first: Flyway's defaults, the Flyway config file, {@code FLYWAY_*}
 * environment variables (see {@link FlywaySettings}), then Pitstop's options. Where and as whom to
 * connect comes from Pitstop's options first and from Flyway's {@code url}, {@code user} and {@code
 * password} for what they leave out; Pitstop opens every session itself, so its timeouts apply.
 *
 * <p>Some settings are Pitstop's whatever the configuration says: {@code clean} is disabled (a
 * production database must never be wiped by a typo), a location that does not exist is an error
 * rather than "no migrations", {@code group} is {@code --atomic}, Flyway does not retry connections
 * (Pitstop does, within {@code --timeout}), and Flyway's log goes through Pitstop's output ({@link
 * FlywayLog}). A badly named {@code .sql} file is an error unless Flyway's own {@code
 * validateMigrationNaming} says to skip such files. PostgreSQL's {@code transactional.lock} is
 * decided per run by {@link #useSessionLock}.
 */
public final class FlywayFactory {
  private final Progress progress;

  public FlywayFactory(Progress progress) {
    this.progress = progress;
  }

  /**
   * @param atomic run all pending migrations in one transaction (Flyway's {@code group})
   */
  public Flyway create(
      DbConnection db, SessionSettings settings, FlywayOptions options, boolean atomic) {
    FlywaySettings flywaySettings = FlywaySettings.load(options);
    Map<String, String> properties = flywaySettings.forFlyway();
    String driver = flywaySettings.get(ConfigUtils.DRIVER);
    if (driver != null && !driver.isBlank() && !driver.equals(Driver.class.getName())) {
      progress.warn(
          ConfigUtils.DRIVER
              + " "
              + driver
              + " from "
              + flywaySettings.source(ConfigUtils.DRIVER)
              + " is not used: Pitstop connects with the PostgreSQL driver");
    }

    for (String location : options.locations()) {
      checkLocation(location);
    }
    for (String schema : options.schemas()) {
      Identifiers.requireValid("schema", schema);
    }
    if (options.targetVersion() != null) {
      checkTargetVersion(options.targetVersion());
    }

    FlywayLog.writeTo(progress);
    try {
      FluentConfiguration config =
          Flyway.configure(FlywayFactory.class.getClassLoader()).configuration(properties);
      if (!options.locations().isEmpty()) {
        config.locations(options.locations().toArray(String[]::new));
      }
      if (options.targetVersion() != null) {
        config.target(options.targetVersion());
      }
      if (!options.schemas().isEmpty()) {
        config.schemas(options.schemas().toArray(String[]::new));
      }
      if (options.baselineOnMigrate() != null) {
        config.baselineOnMigrate(options.baselineOnMigrate());
      }
      if (options.outOfOrder() != null) {
        config.outOfOrder(options.outOfOrder());
      }
      if (!options.placeholders().isEmpty()) {
        Map<String, String> placeholders = new HashMap<>(config.getPlaceholders());
        placeholders.putAll(options.placeholders());
        config.placeholders(placeholders);
      }
      if (!flywaySettings.has(ConfigUtils.VALIDATE_MIGRATION_NAMING)) {
        // Flyway's default skips such files silently: V2_add_email.sql (one underscore) would
        // never run, and nobody would know
        config.validateMigrationNaming(true);
      }
      return config
          .dataSource(db.dataSource(settings))
          .connectRetries(0)
          .group(atomic)
          .cleanDisabled(true)
          .failOnMissingLocations(true)
          .loggers(FlywayLog.class.getName())
          .load();
    } catch (FlywayException e) {
      throw new PitstopException(
          dev.pitstop.core.ExitCode.USAGE,
          "invalid Flyway configuration: " + db.redact(e.getMessage()),
          PgErrors.sanitized(e, db));
    }
  }

  /**
   * Makes Flyway hold its lock with a session-level advisory lock on the one session that also runs
   * the migrations, instead of a transaction-level lock on a second session. The second session
   * sits "idle in transaction" while a migration runs, and {@code CREATE INDEX CONCURRENTLY} waits
   * for every open transaction to end: the build would wait for Pitstop's own session until a
   * timeout ended it.
   */
  public static void useSessionLock(Flyway flyway) {
    flyway
        .getConfiguration()
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
  }

  private static void checkLocation(String location) {
    if (location.startsWith("filesystem:")) {
      File dir = new File(location.substring("filesystem:".length()));
      if (!dir.isDirectory()) {
        throw PitstopException.usage(
            "migration location "
                + location
                + " is not a directory: check the volume that should hold the migrations");
      }
    } else if (!location.startsWith("classpath:") && location.contains(":")) {
      throw PitstopException.usage(
          "migration location "
              + location
              + " is not supported: use filesystem:/path or classpath:package/path");
    }
  }

  private static void checkTargetVersion(String target) {
    String lower = target.toLowerCase(Locale.ROOT);
    if (lower.equals("latest") || lower.equals("current") || lower.equals("next")) {
      return;
    }
    try {
      MigrationVersion.fromVersion(target);
    } catch (RuntimeException e) {
      throw PitstopException.usage(
          "target version '" + target + "' is not a Flyway version (like 1, 1.2 or 2024.05.01)");
    }
  }

  /**
   * Lets the Flyway commands that follow share sessions: each session a command closes is kept for
   * the next, starting with {@code connection}, which must come from the same {@link DbConnection}
   * and {@link SessionSettings} and is owned by the Flyway from now on. The caller must then call
   * {@link #closeLeftovers}.
   */
  public static void keepSessions(Flyway flyway, java.sql.Connection connection) {
    if (flyway.getConfiguration().getDataSource() instanceof PitstopDataSource source) {
      source.keepSessions(connection);
    } else {
      try {
        connection.close();
      } catch (java.sql.SQLException e) {
        // not needed any more
      }
    }
  }

  /** The server process ids of the sessions a Flyway made with {@link #create} has open. */
  public static java.util.Set<Integer> ownSessions(Flyway flyway) {
    return flyway.getConfiguration().getDataSource() instanceof PitstopDataSource source
        ? source.pids()
        : java.util.Set.of();
  }

  /**
   * Closes the sessions a Flyway made with {@link #create} left open, e.g. after a failure, and the
   * ones kept by {@link #keepSessions}.
   */
  public static void closeLeftovers(org.flywaydb.core.Flyway flyway) {
    if (flyway != null
        && flyway.getConfiguration().getDataSource() instanceof PitstopDataSource source) {
      source.closeLeftovers();
    }
  }
}
