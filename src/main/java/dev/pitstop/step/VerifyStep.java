package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.Catalog;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.PgErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * {@code verify}: is the database what this release expects? It changes nothing.
 *
 * <p>It fails (exit 1) when any of these holds, and lists every one, not just the first:
 *
 * <ul>
 *   <li>Flyway validation fails: an applied migration's file was edited (checksum), renamed or
 *       removed;
 *   <li>the schema history records a failed migration;
 *   <li>a migration is pending (unless pending ones are allowed);
 *   <li>the current version is not the expected one;
 *   <li>a check fails.
 * </ul>
 *
 * <p><b>The check rule.</b> A check file holds one SQL query. It passes when the query returns
 * exactly one row whose first column is boolean {@code true}; zero rows, several rows, {@code
 * false}, {@code NULL}, a non-boolean column or an SQL error fail it. For example {@code SELECT
 * count(*) = 0 FROM users WHERE email IS NULL}. Checks run in one read-only transaction that is
 * rolled back, so a check cannot change data, and one failing check does not stop the others.
 */
public final class VerifyStep {
  private final Progress progress;
  private final Retry.Sleeper sleeper;

  public VerifyStep(Progress progress) {
    this(progress, Steps.SLEEP);
  }

  public VerifyStep(Progress progress, Retry.Sleeper sleeper) {
    this.progress = progress;
    this.sleeper = sleeper;
  }

  public StepResult run(VerifyRequest request) {
    DbConnection db = request.db();
    Map<Path, String> checks = readChecks(request.checks());
    if (request.expectVersion() != null) {
      parseVersion(request.expectVersion());
    }
    Deadline deadline = Deadline.after(request.timeout());
    Flyway configured =
        new FlywayFactory(progress).create(db, request.session(), request.flyway(), false);
    // Pending migrations are judged below, where --allow-pending applies; validation looks at
    // what is applied.
    Flyway flyway =
        Flyway.configure(Flyway.class.getClassLoader())
            .configuration(configured.getConfiguration())
            .ignoreMigrationPatterns("*:future", "*:pending")
            .load();

    List<String> problems = new ArrayList<>();
    List<Map<String, Object>> checkResults = new ArrayList<>();
    try (Connection connection = db.connect(request.session(), deadline, sleeper)) {
      ValidateResult validation = flyway.validateWithResult();
      if (!validation.validationSuccessful) {
        if (validation.invalidMigrations != null && !validation.invalidMigrations.isEmpty()) {
          for (ValidateOutput invalid : validation.invalidMigrations) {
            problems.add(
                "migration "
                    + (invalid.version == null || invalid.version.isEmpty()
                        ? "repeatable"
                        : "V" + invalid.version)
                    + " \""
                    + invalid.description
                    + "\": "
                    + oneLine(
                        invalid.errorDetails == null
                            ? "invalid"
                            : invalid.errorDetails.errorMessage));
          }
        } else {
          problems.add("Flyway validation failed: " + oneLine(validation.getAllErrorMessages()));
        }
      }
      MigrationInfoService info = flyway.info();
      String version = Migrations.version(info.current());
      for (MigrationInfo m : info.all()) {
        if (m.getState().isFailed()) {
          problems.add("migration " + Migrations.name(m) + " is recorded as failed");
        }
      }
      List<MigrationInfo> pending = Arrays.asList(info.pending());
      if (!pending.isEmpty() && !request.allowPending()) {
        problems.add(
            pending.size() + " migration(s) pending: " + Migrations.joinNames(pending, 10));
      }
      for (Catalog.InvalidIndex index :
          Catalog.invalidIndexes(connection, schemas(connection, flyway))) {
        problems.add(
            "index "
                + index.qualifiedName()
                + " is INVALID (a concurrent build failed) and not used by queries: drop it with"
                + " DROP INDEX CONCURRENTLY "
                + index.qualifiedName()
                + " and migrate again");
      }
      if (request.expectVersion() != null) {
        MigrationVersion expected = parseVersion(request.expectVersion());
        MigrationVersion actual = info.current() == null ? null : info.current().getVersion();
        if (actual == null || !expected.equals(actual)) {
          problems.add("schema version is " + version + ", expected " + request.expectVersion());
        }
      }
      runChecks(connection, db, checks, problems, checkResults);

      if (!problems.isEmpty()) {
        StringBuilder message =
            new StringBuilder(
                "verify failed on " + db.describe() + ": " + problems.size() + " problem(s)");
        for (int i = 0; i < problems.size(); i++) {
          message.append(i == 0 ? ": " : "; ").append(i + 1).append(") ").append(problems.get(i));
        }
        throw PitstopException.failed(message.toString());
      }
      return StepResult.builder(
              "verified "
                  + db.describe()
                  + " at version "
                  + version
                  + (checks.isEmpty() ? "" : ", " + checks.size() + " check(s) passed"))
          .field("schema-version", version)
          .field("pending", pending.size())
          .field("checks", checkResults)
          .build();
    } catch (FlywayException e) {
      throw Migrations.unreadable(e, db, "verifying " + db.describe());
    } catch (SQLException e) {
      throw PgErrors.classify(e, db, "verifying " + db.describe());
    }
  }

  /** The schemas Flyway manages, where an INVALID index is this release's business. */
  private static List<String> schemas(Connection connection, Flyway flyway) throws SQLException {
    List<String> schemas = new ArrayList<>(Arrays.asList(flyway.getConfiguration().getSchemas()));
    String defaultSchema = flyway.getConfiguration().getDefaultSchema();
    if (defaultSchema != null && !schemas.contains(defaultSchema)) {
      schemas.add(defaultSchema);
    }
    if (schemas.isEmpty()) {
      schemas.add(Catalog.currentSchema(connection));
    }
    return schemas;
  }

  private void runChecks(
      Connection connection,
      DbConnection db,
      Map<Path, String> checks,
      List<String> problems,
      List<Map<String, Object>> results)
      throws SQLException {
    if (checks.isEmpty()) {
      return;
    }
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET TRANSACTION READ ONLY");
      for (Map.Entry<Path, String> check : checks.entrySet()) {
        String name = check.getKey().getFileName().toString();
        String failure = null;
        Savepoint savepoint = connection.setSavepoint();
        try (ResultSet rows = statement.executeQuery(check.getValue())) {
          failure = judge(rows);
          connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
          if (PgErrors.sqlState(e) != null && PgErrors.sqlState(e).startsWith("08")) {
            throw e;
          }
          connection.rollback(savepoint);
          failure = "error: " + PgErrors.databaseMessage(e, db);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("check", name);
        result.put("passed", failure == null);
        if (failure != null) {
          result.put("reason", failure);
          problems.add("check " + name + " failed: " + failure);
        } else {
          progress.info("check " + name + " passed");
        }
        results.add(result);
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  /** Null when the rows satisfy the check rule, else why not. */
  private static String judge(ResultSet rows) throws SQLException {
    if (rows.getMetaData().getColumnCount() < 1) {
      return "it returned no columns";
    }
    int type = rows.getMetaData().getColumnType(1);
    if (type != Types.BOOLEAN && type != Types.BIT) {
      return "its first column is " + rows.getMetaData().getColumnTypeName(1) + ", not boolean";
    }
    if (!rows.next()) {
      return "it returned no row";
    }
    boolean value = rows.getBoolean(1);
    boolean isNull = rows.wasNull();
    if (rows.next()) {
      return "it returned more than one row";
    }
    if (isNull) {
      return "it returned NULL";
    }
    return value ? null : "it returned false";
  }

  private static Map<Path, String> readChecks(List<Path> files) {
    Map<Path, String> checks = new LinkedHashMap<>();
    for (Path file : files) {
      try {
        String sql = Files.readString(file, StandardCharsets.UTF_8).strip();
        while (sql.endsWith(";")) {
          sql = sql.substring(0, sql.length() - 1).strip();
        }
        if (sql.isEmpty()) {
          throw PitstopException.usage("check file " + file + " is empty");
        }
        checks.put(file, sql);
      } catch (IOException e) {
        throw PitstopException.usage("cannot read check file " + file + ": " + e.getMessage());
      }
    }
    return checks;
  }

  private static MigrationVersion parseVersion(String version) {
    try {
      return MigrationVersion.fromVersion(version);
    } catch (RuntimeException e) {
      throw PitstopException.usage(
          "expected version '" + version + "' is not a Flyway version (like 1, 1.2 or 2024.05.01)");
    }
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
