package dev.pitstop.plan;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds where a piece of configuration says a PostgreSQL database is: JDBC, R2DBC, Vert.x and libpq
 * URLs ({@code jdbc:postgresql://db:5432/shop}, {@code postgres://user:pass@db/shop}), libpq
 * keyword strings ({@code host=db port=5432 dbname=shop}) and settings named like {@code PGHOST} or
 * {@code DB_PORT}. Commented-out lines are not configuration and are skipped. Whatever is shown of
 * a URL has its password removed: configuration often carries one.
 */
final class ConnectionStrings {
  private ConnectionStrings() {}

  /** A host and the port given with it (null: none given). */
  record HostPort(String host, Integer port) {}

  /**
   * One place a database is named.
   *
   * @param hosts the hosts, in order (JDBC allows several); empty when none is given
   * @param database the database name, or null when none is given
   * @param shown the reference as it may be printed: no password
   */
  record Reference(List<HostPort> hosts, String database, String shown) {}

  /** What a setting's name says it holds. */
  enum SettingKind {
    URL,
    HOST,
    PORT,
    DATABASE,
    PASSWORD,
    OTHER
  }

  private static final Pattern URL =
      Pattern.compile(
          "(?i)(?:jdbc:|r2dbc:(?:pool:)?|vertx-reactive:)?postgres(?:ql)?://[^\\s'\"<>`]+");

  private static final Pattern KEYWORD =
      Pattern.compile("(?i)(?:^|\\s)(host|hostaddr|port|dbname)\\s*=\\s*('[^']*'|[^\\s']+)");

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)\\b(password|passwd|pwd|sslpassword)(\\s*=\\s*)('[^']*'|[^&\\s;']*)");

  private static final Pattern COMMENT_LINE = Pattern.compile("^\\s*(#|//|--|;|!|/\\*|\\*)");
  private static final Pattern XML_COMMENT = Pattern.compile("(?s)<!--.*?-->");
  private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s#.*$");

  /** The text without its passwords: URL user info and {@code password=} parameters. */
  static String redact(String text) {
    if (text == null) {
      return null;
    }
    Matcher url = ANY_URL.matcher(text);
    StringBuilder out = new StringBuilder();
    while (url.find()) {
      url.appendReplacement(out, Matcher.quoteReplacement(redactUserInfo(url.group())));
    }
    url.appendTail(out);
    return PASSWORD_PARAMETER.matcher(out.toString()).replaceAll("$1$2****");
  }

  private static final Pattern ANY_URL =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.:-]*://[^\\s'\"<>`]+");

  /**
   * The URL with the password of its user info replaced. The user info ends at the last {@code @}
   * before the query: a password written unencoded may hold {@code @} or {@code /} itself.
   */
  private static String redactUserInfo(String url) {
    int start = url.indexOf("://") + 3;
    int query = url.indexOf('?', start);
    int at = url.lastIndexOf('@', query < 0 ? url.length() - 1 : query);
    if (at < start) {
      return url;
    }
    int colon = url.indexOf(':', start);
    if (colon < 0 || colon > at) {
      return url;
    }
    return url.substring(0, colon + 1) + "****" + url.substring(at);
  }

  /**
   * The lines of a configuration value that are not comments: whole-line comments in the usual
   * styles ({@code #}, {@code //}, {@code --}, {@code ;}, {@code !}, {@code /*}), trailing {@code
   * #} comments after a space, and XML comments are dropped.
   */
  static List<String> activeLines(String text) {
    List<String> lines = new ArrayList<>();
    if (text == null) {
      return lines;
    }
    for (String line : XML_COMMENT.matcher(text).replaceAll("").split("\\R")) {
      if (COMMENT_LINE.matcher(line).find()) {
        continue;
      }
      String kept = TRAILING_COMMENT.matcher(line).replaceAll("");
      if (!kept.isBlank()) {
        lines.add(kept);
      }
    }
    return lines;
  }

  /** Every URL and libpq keyword string in the active lines of {@code text}. */
  static List<Reference> find(String text) {
    List<Reference> found = new ArrayList<>();
    for (String line : activeLines(text)) {
      Matcher url = URL.matcher(line);
      boolean any = false;
      while (url.find()) {
        parseUrl(url.group()).ifPresent(found::add);
        any = true;
      }
      if (!any) {
        keywords(line).ifPresent(found::add);
      }
    }
    return found;
  }

  private static java.util.Optional<Reference> parseUrl(String url) {
    String cleaned = url.replaceAll("[.,;)\\]}]+$", "");
    int scheme = cleaned.indexOf("://");
    String rest = cleaned.substring(scheme + 3);
    // the user info ends at the last @ before the query (a password may hold @ or /)
    int questionMark = rest.indexOf('?');
    int at = rest.lastIndexOf('@', questionMark < 0 ? rest.length() - 1 : questionMark);
    String afterUser = at < 0 ? rest : rest.substring(at + 1);
    int authorityEnd = afterUser.length();
    for (int i = 0; i < afterUser.length(); i++) {
      char c = afterUser.charAt(i);
      if (c == '/' || c == '?') {
        authorityEnd = i;
        break;
      }
    }
    String hostList = afterUser.substring(0, authorityEnd);
    String pathAndQuery = afterUser.substring(authorityEnd);
    String database = null;
    String query = "";
    if (pathAndQuery.startsWith("/")) {
      int q = pathAndQuery.indexOf('?');
      String path = q < 0 ? pathAndQuery.substring(1) : pathAndQuery.substring(1, q);
      query = q < 0 ? "" : pathAndQuery.substring(q + 1);
      if (!path.isEmpty()) {
        database = decode(path);
      }
    } else if (pathAndQuery.startsWith("?")) {
      query = pathAndQuery.substring(1);
    }
    List<HostPort> hosts = new ArrayList<>();
    for (String part : hostList.split(",")) {
      if (!part.isBlank()) {
        hosts.add(hostPort(part.trim()));
      }
    }
    Integer queryPort = null;
    for (String parameter : query.split("&")) {
      int eq = parameter.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = parameter.substring(0, eq).toLowerCase(Locale.ROOT);
      String value = decode(parameter.substring(eq + 1));
      switch (key) {
        case "host", "hostaddr" -> {
          if (!value.startsWith("/")) {
            hosts.add(new HostPort(value, null));
          }
        }
        case "port" -> queryPort = port(value);
        case "dbname" -> database = value;
        default -> {
          // not about where the database is
        }
      }
    }
    if (queryPort != null) {
      Integer p = queryPort;
      hosts = hosts.stream().map(h -> h.port() == null ? new HostPort(h.host(), p) : h).toList();
    }
    return java.util.Optional.of(new Reference(hosts, database, redact(cleaned)));
  }

  private static java.util.Optional<Reference> keywords(String line) {
    Matcher m = KEYWORD.matcher(line);
    String host = null;
    Integer port = null;
    String database = null;
    while (m.find()) {
      String value = m.group(2).replaceAll("^'|'$", "");
      switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "host", "hostaddr" -> host = host == null ? value : host;
        case "port" -> port = port(value);
        default -> database = value;
      }
    }
    if (host == null || (port == null && database == null)) {
      return java.util.Optional.empty();
    }
    List<HostPort> hosts = new ArrayList<>();
    for (String h : host.split(",")) {
      hosts.add(new HostPort(h.trim(), port));
    }
    return java.util.Optional.of(new Reference(hosts, database, redact(line.strip())));
  }

  private static HostPort hostPort(String text) {
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close > 0) {
        String host = text.substring(1, close);
        String after = text.substring(close + 1);
        return new HostPort(host, after.startsWith(":") ? port(after.substring(1)) : null);
      }
    }
    int colon = text.lastIndexOf(':');
    if (colon > 0 && text.indexOf(':') == colon) {
      return new HostPort(text.substring(0, colon), port(text.substring(colon + 1)));
    }
    return new HostPort(text, null);
  }

  /** The port number, or null when the text is none (a placeholder, say). */
  static Integer port(String text) {
    String digits = text == null ? "" : text.strip().replaceAll("^'|'$|^\"|\"$", "");
    if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65535 ? port : null;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /**
   * Whether a setting's name says it is about a database ({@code DB_HOST}, {@code
   * SPRING_DATASOURCE_URL}, {@code PGPORT}), as opposed to, say, {@code REDIS_URL}.
   */
  static boolean mentionsDatabase(String name) {
    String n = normalized(name);
    return n.matches("(^|.*_)(DB|DATABASE|DATASOURCE|POSTGRES|POSTGRESQL|PG|PGSQL|SQL|JDBC)(_.*|$)")
        || n.matches("PG[A-Z]+");
  }

  /**
   * What a setting named {@code name} holds, by the conventions of libpq ({@code PGHOST}), Spring
   * Boot and Quarkus ({@code SPRING_DATASOURCE_URL}, {@code QUARKUS_DATASOURCE_JDBC_URL}), Heroku
   * ({@code DATABASE_URL}), Docker images ({@code POSTGRES_DB}) and the Secrets of the PostgreSQL
   * operators ({@code uri}, {@code jdbc-uri}, {@code host}, {@code port}, {@code dbname}).
   *
   * @param inObject the name is a key of a Secret or ConfigMap rather than a variable the pod spec
   *     names: a bare {@code host} or {@code port} there is the database's (as in the operators'
   *     Secrets), while a bare {@code PORT} variable is usually the app's own HTTP port
   */
  static SettingKind kindOf(String name, boolean inObject) {
    String n = normalized(name);
    if (n.contains("PASSWORD") || n.equals("PGPASS") || n.endsWith("_PWD")) {
      return SettingKind.PASSWORD;
    }
    boolean database = mentionsDatabase(name);
    if (n.endsWith("URL")
        || n.endsWith("URI")
        || n.endsWith("DSN")
        || n.endsWith("CONNECTION_STRING")
        || n.endsWith("CONN_STRING")) {
      return SettingKind.URL;
    }
    if (n.equals("PGHOST")
        || n.equals("PGHOSTADDR")
        || (inObject && n.equals("HOST"))
        || (database
            && (n.endsWith("HOST")
                || n.endsWith("HOSTNAME")
                || n.endsWith("SERVER")
                || n.endsWith("ADDR")))) {
      return SettingKind.HOST;
    }
    if (n.equals("PGPORT") || (inObject && n.equals("PORT")) || (database && n.endsWith("PORT"))) {
      return SettingKind.PORT;
    }
    if (n.equals("PGDATABASE")
        || n.equals("DBNAME")
        || n.equals("DATABASE")
        || n.equals("POSTGRES_DB")
        || n.endsWith("_DBNAME")
        || n.endsWith("DB_NAME")
        || n.endsWith("DATABASE_NAME")
        || (n.startsWith("POSTGRES") && n.endsWith("_DATABASE"))) {
      return SettingKind.DATABASE;
    }
    return SettingKind.OTHER;
  }

  private static String normalized(String name) {
    return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
  }
}
