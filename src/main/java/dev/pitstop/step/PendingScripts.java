package dev.pitstop.step;

import dev.pitstop.db.SqlStatements;
import dev.pitstop.db.SqlStatements.EnumValue;
import dev.pitstop.db.SqlStatements.Statement;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.resolver.ResolvedMigration;
import org.flywaydb.core.internal.info.MigrationInfoImpl;

/**
 * The pending migrations' SQL, read before anything runs, for what Flyway does not say up front: an
 * enum value one migration adds and a later one uses (PostgreSQL refuses that inside one
 * transaction, SQLSTATE 55P04), the indexes they build concurrently, and whether a script that runs
 * outside a transaction is a single concurrent index build (which Pitstop can undo on its own). A
 * script Pitstop cannot read (a Java migration, say) is simply not looked at.
 */
final class PendingScripts {
  /**
   * A migration that uses an enum value an earlier statement of the same transaction adds.
   *
   * @param adds the migration that adds it
   * @param uses the migration that uses it (the same one when one script does both)
   */
  record EnumUse(MigrationInfo adds, MigrationInfo uses, EnumValue value) {}

  /** The migrations in order, and their statements by script (Flyway's info objects differ). */
  private final Map<MigrationInfo, List<Statement>> scripts;

  private final Map<String, List<Statement>> byScript;

  private PendingScripts(Map<MigrationInfo, List<Statement>> scripts) {
    this.scripts = scripts;
    this.byScript = new LinkedHashMap<>();
    scripts.forEach((migration, statements) -> byScript.put(migration.getScript(), statements));
  }

  static PendingScripts read(List<MigrationInfo> pending, Configuration configuration) {
    Map<MigrationInfo, List<Statement>> scripts = new LinkedHashMap<>();
    for (MigrationInfo migration : pending) {
      String text = text(migration, configuration);
      if (text != null) {
        scripts.put(migration, SqlStatements.parse(text));
      }
    }
    return new PendingScripts(scripts);
  }

  /**
   * Uses of an enum value after the statement that adds it, within the same transaction: across
   * migrations when they run together ({@code acrossMigrations}), and always within one script.
   *
   * @param alreadyThere whether the database has the value already (type as written, label); an
   *     {@code ADD VALUE IF NOT EXISTS} of such a value adds nothing
   */
  List<EnumUse> enumValuesUsedTooEarly(
      boolean acrossMigrations, BiPredicate<String, String> alreadyThere) {
    List<EnumUse> found = new ArrayList<>();
    Map<EnumValue, MigrationInfo> added = new LinkedHashMap<>();
    Set<EnumValue> reported = new LinkedHashSet<>();
    for (Map.Entry<MigrationInfo, List<Statement>> script : scripts.entrySet()) {
      MigrationInfo migration = script.getKey();
      if (!acrossMigrations) {
        added.clear();
      }
      for (Statement statement : script.getValue()) {
        for (Map.Entry<EnumValue, MigrationInfo> value : added.entrySet()) {
          if (!reported.contains(value.getKey()) && statement.uses(value.getKey().label())) {
            found.add(new EnumUse(value.getValue(), migration, value.getKey()));
            reported.add(value.getKey());
          }
        }
        Optional<EnumValue> adds = SqlStatements.addedEnumValue(statement);
        if (adds.isPresent() && !alreadyThere.test(adds.get().type(), adds.get().label())) {
          added.putIfAbsent(adds.get(), migration);
        }
      }
    }
    return found;
  }

  /** The names of the indexes the pending migrations build concurrently. */
  Set<String> concurrentIndexNames() {
    Set<String> names = new LinkedHashSet<>();
    scripts.values().stream()
        .flatMap(List::stream)
        .map(SqlStatements::concurrentIndex)
        .flatMap(Optional::stream)
        .forEach(names::add);
    return names;
  }

  /** The index the migration builds concurrently, when its script is that one build. */
  Optional<String> concurrentIndexName(MigrationInfo migration) {
    return isOneConcurrentIndexBuild(migration)
        ? SqlStatements.concurrentIndex(byScript.get(migration.getScript()).get(0))
        : Optional.empty();
  }

  /**
   * Whether the migration's whole script is one {@code CREATE INDEX CONCURRENTLY}: when that build
   * fails, dropping the index it left behind puts the database back as it was before.
   */
  boolean isOneConcurrentIndexBuild(MigrationInfo migration) {
    List<Statement> statements = byScript.get(migration.getScript());
    return statements != null
        && statements.size() == 1
        && SqlStatements.buildsIndexConcurrently(statements.get(0));
  }

  private static String text(MigrationInfo migration, Configuration configuration) {
    if (!(migration instanceof MigrationInfoImpl impl) || impl.getResolvedMigration() == null) {
      return null;
    }
    ResolvedMigration resolved = impl.getResolvedMigration();
    try {
      String physical = resolved.getPhysicalLocation();
      if (physical != null && !physical.isEmpty()) {
        Path file = Path.of(physical);
        if (Files.isRegularFile(file)) {
          return Files.readString(file, configuration.getEncoding());
        }
      }
      for (Location location : configuration.getLocations()) {
        if (!location.isClassPath()) {
          continue;
        }
        String root = location.getRootPath();
        URL resource =
            configuration
                .getClassLoader()
                .getResource((root.isEmpty() ? "" : root + "/") + migration.getScript());
        if (resource != null) {
          try (InputStream in = resource.openStream()) {
            return new String(in.readAllBytes(), configuration.getEncoding());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not readable here (Flyway read it its own way): nothing to look at
    }
    return null;
  }
}
