package dev.pitstop.db;

import dev.pitstop.core.PitstopException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pitstop's snapshot databases: their names, their markers and the DDL that creates, renames and
 * drops them.
 *
 * <p>A snapshot's name is derived from the run id alone, so a retried {@code snapshot} finds the
 * copy it already made and {@code rollback} can name it from the ledger. Names are cut to fit 63
 * bytes, so the name is not proof of ownership: every database Pitstop creates or sets aside
 * carries a {@code COMMENT ON DATABASE} marker ({@code pitstop:snapshot source=app run=... created=
 * ...}) and only databases with a marker are ever dropped or swapped.
 */
public final class Snapshots {
  /** Markers kinds: a copy taken before migrating, the database a restore set aside, the result. */
  public enum Kind {
    SNAPSHOT,
    REPLACED,
    RESTORED;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A Pitstop database as its marker describes it. */
  public record Marker(String database, Kind kind, String source, String runId, Instant created) {
    String comment() {
      return "pitstop:"
          + kind.tag()
          + " source="
          + source
          + " run="
          + runId
          + " created="
          + created;
    }
  }

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  private static final Pattern MARKER =
      Pattern.compile(
          "pitstop:(snapshot|replaced|restored) source=(\\S+) run=(\\S+) created=(\\S+)");

  private Snapshots() {}

  /**
   * @throws PitstopException exit 2 unless the run id is 1-128 of letters, digits, '.', '_', ':'
   *     and '-' (Argo and Tekton uids, CI build ids)
   */
  public static String requireRunId(String runId) {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw PitstopException.usage(
          "the run id must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a"
              + " letter or digit");
    }
    return runId;
  }

  /** {@code <db>_pitstop_<run>}: the snapshot of {@code database} for a run, at most 63 bytes. */
  public static String snapshotName(String database, String runId) {
    return fit(database, "_pitstop_" + shortRunId(runId));
  }

  /** {@code <db>_pitstop_replaced_<run>}: where a restore sets the migrated database aside. */
  public static String replacedName(String database, String runId) {
    return fit(database, "_pitstop_replaced_" + shortRunId(runId));
  }

  /**
   * The run id in lower-case letters and digits; a long one (a uid) becomes its first 8 characters
   * and 8 of its hash, so names stay readable and distinct.
   */
  static String shortRunId(String runId) {
    requireRunId(runId);
    String plain = runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (plain.length() <= 16 && plain.equals(runId)) {
      return plain;
    }
    String prefix = plain.length() > 8 ? plain.substring(0, 8) : plain;
    return prefix + sha256(runId).substring(0, 8);
  }

  private static String fit(String database, String tail) {
    Identifiers.requireValid("database", database);
    int room = Identifiers.MAX_BYTES - tail.length();
    String head = database.length() > room ? database.substring(0, room) : database;
    return head + tail;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** Whether the database exists, and its marker if it has one. */
  public record Existing(boolean exists, Optional<Marker> marker) {}

  public static Existing find(Connection connection, String database) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
      query.setString(1, database);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return new Existing(false, Optional.empty());
        }
        return new Existing(true, parse(database, row.getString(1)));
      }
    }
  }

  /** Every database with a Pitstop marker for {@code source}, newest first. */
  public static List<Marker> list(Connection connection, String source) throws SQLException {
    List<Marker> markers = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
                + " WHERE shobj_description(oid, 'pg_database') LIKE 'pitstop:%'")) {
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          parse(rows.getString(1), rows.getString(2))
              .filter(m -> m.source().equals(source))
              .ifPresent(markers::add);
        }
      }
    }
    markers.sort((a, b) -> b.created().compareTo(a.created()));
    return markers;
  }

  static Optional<Marker> parse(String database, String comment) {
    if (comment == null) {
      return Optional.empty();
    }
    Matcher m = MARKER.matcher(comment);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Marker(
              database,
              Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT)),
              m.group(2),
              m.group(3),
              Instant.parse(m.group(4))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code CREATE DATABASE target TEMPLATE source}; cannot run inside a transaction. */
  public static void createFromTemplate(Connection connection, String target, String source)
      throws SQLException {
    execute(
        connection,
        "CREATE DATABASE "
            + Identifiers.quote("database", target)
            + " TEMPLATE "
            + Identifiers.quote("database", source));
  }

  public static void rename(Connection connection, String from, String to) throws SQLException {
    execute(
        connection,
        "ALTER DATABASE "
            + Identifiers.quote("database", from)
            + " RENAME TO "
            + Identifiers.quote("database", to));
  }

  public static void drop(Connection connection, String database) throws SQLException {
    execute(connection, "DROP DATABASE IF EXISTS " + Identifiers.quote("database", database));
  }

  /** Writes the marker onto its database. */
  public static void mark(Connection connection, Marker marker) throws SQLException {
    requireRunId(marker.runId());
    Identifiers.requireValid("database", marker.source());
    execute(
        connection,
        "COMMENT ON DATABASE "
            + Identifiers.quote("database", marker.database())
            + " IS "
            + Identifiers.literal(marker.comment()));
  }

  private static void execute(Connection connection, String ddl) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(ddl);
    }
  }

  /** Whether the database exists on the server. */
  public static boolean exists(Connection connection, String database) throws SQLException {
    return find(connection, database).exists();
  }
}
