package dev.pitstop.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.resource.ResourceNameParser;

/**
 * {@code .sql} files in the migration folders whose names are not migration names (a helper script,
 * {@code V2_one_underscore.sql}): Flyway either refuses the whole folder ({@code
 * validateMigrationNaming}, Pitstop's default) or skips them without a word. Pitstop says which
 * files, and what to do.
 */
public final class MigrationNames {
  private static final String REFUSAL_PREFIX = "Invalid SQL filenames found:";

  /** What to do about such files, the end of every message about them. */
  public static final String WAYS_OUT =
      "rename each (V<version>__<description>.sql, or R__<description>.sql for a repeatable"
          + " migration), move it out of --locations, or set flyway.validateMigrationNaming=false"
          + " (in --flyway-config, or FLYWAY_VALIDATE_MIGRATION_NAMING=false) to skip files that"
          + " are not migrations";

  private MigrationNames() {}

  /**
   * The files Flyway's refusal names, one per entry ({@code helper.sql: Unrecognised migration name
   * format}), or {@code null} when {@code message} is not that refusal.
   */
  public static List<String> refusedFiles(String message) {
    if (message == null || !message.startsWith(REFUSAL_PREFIX)) {
      return null;
    }
    return Arrays.stream(message.substring(REFUSAL_PREFIX.length()).split("\\R"))
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .toList();
  }

  /**
   * The {@code .sql} files in the configuration's folders that Flyway skips because of their names,
   * as paths relative to their folder. Only folders on the filesystem are looked at.
   */
  public static List<String> skipped(Configuration configuration) {
    ResourceNameParser parser = new ResourceNameParser(configuration);
    List<String> skipped = new ArrayList<>();
    for (Location location : configuration.getLocations()) {
      if (!location.isFileSystem()) {
        continue;
      }
      Path root = Path.of(location.getRootPath());
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(Files::isRegularFile)
            .filter(file -> isSql(file, configuration))
            .filter(file -> !parser.parse(file.getFileName().toString()).isValid())
            .map(file -> root.relativize(file).toString())
            .sorted()
            .forEach(skipped::add);
      } catch (IOException | RuntimeException e) {
        // a folder Flyway could read but this walk cannot: nothing to add
      }
    }
    return skipped;
  }

  private static boolean isSql(Path file, Configuration configuration) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Arrays.stream(configuration.getSqlMigrationSuffixes())
        .anyMatch(suffix -> name.endsWith(suffix.toLowerCase(Locale.ROOT)));
  }
}
