package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of malformed inputs across the subcommands, against a reachable cluster and database (so
 * that nothing but the input itself can be the reason): each one exits 2 with one clear line on
 * stderr, and neither the cluster nor the database changes.
 */
class BadInputIT extends ClusterTestBase {
  private static TestPostgres postgres;
  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  /** One malformed invocation and a word its message must contain. */
  record Case(String mentions, List<String> args) {
    static Case of(String mentions, String... args) {
      return new Case(mentions, List.of(args));
    }
  }

  private List<Case> corpus(String jdbc) throws Exception {
    Path badYaml = write("bad.yaml", "app: [unclosed\n");
    Path unknownKey = write("unknown.yaml", "no_such_option: 1\n");
    Path listYaml = write("list.yaml", "- a\n- b\n");
    Path badNames = Files.createDirectories(dir.resolve("bad-names"));
    Files.writeString(badNames.resolve("V2_one_underscore.sql"), "SELECT 1;");
    Files.writeString(badNames.resolve("Vx__not_a_version.sql"), "SELECT 1;");
    Path latin1 = Files.createDirectories(dir.resolve("latin1"));
    Files.write(
        latin1.resolve("V2__latin1.sql"),
        "SELECT 'caf\u00e9';".getBytes(StandardCharsets.ISO_8859_1));
    Path duplicate = Files.createDirectories(dir.resolve("duplicate"));
    Files.writeString(duplicate.resolve("V2__one.sql"), "SELECT 1;");
    Files.writeString(duplicate.resolve("V2__two.sql"), "SELECT 2;");
    String v1 = RunFixture.V1;
    String db = "--jdbc-url=" + jdbc;
    String user = "--db-user=postgres";
    String longName = "a".repeat(70);
    return List.of(
        // names
        Case.of("--app", "lock", "--app", "Shop_App", "--run-id", "r1"),
        Case.of("--app", "lock", "--app", longName, "--run-id", "r1"),
        Case.of("--app", "status", "--app", "-shop"),
        Case.of("--run-id", "lock", "--app", "shop", "--run-id", "bad id!"),
        Case.of("--run-id", "lock", "--app", "shop", "--run-id", "r".repeat(64)),
        Case.of("--run-id", "unlock", "--app", "shop"),
        Case.of("--namespace", "lock", "--app", "shop", "-n", "Bad_NS", "--run-id", "r1"),
        Case.of("--app", "scale-down", "--run-id", "r1", "--selector", "app=shop"),
        // selectors and workloads
        Case.of("--selector", "scale-down", "--app", "shop", "--run-id", "r1", "--selector", "app"),
        Case.of("--selector", "scale-down", "--app", "shop", "--run-id", "r1", "--selector", "=x"),
        Case.of(
            "--selector", "scale-down", "--app", "shop", "--run-id", "r1", "--selector", "a=b,,c"),
        Case.of("pod", "scale-down", "--app", "shop", "--run-id", "r1", "--workload", "pod/web"),
        Case.of(
            "--workload",
            "scale-down",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--workload",
            "deployment/"),
        Case.of(
            "Web_1",
            "scale-down",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--workload",
            "deployment/Web_1"),
        Case.of("workloads", "scale-down", "--app", "shop", "--run-id", "r1"),
        Case.of(
            "--maintenance-selector",
            "maintenance-on",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--mode",
            "service",
            "--service",
            "shop-web"),
        // one mistake, one exit code: no migrations folder is bad input for every database step
        Case.of("--locations", "migrate", db, user),
        Case.of("--locations", "verify", db, user),
        // durations
        Case.of("--timeout", "lock", "--app", "shop", "--run-id", "r1", "--timeout", "5x"),
        Case.of("--timeout", "lock", "--app", "shop", "--run-id", "r1", "--timeout", "-5s"),
        Case.of("--timeout", "lock", "--app", "shop", "--run-id", "r1", "--timeout", "0s"),
        Case.of("--timeout", "status", "--app", "shop", "--timeout", "ten minutes"),
        Case.of("--lock-timeout", "migrate", "--run-id", "r1", db, "--lock-timeout", "xyz"),
        Case.of(
            "--statement-timeout", "migrate", "--run-id", "r1", db, "--statement-timeout", "1y"),
        Case.of(
            "--sessions-timeout",
            "snapshot",
            "--app",
            "shop",
            "--run-id",
            "r1",
            db,
            "--sessions-timeout",
            "-1s"),
        Case.of(
            "--interval", "smoke-test", "--app", "shop", "--url", "http://x/", "--interval", "0s"),
        Case.of(
            "--request-timeout",
            "smoke-test",
            "--app",
            "shop",
            "--url",
            "http://x/",
            "--request-timeout",
            "0s"),
        // URLs
        Case.of("--url", "smoke-test", "--app", "shop", "--url", "notaurl"),
        Case.of("--url", "smoke-test", "--app", "shop", "--url", "ftp://x/"),
        Case.of("--url", "smoke-test", "--app", "shop", "--url", "http://x/ y"),
        Case.of(
            "--expect-status",
            "smoke-test",
            "--app",
            "shop",
            "--url",
            "http://x/",
            "--expect-status",
            "999"),
        Case.of(
            "--expect-status",
            "smoke-test",
            "--app",
            "shop",
            "--url",
            "http://x/",
            "--expect-status",
            "abc"),
        Case.of(
            "--header",
            "smoke-test",
            "--app",
            "shop",
            "--url",
            "http://x/",
            "--header",
            "NoEquals"),
        // JDBC URLs
        Case.of("jdbc:postgresql:", "migrate", "--run-id", "r1", "--jdbc-url", "mysql://x/db"),
        Case.of("jdbc:postgresql:", "migrate", "--run-id", "r1", "--jdbc-url", "jdbc:mysql://x/db"),
        Case.of("database", "migrate", "--run-id", "r1", "--jdbc-url", "jdbc:postgresql://"),
        Case.of(
            "jdbc:postgresql:",
            "rollback",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--jdbc-url",
            "jdbc:oracle:thin:@x"),
        Case.of("--jdbc-url", "migrate", "--run-id", "r1", "--locations", v1),
        Case.of(
            "snapshot name",
            "restore",
            "--app",
            "shop",
            "--run-id",
            "r1",
            db,
            "--snapshot",
            "x;drop"),
        Case.of("--keep", "snapshot", "--app", "shop", "--run-id", "r1", db, "--keep", "-1"),
        // config files and missing files
        Case.of(
            "does not exist",
            "lock",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--config",
            "/nonexistent.yaml"),
        Case.of(
            "not valid YAML",
            "lock",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--config",
            badYaml.toString()),
        Case.of(
            "unknown option",
            "lock",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--config",
            unknownKey.toString()),
        Case.of(
            "mapping", "lock", "--app", "shop", "--run-id", "r1", "--config", listYaml.toString()),
        Case.of(
            "--db-password-file",
            "migrate",
            "--run-id",
            "r1",
            db,
            "--db-password-file",
            "/nonexistent"),
        Case.of("/nonexistent.sql", "verify", db, user, "--check", "/nonexistent.sql"),
        Case.of("x.y", "verify", db, user, "--expect-version", "x.y"),
        Case.of("--placeholder", "migrate", "--run-id", "r1", db, "--placeholder", "novalue"),
        // migration folders
        Case.of(
            "/nonexistent",
            "migrate",
            "--run-id",
            "r1",
            db,
            user,
            "--locations",
            "filesystem:/nonexistent"),
        Case.of(
            "V2_one_underscore",
            "migrate",
            "--run-id",
            "r1",
            db,
            user,
            "--locations",
            v1 + ",filesystem:" + badNames),
        Case.of(
            "encoding",
            "migrate",
            "--run-id",
            "r1",
            db,
            user,
            "--locations",
            v1 + ",filesystem:" + latin1),
        Case.of(
            "version 2",
            "migrate",
            "--run-id",
            "r1",
            db,
            user,
            "--locations",
            v1 + ",filesystem:" + duplicate),
        Case.of("bogus", "migrate", "--run-id", "r1", db, user, "--locations", "bogus:/x"),
        Case.of(
            "target version",
            "migrate",
            "--run-id",
            "r1",
            db,
            user,
            "--locations",
            v1,
            "--target-version",
            "abc"),
        // unknown options and values (a repeated option is no mistake: the last one wins)
        Case.of("--output", "lock", "--app", "shop", "--run-id", "r1", "--output", "yaml"),
        Case.of("--mode", "maintenance-on", "--app", "shop", "--run-id", "r1", "--mode", "bogus"),
        Case.of(
            "--configmap",
            "maintenance-on",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--mode",
            "configmap"),
        Case.of(
            "--maintenance-backend",
            "maintenance-on",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--mode",
            "ingress",
            "--ingress",
            "shop",
            "--maintenance-backend",
            "svc"),
        Case.of(
            "--key",
            "maintenance-on",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "bad key!"),
        Case.of("--image", "scale-up", "--app", "shop", "--run-id", "r1", "--image", "web"),
        Case.of(
            "--image", "scale-up", "--app", "shop", "--run-id", "r1", "--image", "web=bad image"),
        Case.of(
            "--retries",
            "run",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "k",
            db,
            "--retries",
            "-1"),
        Case.of(
            "--jdbc-url",
            "run",
            "--app",
            "shop",
            "--run-id",
            "r1",
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "k"),
        Case.of("bogus-command", "bogus-command"),
        Case.of("extra-positional", "lock", "--app", "shop", "--run-id", "r1", "extra-positional"),
        Case.of("not a valid path", "status", "--app", "shop", "--config", "bad\0path"),
        Case.of("subcommand"));
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void everyMalformedInputExits2WithOneClearLineAndChangesNothing() throws Exception {
    postgres.createDatabase("shop");
    RunFixture shop = RunFixture.start(postgres, "shop", cli);
    shop.close();
    assertThat(pitstop("lock", "--run-id", "r1").exitCode()).isZero();
    String version = shop.version();
    String schema = shop.schema();
    String rows = shop.originalRows();
    List<Case> corpus = corpus(shop.jdbcUrl());
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(50);

    SoftAssertions softly = new SoftAssertions();
    for (Case c : corpus) {
      String before = snapshotOfState();
      List<String> args = new ArrayList<>(c.args());
      if (!args.isEmpty() && !args.contains("--timeout")) {
        args.addAll(List.of("--timeout", "5s"));
      }
      Result result = cli.run(args.toArray(String[]::new));
      List<String> errorLines = result.err().lines().filter(l -> l.startsWith("pitstop")).toList();
      softly.assertThat(result.exitCode()).as("exit of %s%n%s", args, result).isEqualTo(2);
      softly.assertThat(errorLines).as("one error line for %s", args).hasSize(1);
      softly
          .assertThat(errorLines.isEmpty() ? "" : errorLines.get(0))
          .as("message of %s", args)
          .contains(c.mentions());
      softly
          .assertThat(result.err())
          .as("no stack trace for %s", args)
          .doesNotContain("\tat ")
          .doesNotContain("Exception:");
      softly.assertThat(snapshotOfState()).as("cluster after %s", args).isEqualTo(before);
    }
    softly.assertThat(shop.version()).isEqualTo(version);
    softly.assertThat(shop.schema()).isEqualTo(schema);
    softly.assertThat(shop.originalRows()).isEqualTo(rows);
    softly.assertAll();
  }
}
