package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywaySettings;
import dev.pitstop.db.SessionSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How to reach the database. The password never comes from a flag value: it is read from {@code
 * --db-password-file} or from the environment variable {@code PITSTOP_DB_PASSWORD}.
 */
public final class DatabaseOptions {
  public static final String PASSWORD_ENV = "PITSTOP_DB_PASSWORD";

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "The app's database, e.g. jdbc:postgresql://db.shop.svc:5432/shop.")
  String jdbcUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "The database user.")
  String user;

  @Option(
      names = "--db-password-file",
      paramLabel = "FILE",
      description =
          "File holding the password (e.g. a mounted Secret). Otherwise the environment variable "
              + PASSWORD_ENV
              + " is used.")
  Path passwordFile;

  @Option(
      names = "--lock-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = CommonOptions.DurationConverter.class,
      description =
          "PostgreSQL lock_timeout of every session: a lock not granted in time is a transient"
              + " failure (exit 75) instead of a queue that blocks the app. Default: ${DEFAULT-VALUE}.")
  Duration lockTimeout;

  @Option(
      names = "--statement-timeout",
      paramLabel = "DURATION",
      defaultValue = "0s",
      converter = CommonOptions.DurationConverter.class,
      description =
          "PostgreSQL statement_timeout of every session; 0s means none. Default: ${DEFAULT-VALUE}.")
  Duration statementTimeout;

  public boolean given() {
    return jdbcUrl != null && !jdbcUrl.isBlank();
  }

  /**
   * The connection, opened through the environment's connection decorator; the password comes from
   * the file or the environment variables, never from a flag.
   */
  public DbConnection connection(CliEnvironment environment) {
    return connection(environment, FlywaySettings.Connection.NONE);
  }

  /**
   * The connection, with what these options leave out taken from Flyway's own settings ({@code
   * FLYWAY_URL}, {@code flyway.url} in a Flyway config file, and the same for the user and the
   * password), as plain Flyway would read them.
   */
  public DbConnection connection(CliEnvironment environment, FlywaySettings.Connection flyway) {
    String url = given() ? jdbcUrl : flyway.url();
    if (url == null || url.isBlank()) {
      throw PitstopException.usage(
          "missing --jdbc-url: e.g. jdbc:postgresql://db.shop.svc:5432/shop (or PITSTOP_JDBC_URL,"
              + " FLYWAY_URL, or flyway.url in --flyway-config)");
    }
    char[] password = password(environment.env());
    DbConnection connection =
        DbConnection.of(
            url,
            user != null ? user : flyway.user(),
            password != null ? password : flyway.password());
    return connection.withConnections(environment.connections());
  }

  private char[] password(Map<String, String> env) {
    if (passwordFile != null) {
      try {
        String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
        return text.strip().toCharArray();
      } catch (IOException e) {
        throw PitstopException.usage(
            "cannot read --db-password-file "
                + passwordFile
                + " ("
                + e.getClass().getSimpleName()
                + "): mount the Secret there or use "
                + PASSWORD_ENV);
      }
    }
    String fromEnv = env.get(PASSWORD_ENV);
    return fromEnv == null ? null : fromEnv.toCharArray();
  }

  public SessionSettings session() {
    return SessionSettings.defaults()
        .withLockTimeout(lockTimeout)
        .withStatementTimeout(statementTimeout);
  }
}
