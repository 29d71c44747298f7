package dev.pitstop.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL migration script read just well enough to recognise a few statements before they
 * run: split into statements at semicolons outside comments, quoted strings, quoted identifiers and
 * dollar-quoted bodies, with comments removed and each statement's string literals collected. It is
 * not a parser; Flyway's parser decides what runs.
 */
public final class SqlStatements {
  private static final String IDENTIFIER = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";

  private static final Pattern ADD_ENUM_VALUE =
      Pattern.compile(
          "(?is)ALTER\\s+TYPE\\s+((?:"
              + IDENTIFIER
              + "\\s*\\.\\s*)?"
              + IDENTIFIER
              + ")\\s+ADD\\s+VALUE\\b.*");

  private static final Pattern CONCURRENT_INDEX =
      Pattern.compile(
          "(?is)CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+CONCURRENTLY\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "(?:"
              + IDENTIFIER
              + "\\s+)?ON\\b.*");

  private static final Pattern DO_BLOCK = Pattern.compile("(?is)DO\\b.*");

  private SqlStatements() {}

  /**
   * One statement.
   *
   * @param text the statement without comments, strings and bodies kept as written
   * @param literals the values of its string literals, outside dollar-quoted bodies
   * @param bodies the contents of its dollar-quoted bodies ({@code $$ ... $$})
   */
  public record Statement(String text, List<String> literals, List<String> bodies) {
    /**
     * Whether running this statement uses the string {@code value}: as a literal, or as a literal
     * in the body of a {@code DO} block, which runs at once. A function body runs only when called.
     */
    public boolean uses(String value) {
      if (literals.contains(value)) {
        return true;
      }
      if (DO_BLOCK.matcher(text).matches()) {
        for (String body : bodies) {
          for (Statement inner : parse(body)) {
            if (inner.uses(value)) {
              return true;
            }
          }
        }
      }
      return false;
    }
  }

  /** A value added to an enum type by {@code ALTER TYPE name ADD VALUE 'label'}. */
  public record EnumValue(String type, String label) {}

  /** The statements of {@code script}, in order; empty ones left out. */
  public static List<Statement> parse(String script) {
    List<Statement> statements = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    List<String> literals = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    int n = script.length();
    int i = 0;
    while (i < n) {
      char c = script.charAt(i);
      char next = i + 1 < n ? script.charAt(i + 1) : '\0';
      if (c == '-' && next == '-') {
        while (i < n && script.charAt(i) != '\n') {
          i++;
        }
        text.append(' ');
      } else if (c == '/' && next == '*') {
        int depth = 0;
        do {
          if (script.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (script.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        } while (i < n && depth > 0);
        text.append(' ');
      } else if (c == '\'') {
        boolean escapes =
            i > 0
                && (script.charAt(i - 1) == 'E' || script.charAt(i - 1) == 'e')
                && (i == 1 || !isIdentifierPart(script.charAt(i - 2)));
        StringBuilder value = new StringBuilder();
        int start = i++;
        while (i < n) {
          char d = script.charAt(i);
          if (escapes && d == '\\' && i + 1 < n) {
            value.append(script.charAt(i + 1));
            i += 2;
          } else if (d == '\'' && i + 1 < n && script.charAt(i + 1) == '\'') {
            value.append('\'');
            i += 2;
          } else if (d == '\'') {
            i++;
            break;
          } else {
            value.append(d);
            i++;
          }
        }
        literals.add(value.toString());
        text.append(script, start, i);
      } else if (c == '"') {
        int start = i++;
        while (i < n) {
          if (script.charAt(i) == '"' && i + 1 < n && script.charAt(i + 1) == '"') {
            i += 2;
          } else if (script.charAt(i++) == '"') {
            break;
          }
        }
        text.append(script, start, i);
      } else if (c == '$' && (i == 0 || !isIdentifierPart(script.charAt(i - 1)))) {
        int tagEnd = i + 1;
        while (tagEnd < n && isTagPart(script.charAt(tagEnd))) {
          tagEnd++;
        }
        boolean isTag =
            tagEnd < n
                && script.charAt(tagEnd) == '$'
                && (tagEnd == i + 1 || !Character.isDigit(script.charAt(i + 1)));
        if (isTag) {
          String tag = script.substring(i, tagEnd + 1);
          int bodyEnd = script.indexOf(tag, tagEnd + 1);
          int end = bodyEnd < 0 ? n : bodyEnd + tag.length();
          bodies.add(script.substring(tagEnd + 1, bodyEnd < 0 ? n : bodyEnd));
          text.append(script, i, end);
          i = end;
        } else {
          text.append(c);
          i++;
        }
      } else if (c == ';') {
        add(statements, text, literals, bodies);
        text = new StringBuilder();
        literals = new ArrayList<>();
        bodies = new ArrayList<>();
        i++;
      } else {
        text.append(c);
        i++;
      }
    }
    add(statements, text, literals, bodies);
    return statements;
  }

  private static void add(
      List<Statement> statements, StringBuilder text, List<String> literals, List<String> bodies) {
    String statement = text.toString().strip();
    if (!statement.isEmpty()) {
      statements.add(new Statement(statement, List.copyOf(literals), List.copyOf(bodies)));
    }
  }

  private static boolean isTagPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** The value {@code ALTER TYPE ... ADD VALUE} adds, if that is what the statement does. */
  public static Optional<EnumValue> addedEnumValue(Statement statement) {
    Matcher matcher = ADD_ENUM_VALUE.matcher(statement.text());
    if (!matcher.matches() || statement.literals().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new EnumValue(matcher.group(1), statement.literals().get(0)));
  }

  /**
   * The index {@code CREATE [UNIQUE] INDEX CONCURRENTLY} builds, as PostgreSQL stores its name
   * (unquoted names folded to lower case); empty when the statement is another one or names no
   * index.
   */
  public static Optional<String> concurrentIndex(Statement statement) {
    Matcher matcher = CONCURRENT_INDEX.matcher(statement.text());
    if (!matcher.matches() || matcher.group(1) == null) {
      return Optional.empty();
    }
    return Optional.of(identifier(matcher.group(1)));
  }

  /** Whether the statement builds an index concurrently, named or not. */
  public static boolean buildsIndexConcurrently(Statement statement) {
    return CONCURRENT_INDEX.matcher(statement.text()).matches();
  }

  private static String identifier(String written) {
    if (written.startsWith("\"")) {
      return written.substring(1, written.length() - 1).replace("\"\"", "\"");
    }
    return written.toLowerCase(Locale.ROOT);
  }
}
