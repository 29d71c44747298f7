package dev.pitstop.db;

import dev.pitstop.core.Progress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.flywaydb.core.internal.command.DbMigrate;

/**
 * Flyway's log, written as Pitstop's own progress lines: its warnings and errors as {@code warning:
 * flyway: ...}, a notice the database sent while a migration ran as {@code warning: database: ...},
 * and everything else only with {@code --verbose}. Without this, slf4j would print them with
 * Flyway's internal class names in front.
 *
 * <p>Flyway's logging is one static setting for the whole JVM, so the step's progress is found per
 * thread: Flyway logs on the thread that called it, which is the step's own. Flyway makes an
 * instance of this class by its name ({@code loggers}), so it must stay public with a public
 * constructor.
 */
public final class FlywayLog implements LogCreator {
  private static final ThreadLocal<Progress> PROGRESS = new ThreadLocal<>();

  /** {@code DB: message (SQL State: 42P07 - Error Code: 0)}: how Flyway passes on a notice. */
  private static final Pattern DATABASE_NOTICE =
      Pattern.compile("(?s)DB: (.*) \\(SQL State: (\\w+) - Error Code: -?\\d+\\)");

  /** Flyway's log lines written on this thread go to {@code progress} from now on. */
  static void writeTo(Progress progress) {
    PROGRESS.set(progress);
  }

  @Override
  public Log createLogger(Class<?> source) {
    return new Line(source);
  }

  private static final class Line implements Log {
    private final Class<?> source;

    Line(Class<?> source) {
      this.source = source;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public void debug(String message) {}

    @Override
    public void info(String message) {
      debugLine(message);
    }

    @Override
    public void notice(String message) {
      debugLine(message);
    }

    @Override
    public void warn(String message) {
      warning(message);
    }

    @Override
    public void error(String message) {
      // Pitstop names the failed migration itself, with the database's error and what it means
      if (source != DbMigrate.class) {
        warning(message);
      }
    }

    @Override
    public void error(String message, Exception e) {
      error(message);
    }

    private static void debugLine(String message) {
      Progress progress = PROGRESS.get();
      if (progress != null) {
        progress.debug("flyway: " + oneLine(message));
      }
    }

    private static void warning(String message) {
      String text = oneLine(message);
      Matcher notice = DATABASE_NOTICE.matcher(text);
      String line =
          notice.matches()
              ? "database: " + notice.group(1) + " [SQLSTATE " + notice.group(2) + "]"
              : "flyway: " + text;
      Progress progress = PROGRESS.get();
      if (progress != null) {
        progress.warn(line);
      } else {
        org.slf4j.LoggerFactory.getLogger("flyway").warn(line);
      }
    }

    private static String oneLine(String message) {
      return DbConnection.mask(message == null ? "" : message.strip())
          .replaceAll("\\s*\\R\\s*", " ");
    }
  }
}
