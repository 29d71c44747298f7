package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.db.FlywayOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Flyway settings. Each one given here wins over a Flyway config file and {@code FLYWAY_*}
 * environment variables, which are honoured for everything not given.
 */
final class FlywayMixin {
  @Option(
      names = "--locations",
      paramLabel = "LOCATION",
      split = ",",
      description =
          "Where migrations are: a folder (/migrations or filesystem:/migrations) or"
              + " classpath:db/migration. Repeatable.")
  List<String> locations = new ArrayList<>();

  @Option(
      names = "--target-version",
      paramLabel = "VERSION",
      description = "Migrate up to this version (and verify against it). Default: latest.")
  String targetVersion;

  @Option(
      names = "--schemas",
      paramLabel = "SCHEMA",
      split = ",",
      description = "Schemas Flyway manages; the first holds the history table. Repeatable.")
  List<String> schemas = new ArrayList<>();

  @Option(
      names = "--baseline-on-migrate",
      description = "Baseline a non-empty schema that has no Flyway history yet.")
  Boolean baselineOnMigrate;

  @Option(
      names = "--out-of-order",
      description = "Apply pending migrations older than the current version.")
  Boolean outOfOrder;

  @Option(
      names = "--placeholder",
      paramLabel = "NAME=VALUE",
      // $$ keeps picocli from reading ${NAME} as one of its own variables
      description = "A $${NAME} replacement in SQL migrations. Repeatable.")
  List<String> placeholders = new ArrayList<>();

  @Option(
      names = "--flyway-config",
      paramLabel = "FILE",
      description =
          "A Flyway .conf file (flyway.locations=..., flyway.url=...); flags, PITSTOP_* and"
              + " FLYWAY_* variables win over it.")
  Path configFile;

  FlywayOptions toOptions(Map<String, String> env) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String placeholder : placeholders) {
      int eq = placeholder.indexOf('=');
      if (eq <= 0) {
        throw PitstopException.usage(
            "--placeholder '" + placeholder + "' is malformed: write NAME=VALUE");
      }
      parsed.put(placeholder.substring(0, eq), placeholder.substring(eq + 1));
    }
    return new FlywayOptions(
        locations, targetVersion, schemas, baselineOnMigrate, outOfOrder, parsed, configFile, env);
  }
}
