package dev.pitstop.db;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Flyway settings a user can give Pitstop. A {@code null} or empty value leaves the setting to
 * a Flyway config file, then to {@code FLYWAY_*} environment variables, then to Flyway's default; a
 * given value wins over both.
 *
 * @param locations e.g. {@code filesystem:/migrations}, {@code classpath:db/migration}; a plain
 *     path is a folder ({@code /migrations} is {@code filesystem:/migrations}), not a package on
 *     the class path as it would be for Flyway: the image holds no migrations, a mounted folder
 *     does
 * @param targetVersion the version to migrate up to ({@code latest} when null)
 * @param schemas the schemas Flyway manages; the first holds the history table
 * @param baselineOnMigrate baseline a non-empty schema that has no history table yet
 * @param outOfOrder apply a pending migration older than the current version
 * @param placeholders {@code ${name}} replacements in SQL migrations
 * @param configFile a Flyway {@code .conf} file ({@code flyway.locations=...})
 * @param environment the process environment, where {@code FLYWAY_*} variables are read
 */
public record FlywayOptions(
    List<String> locations,
    String targetVersion,
    List<String> schemas,
    Boolean baselineOnMigrate,
    Boolean outOfOrder,
    Map<String, String> placeholders,
    Path configFile,
    Map<String, String> environment) {

  private static final java.util.regex.Pattern PREFIX =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*");

  public FlywayOptions {
    locations =
        locations == null
            ? List.of()
            : locations.stream()
                .map(l -> PREFIX.matcher(l).matches() ? l : "filesystem:" + l)
                .toList();
    schemas = schemas == null ? List.of() : List.copyOf(schemas);
    placeholders = placeholders == null ? Map.of() : Map.copyOf(placeholders);
    environment = environment == null ? Map.of() : Map.copyOf(environment);
  }

  /** Only these locations; no config file, no environment. */
  public static FlywayOptions locations(String... locations) {
    return new FlywayOptions(List.of(locations), null, null, null, null, null, null, null);
  }

  public FlywayOptions withTargetVersion(String version) {
    return new FlywayOptions(
        locations,
        version,
        schemas,
        baselineOnMigrate,
        outOfOrder,
        placeholders,
        configFile,
        environment);
  }

  public FlywayOptions withPlaceholders(Map<String, String> values) {
    return new FlywayOptions(
        locations,
        targetVersion,
        schemas,
        baselineOnMigrate,
        outOfOrder,
        values,
        configFile,
        environment);
  }

  public FlywayOptions withSchemas(List<String> values) {
    return new FlywayOptions(
        locations,
        targetVersion,
        values,
        baselineOnMigrate,
        outOfOrder,
        placeholders,
        configFile,
        environment);
  }

  public FlywayOptions withConfigFile(Path file, Map<String, String> env) {
    return new FlywayOptions(
        locations, targetVersion, schemas, baselineOnMigrate, outOfOrder, placeholders, file, env);
  }

  public FlywayOptions withBaselineOnMigrate(Boolean value) {
    return new FlywayOptions(
        locations,
        targetVersion,
        schemas,
        value,
        outOfOrder,
        placeholders,
        configFile,
        environment);
  }

  public FlywayOptions withOutOfOrder(Boolean value) {
    return new FlywayOptions(
        locations,
        targetVersion,
        schemas,
        baselineOnMigrate,
        value,
        placeholders,
        configFile,
        environment);
  }
}
