package dev.pitstop.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand, on success and failure paths, with a sentinel password: it must never reach
 * stdout, stderr, result files, JSON output, Kubernetes Events or the run record.
 */
class SecretsIT extends ClusterTestBase {
  private static final String SENTINEL = "Sentinel-Pw-7f3a9c";
  private static final String MIGRATIONS = "classpath:pitstop/demo/v1,classpath:pitstop/demo/v2";
  private static TestPostgres postgres;

  @TempDir Path results;

  private final List<String> seen = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.start();
    postgres.execute(
        "postgres",
        "CREATE ROLE app LOGIN CREATEDB PASSWORD '" + SENTINEL + "'",
        "CREATE DATABASE shop OWNER app");
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  private String url() {
    return postgres.url("shop");
  }

  private Result step(CliRunner runner, String command, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
    all.addAll(List.of("--results-dir", results.resolve(command + seen.size()).toString()));
    Result result = runner.run(all.toArray(String[]::new));
    seen.add(command + " -> " + result);
    Result json = runner.run(concat(all, "--output", "json"));
    seen.add(command + " (json) -> " + json);
    return result;
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void theSentinelPasswordAppearsNowhere() throws Exception {
    CliRunner withPassword = cli.env("PITSTOP_DB_PASSWORD", SENTINEL);
    String[] k8s = {"--app", "shop", "-n", NS, "--run-id", RUN, "--timeout", "20s"};
    String[] db = {"--jdbc-url", url(), "--db-user", "app"};

    step(withPassword, "lock", k8s);
    step(
        withPassword,
        "maintenance-on",
        with(k8s, "--mode", "configmap", "--configmap", "shop-settings", "--key", "maintenance"));
    step(withPassword, "scale-down", with(k8s, "--selector", "app=shop"));
    step(withPassword, "snapshot", with(with(k8s, db), "--terminate-sessions"));
    step(withPassword, "migrate", with(with(k8s, db), "--locations", MIGRATIONS));
    step(withPassword, "verify", with(db, "--locations", MIGRATIONS, "--timeout", "20s"));
    step(
        withPassword,
        "status",
        with(with(new String[] {"--app", "shop", "-n", NS}, db), "--locations", MIGRATIONS));
    step(withPassword, "rollback", with(with(k8s, db), "--locations", MIGRATIONS));
    step(withPassword, "restore", with(with(k8s, db)));
    step(withPassword, "maintenance-off", k8s);
    step(withPassword, "unlock", k8s);
    step(
        withPassword,
        "run",
        with(
            with(k8s, db),
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "maintenance",
            "--locations",
            MIGRATIONS,
            "--snapshot",
            "--terminate-sessions"));

    // failure paths: a wrong password, the password in the URL, an unreachable database
    CliRunner wrongPassword =
        new CliRunner(() -> dev.pitstop.testing.CliRunner.clientFor(server))
            .env("PITSTOP_DB_PASSWORD", SENTINEL + "-wrong");
    step(
        wrongPassword,
        "migrate",
        "--run-id",
        "r2",
        "--jdbc-url",
        url(),
        "--db-user",
        "app",
        "--locations",
        MIGRATIONS,
        "--timeout",
        "3s");
    step(
        cli,
        "verify",
        "--jdbc-url",
        url() + "?password=" + SENTINEL,
        "--db-user",
        "nobody",
        "--timeout",
        "3s");
    step(
        withPassword,
        "migrate",
        "--run-id",
        "r3",
        "--jdbc-url",
        "jdbc:postgresql://127.0.0.1:1/shop?password=" + SENTINEL,
        "--db-user",
        "app",
        "--timeout",
        "2s");
    Path passwordFile = results.resolve("password");
    Files.writeString(passwordFile, SENTINEL + "\n");
    step(
        cli,
        "migrate",
        "--run-id",
        "r4",
        "--jdbc-url",
        url(),
        "--db-user",
        "app",
        "--db-password-file",
        passwordFile.toString(),
        "--locations",
        "classpath:pitstop/demo/v1,classpath:pitstop/demo/v2,classpath:pitstop/demo/v3",
        "--timeout",
        "5s");

    assertThat(seen).hasSizeGreaterThan(30);
    assertThat(String.join("\n", seen)).doesNotContain(SENTINEL);
    try (Stream<Path> files = Files.walk(results)) {
      for (Path file :
          files.filter(Files::isRegularFile).filter(f -> !f.equals(passwordFile)).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(SENTINEL);
      }
    }
    assertThat(events()).allSatisfy(e -> assertThat(e.toString()).doesNotContain(SENTINEL));
    client
        .configMaps()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(cm -> assertThat(String.valueOf(cm.getData())).doesNotContain(SENTINEL));
    assertThat(seen)
        .anyMatch(line -> line.startsWith("migrate -> exit 0"))
        .anyMatch(line -> line.startsWith("snapshot -> exit 0"))
        .anyMatch(line -> line.startsWith("run -> exit 0"))
        .anyMatch(line -> line.startsWith("migrate -> exit 2"))
        .anyMatch(line -> line.startsWith("migrate -> exit 75"))
        .anyMatch(line -> line.startsWith("migrate -> exit 1"));
  }

  private static String[] with(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }
}
