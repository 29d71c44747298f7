package dev.pitstop.cli;

import static dev.pitstop.testing.TestPostgres.migration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.MigrationSets;
import dev.pitstop.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate} and {@code verify} alone, as a CI job or a Helm hook runs them: a URL, a user, a
 * password and a folder, no cluster and no run. The role's password is {@code ex}, short enough to
 * be part of many words in the database's messages.
 */
class StandaloneMigrateIT {
  private static final String PASSWORD = "ex";
  private static TestPostgres pg;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    pg = TestPostgres.start();
    pg.execute("postgres", "CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
  }

  @AfterAll
  static void stopServer() {
    pg.close();
  }

  private static CliRunner cli() {
    return new CliRunner(
        () -> {
          throw new AssertionError("a step without --app must not need a cluster");
        });
  }

  private static CliRunner withPassword() {
    return cli().env("PITSTOP_DB_PASSWORD", PASSWORD);
  }

  private static String database(String name) throws Exception {
    pg.execute(
        "postgres",
        "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
        "CREATE DATABASE " + name + " OWNER app");
    return pg.url(name);
  }

  private static String folder(String set) {
    return MigrationSets.folder(set).toString();
  }

  private static int count(String text, String part) {
    int found = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      found++;
    }
    return found;
  }

  @Test
  void migrateAndVerifyNeedOnlyTheUrlTheUserThePasswordAndAPlainFolder() throws Exception {
    String url = database("alone");

    Result migrate =
        withPassword()
            .run("migrate", "--jdbc-url", url, "--db-user", "app", "--locations", folder("shop"));
    Result verify =
        withPassword()
            .run("verify", "--jdbc-url", url, "--db-user", "app", "--locations", folder("shop"));
    Result inARun =
        withPassword()
            .run(
                "migrate",
                "--app",
                "shop",
                "--jdbc-url",
                url,
                "--db-user",
                "app",
                "--locations",
                folder("shop"));

    assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
    assertThat(migrate.out()).contains("migrated app@localhost:" + pg.port() + "/alone");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    assertThat(verify.out())
        .contains("verified app@localhost:" + pg.port() + "/alone at version 2");
    assertThat(verify.err()).doesNotContain("verified");
    assertThat(inARun.exitCode()).as(inARun.toString()).isEqualTo(2);
    assertThat(inARun.err()).contains("--run-id");
  }

  @Test
  void flywaysOwnConnectionSettingsAreUsedWhereNoPitstopOptionGivesThem() throws Exception {
    String url = database("flyway_settings");
    Path conf = dir.resolve("flyway.conf");
    Files.writeString(
        conf, "flyway.url=" + url + "\nflyway.user=app\nflyway.password=" + PASSWORD + "\n");

    Result fromEnvironment =
        cli()
            .env("FLYWAY_URL", url)
            .env("FLYWAY_USER", "app")
            .env("FLYWAY_PASSWORD", PASSWORD)
            .run("migrate", "--locations", folder("shop"));
    Result fromConfigFile =
        cli().run("verify", "--flyway-config", conf.toString(), "--locations", folder("shop"));
    Result optionWins =
        withPassword()
            .env("FLYWAY_URL", pg.url("no_such_database"))
            .run("verify", "--jdbc-url", url, "--db-user", "app", "--locations", folder("shop"));

    assertThat(fromEnvironment.exitCode()).as(fromEnvironment.toString()).isZero();
    assertThat(fromConfigFile.exitCode()).as(fromConfigFile.toString()).isZero();
    assertThat(optionWins.exitCode()).as(optionWins.toString()).isZero();
    String all = fromEnvironment.toString() + fromConfigFile + optionWins;
    assertThat(all).doesNotContain("password=" + PASSWORD).doesNotContain("ignored");
  }

  @Test
  void nothingPendingExitsZeroWhileTheAppIsStillConnected() throws Exception {
    String url = database("still_connected");
    String[] args = {
      "migrate",
      "--jdbc-url",
      url,
      "--db-user",
      "app",
      "--locations",
      folder("shop"),
      "--sessions-timeout",
      "1s"
    };
    assertThat(withPassword().run(args).exitCode()).isZero();

    try (Connection app = pg.jdbc("still_connected", "web")) {
      Result again = withPassword().run(args);

      assertThat(again.exitCode()).as(again.toString()).isZero();
      assertThat(again.out()).contains("is up to date at version 2");
      assertThat(app.isValid(2)).isTrue();
    }
  }

  @Test
  void atomicRefusalAdvisesNoAtomicAndTheAdvisedRouteWorksEndToEnd() throws Exception {
    String url = database("advised_route");
    String locations = MigrationSets.locations("shop", "concurrent-index");
    String[] args = {"migrate", "--jdbc-url", url, "--db-user", "app", "--locations", locations};

    Result refused = withPassword().run(args);
    Result dryRun = withPassword().run(concat(args, "--dry-run"));
    Result advised = withPassword().run(concat(args, "--no-atomic"));

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("V3__index_orders_by_customer.sql", "--no-atomic");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isEqualTo(2);
    assertThat(dryRun.err()).contains("would apply V3", "a real run would stop here");
    assertThat(advised.exitCode()).as(advised.toString()).isZero();
    assertThat(
            pg.queryString(
                "advised_route",
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer_id_idx'::regclass"))
        .isEqualTo("t");
  }

  @Test
  void strayReportScriptIsRefusedWithWhatToDoUnlessFlywaysNamingSettingSkipsIt() throws Exception {
    String locations = MigrationSets.locations("shop", "stray-file");
    Path conf = dir.resolve("naming.conf");
    Files.writeString(conf, "flyway.validateMigrationNaming=false\n");

    Result refused =
        withPassword()
            .run(
                "migrate",
                "--jdbc-url",
                database("stray_refused"),
                "--db-user",
                "app",
                "--locations",
                locations);
    Result withConfig =
        withPassword()
            .run(
                "migrate",
                "--jdbc-url",
                database("stray_config"),
                "--db-user",
                "app",
                "--locations",
                locations,
                "--flyway-config",
                conf.toString());
    Result withEnvironment =
        withPassword()
            .env("FLYWAY_VALIDATE_MIGRATION_NAMING", "false")
            .run(
                "migrate",
                "--jdbc-url",
                database("stray_env"),
                "--db-user",
                "app",
                "--locations",
                locations);

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err())
        .contains("monthly_revenue_report.sql", "nothing was changed")
        .contains("flyway.validateMigrationNaming=false", "FLYWAY_VALIDATE_MIGRATION_NAMING")
        .doesNotContain("found:;");
    assertThat(pg.queryString("stray_refused", "SELECT to_regclass('flyway_schema_history')"))
        .isNull();
    for (Result skipped : new Result[] {withConfig, withEnvironment}) {
      assertThat(skipped.exitCode()).as(skipped.toString()).isZero();
      assertThat(skipped.err()).contains("skipping monthly_revenue_report.sql");
    }
  }

  @Test
  void schemaWithObjectsButNoHistoryPointsAtBaselineOnMigrate() throws Exception {
    String url = database("legacy");
    pg.execute(
        "legacy", "CREATE TABLE legacy (id int PRIMARY KEY)", "ALTER TABLE legacy OWNER TO app");
    migration(dir, "V1__legacy.sql", "CREATE TABLE legacy (id int PRIMARY KEY);\n");
    migration(dir, "V2__legacy_name.sql", "ALTER TABLE legacy ADD COLUMN name text;\n");
    String[] args = {
      "migrate", "--jdbc-url", url, "--db-user", "app", "--locations", dir.toString()
    };

    Result refused = withPassword().run(args);
    Result baselined = withPassword().run(concat(args, "--baseline-on-migrate"));

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("--baseline-on-migrate", "no Flyway history table");
    assertThat(baselined.exitCode()).as(baselined.toString()).isZero();
    assertThat(
            pg.queryString(
                "legacy",
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'legacy'"))
        .isEqualTo("2");
  }

  @Test
  void shortPasswordLeavesTheDatabasesMessagesIntactAndNoticesReadAsPitstopsOwn() throws Exception {
    String url = database("short_password");
    migration(
        dir,
        "V1__tables.sql",
        "CREATE TABLE x (id int);\nCREATE TABLE IF NOT EXISTS x (id int);\nCREATE TABLE x (id int);\n");
    String[] args = {
      "migrate",
      "--jdbc-url",
      url + "?password=" + PASSWORD,
      "--db-user",
      "app",
      "--locations",
      dir.toString()
    };

    Result text = cli().run(args);
    Result json = cli().run(concat(args, "--output", "json"));

    assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
    assertThat(text.err())
        .contains("relation \"x\" already exists [SQLSTATE 42P07]")
        .contains("warning: database: relation \"x\" already exists, skipping [SQLSTATE 42P07]")
        .doesNotContain("****")
        .doesNotContain("org.flywaydb")
        .doesNotContain("password=" + PASSWORD);
    assertThat(json.out()).contains("relation \\\"x\\\" already exists");
  }

  @Test
  void verifyPrintsItsResultOnceAndEachPendingMigrationOnce() throws Exception {
    String url = database("verify_once");
    withPassword()
        .run("migrate", "--jdbc-url", url, "--db-user", "app", "--locations", folder("shop"));

    Result failed =
        withPassword()
            .run(
                "verify",
                "--jdbc-url",
                url,
                "--db-user",
                "app",
                "--locations",
                MigrationSets.locations("shop", "enum-value"));

    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
    assertThat(count(failed.err(), "V4__add_refunded_status.sql")).isEqualTo(1);
    assertThat(count(failed.err(), "V5__refund_cancelled_orders.sql")).isEqualTo(1);
    assertThat(failed.out()).isEmpty();
  }

  @Test
  void placeholderHelpShowsTheNamePattern() {
    Result help = cli().run("migrate", "--help");

    assertThat(help.out()).contains("A ${NAME} replacement").doesNotContain("A null replacement");
  }

  private static String[] concat(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
