package dev.pitstop.db;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.configuration.ConfigUtils;

/**
 * Builds the one Flyway configuration {@code migrate}, {@code verify} and {@code status} share.
 *
 * <p>Order of precedence, lowest first: Flyway's defaults, the Flyway config file ({@code flyway.*}
 * keys, given as an option or in {@code FLYWAY_CONFIG_FILES}), {@code FLYWAY_*} environment
 * variables (read by Flyway's own mapping), then Pitstop's options. The connection is always
 * Pitstop's: {@code flyway.url}, {@code flyway.user} and {@code flyway.password} are ignored with a
 * warning, so there is one place credentials come from. Three settings are fixed whatever the
 * configuration says: {@code clean} is disabled (a production database must never be wiped by a
 * typo), a location that does not exist is an error rather than "no migrations", and a badly named
 * migration file is an error rather than silently skipped.
 */
public final class FlywayFactory {
  private static final String[] CONNECTION_KEYS = {
    ConfigUtils.URL, ConfigUtils.USER, ConfigUtils.PASSWORD, ConfigUtils.DRIVER
  };

  private final Progress progress;

  public FlywayFactory(Progress progress) {
    this.progress = progress;
  }

  /**
   * @param atomic run all pending migrations in one transaction (Flyway's {@code group})
   */
  public Flyway create(
      DbConnection db, SessionSettings settings, FlywayOptions options, boolean atomic) {
    Map<String, String> properties = new LinkedHashMap<>();
    for (Path file : configFiles(options)) {
      properties.putAll(loadConfigFile(file));
    }
    properties.putAll(ConfigUtils.environmentVariablesToPropertyMap(options.environment()));
    properties.remove(ConfigUtils.CONFIG_FILES);
    for (String key : CONNECTION_KEYS) {
      if (properties.remove(key) != null) {
        progress.warn(
            key + " from the Flyway configuration is ignored: Pitstop's own connection is used");
      }
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
      return config
          .dataSource(db.dataSource(settings))
          .connectRetries(0)
          .group(atomic)
          .cleanDisabled(true)
          .failOnMissingLocations(true)
          .validateMigrationNaming(true)
          .load();
    } catch (FlywayException e) {
      throw new PitstopException(
          dev.pitstop.core.ExitCode.USAGE,
          "invalid Flyway configuration: " + db.redact(e.getMessage()),
          PgErrors.sanitized(e, db));
    }
  }

  private static Iterable<Path> configFiles(FlywayOptions options) {
    if (options.configFile() != null) {
      return java.util.List.of(options.configFile());
    }
    String fromEnv = options.environment().get("FLYWAY_CONFIG_FILES");
    if (fromEnv == null || fromEnv.isBlank()) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(fromEnv.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
  }

  private static Map<String, String> loadConfigFile(Path file) {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".toml")) {
      throw PitstopException.usage(
          "Flyway config file "
              + file
              + ": TOML files are read only by the Flyway command line; write the same settings as"
              + " flyway.<key>=<value> lines in a .conf file");
    }
    if (!Files.isRegularFile(file)) {
      throw PitstopException.usage("Flyway config file " + file + " does not exist");
    }
    try {
      Map<String, String> loaded = ConfigUtils.loadConfigurationFile(file.toFile(), "UTF-8", true);
      return loaded == null ? Map.of() : loaded;
    } catch (FlywayException e) {
      throw PitstopException.usage("Flyway config file " + file + ": " + e.getMessage());
    }
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
