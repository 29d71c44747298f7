package dev.pitstop.db;

import dev.pitstop.core.PitstopException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Database and schema names that Pitstop writes into DDL.
 *
 * <p>{@code CREATE DATABASE}, {@code ALTER DATABASE ... RENAME} and {@code COMMENT ON DATABASE}
 * take no bind parameters, so names must be spliced into SQL text. Pitstop accepts only names that
 * need no escaping (ASCII letters, digits, {@code _}, {@code -} and {@code $}, not starting with a
 * digit or {@code -}) and at most 63 bytes, the length PostgreSQL silently truncates longer names
 * to; anything else is rejected with exit 2 before a connection is made. It still quotes them, so
 * mixed case and hyphens mean exactly what the user wrote.
 */
public final class Identifiers {
  /** PostgreSQL's NAMEDATALEN minus the terminating byte. */
  public static final int MAX_BYTES = 63;

  private static final Pattern SANE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$-]*");

  private Identifiers() {}

  /**
   * @param what what the name is, for the message ("database", "schema")
   * @throws PitstopException exit 2 when the name is empty, too long or has other characters
   */
  public static String requireValid(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw PitstopException.usage("the " + what + " name is empty");
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw PitstopException.usage(
          "the "
              + what
              + " name '"
              + printable(name)
              + "' is "
              + bytes
              + " bytes long; PostgreSQL allows at most "
              + MAX_BYTES);
    }
    if (!SANE.matcher(name).matches()) {
      throw PitstopException.usage(
          "the "
              + what
              + " name '"
              + printable(name)
              + "' is not accepted: use letters, digits, '_', '-' or '$', starting with a letter"
              + " or '_'");
    }
    return name;
  }

  /** The validated name as a quoted SQL identifier. */
  public static String quote(String what, String name) {
    return '"' + requireValid(what, name).replace("\"", "\"\"") + '"';
  }

  /** A string literal for DDL that takes no parameters ({@code COMMENT ON DATABASE}). */
  static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL in SQL literal");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /** The name with control characters shown as '?', so a hostile name cannot forge log lines. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    name.codePoints()
        .limit(80)
        .forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return name.codePointCount(0, name.length()) > 80 ? out + "..." : out.toString();
  }
}
