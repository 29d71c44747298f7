package dev.pitstop.db;

import dev.pitstop.core.PitstopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.internal.configuration.ConfigUtils;

/**
 * The Flyway configuration given outside Pitstop's options: a Flyway {@code .conf} file ({@code
 * --flyway-config}, or the files in {@code FLYWAY_CONFIG_FILES}) and {@code FLYWAY_*} environment
 * variables, the environment winning over the file as it does for Flyway itself. Pitstop's own
 * options win over both.
 */
public final class FlywaySettings {
  /** The keys that say where and as whom to connect; Pitstop opens the sessions itself. */
  static final List<String> CONNECTION_KEYS =
      List.of(ConfigUtils.URL, ConfigUtils.USER, ConfigUtils.PASSWORD, ConfigUtils.DRIVER);

  private final Map<String, String> properties;
  private final Map<String, String> sources;

  private FlywaySettings(Map<String, String> properties, Map<String, String> sources) {
    this.properties = properties;
    this.sources = sources;
  }

  /**
   * Reads the config file and the environment of {@code options}.
   *
   * @throws PitstopException exit 2 when a config file is missing, unreadable or TOML
   */
  public static FlywaySettings load(FlywayOptions options) {
    Map<String, String> properties = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (Path file : configFiles(options)) {
      Map<String, String> loaded = loadConfigFile(file);
      properties.putAll(loaded);
      loaded.keySet().forEach(key -> sources.put(key, key + " in " + file));
    }
    for (Map.Entry<String, String> variable : options.environment().entrySet()) {
      // Flyway's own mapping, which also knows its extensions' variables (PostgreSQL's lock)
      String key = ConfigUtils.convertKey(variable.getKey());
      if (key != null && variable.getValue() != null) {
        properties.put(key, variable.getValue());
        sources.put(key, variable.getKey());
      }
    }
    properties.remove(ConfigUtils.CONFIG_FILES);
    return new FlywaySettings(properties, sources);
  }

  /** The key of Flyway's PostgreSQL lock setting. */
  public static final String TRANSACTIONAL_LOCK = "flyway.postgresql.transactional.lock";

  /**
   * Where the user asked for Flyway's transaction-level PostgreSQL lock ({@code
   * flyway.postgresql.transactional.lock=true} or {@code FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK}),
   * for a message; null when nobody asked for it.
   */
  public String transactionalLockRequestedBy() {
    String value = properties.get(TRANSACTIONAL_LOCK);
    return value != null && value.strip().equalsIgnoreCase("true")
        ? source(TRANSACTIONAL_LOCK)
        : null;
  }

  /** Every setting except the connection keys, for Flyway's configuration. */
  Map<String, String> forFlyway() {
    Map<String, String> copy = new LinkedHashMap<>(properties);
    CONNECTION_KEYS.forEach(copy::remove);
    return copy;
  }

  /** Whether {@code key} ({@code flyway.validateMigrationNaming}, say) was given at all. */
  boolean has(String key) {
    return properties.containsKey(key);
  }

  String get(String key) {
    return properties.get(key);
  }

  /** Where {@code key} came from, for messages: {@code FLYWAY_URL} or {@code flyway.url in f}. */
  String source(String key) {
    return sources.getOrDefault(key, key);
  }

  /** The connection Flyway's own settings describe; each part {@code null} when not given. */
  public Connection connection() {
    String password = properties.get(ConfigUtils.PASSWORD);
    return new Connection(
        properties.get(ConfigUtils.URL),
        properties.containsKey(ConfigUtils.URL) ? source(ConfigUtils.URL) : null,
        properties.get(ConfigUtils.USER),
        password == null ? null : password.toCharArray());
  }

  /**
   * Where and as whom Flyway's settings say to connect.
   *
   * @param url {@code flyway.url} / {@code FLYWAY_URL}
   * @param urlSource where the URL came from, for messages
   * @param user {@code flyway.user} / {@code FLYWAY_USER}
   * @param password {@code flyway.password} / {@code FLYWAY_PASSWORD}
   */
  public record Connection(String url, String urlSource, String user, char[] password) {
    public static final Connection NONE = new Connection(null, null, null, null);

    @Override
    public String toString() {
      return "Connection[url=" + DbConnection.mask(url) + ", user=" + user + "]";
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Connection that
          && java.util.Objects.equals(url, that.url)
          && java.util.Objects.equals(user, that.user)
          && Arrays.equals(password, that.password);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(url, user);
    }
  }

  private static List<Path> configFiles(FlywayOptions options) {
    if (options.configFile() != null) {
      return List.of(options.configFile());
    }
    String fromEnv = options.environment().get("FLYWAY_CONFIG_FILES");
    if (fromEnv == null || fromEnv.isBlank()) {
      return List.of();
    }
    return Arrays.stream(fromEnv.split(","))
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
      throw PitstopException.usage(
          "Flyway config file " + file + ": " + DbConnection.mask(e.getMessage()));
    }
  }
}
