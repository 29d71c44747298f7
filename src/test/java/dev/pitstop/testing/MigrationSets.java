package dev.pitstop.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The migration folders under {@code src/test/resources/migrations}, shaped like real projects'
 * sets: {@code shop} (tables, an enum type, data, PL/pgSQL functions and a trigger, a repeatable
 * view), and sets that go on from it: {@code concurrent-index} ({@code CREATE INDEX CONCURRENTLY IF
 * NOT EXISTS}), {@code unique-concurrent-index} (a unique build that fails on a duplicate in the
 * data), {@code enum-value} (an enum value added by V4 and used by V5), {@code
 * enum-value-in-function} (the same, used only inside a function V5 calls) and {@code stray-file}
 * (a report script that is not a migration).
 */
public final class MigrationSets {
  private MigrationSets() {}

  /** The folder of one set. */
  public static Path folder(String set) {
    URL url = MigrationSets.class.getResource("/migrations/" + set);
    if (url == null) {
      throw new IllegalArgumentException("no migration set " + set);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code --locations} for several sets: {@code filesystem:/.../shop,filesystem:/...}. */
  public static String locations(String... sets) {
    return Arrays.stream(sets)
        .map(set -> "filesystem:" + folder(set))
        .collect(Collectors.joining(","));
  }

  /** The same as a list, for {@code FlywayOptions}. */
  public static String[] locationList(String... sets) {
    return Arrays.stream(sets).map(set -> "filesystem:" + folder(set)).toArray(String[]::new);
  }
}
