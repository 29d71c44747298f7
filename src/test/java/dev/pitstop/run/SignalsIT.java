package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.StepRecord;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.RunTestBase;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod evicted mid-step gets SIGTERM. The step must not leave PostgreSQL running its statement
 * alone, nor the record half-written: the statement is cancelled, the step's end is recorded, the
 * process says where it stopped and what to run next, and exits 143. These run the real {@code
 * pitstop} in a process of its own and signal it, as the kubelet does.
 */
class SignalsIT extends RunTestBase {
  @TempDir Path dir;

  /** A second migration that waits far longer than any test: only a cancel ends it. */
  private Path slowMigrations() throws IOException {
    Path folder = dir.resolve("migrations");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("V2__slow_backfill.sql"), "SELECT pg_sleep(600);\n");
    return folder;
  }

  private Process pitstop(List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.pitstop.cli.Main");
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile());
    // the client finds the in-memory API server as a pod finds its own
    Map<String, String> env = builder.environment();
    env.put("KUBERNETES_MASTER", client.getConfiguration().getMasterUrl());
    env.put("KUBERNETES_NAMESPACE", NS);
    env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    return builder.start();
  }

  private String read(String name) throws IOException {
    File file = dir.resolve(name).toFile();
    return file.exists() ? Files.readString(file.toPath(), StandardCharsets.UTF_8) : "";
  }

  private boolean sleeping() throws Exception {
    return Integer.parseInt(
            postgres.queryString(
                "postgres",
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                    + " AND query LIKE 'SELECT pg_sleep(600)%'"))
        > 0;
  }

  private void awaitSleeping(Process process) throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> sleeping() || !process.isAlive());
    assertThat(process.isAlive()).as("still running: " + read("out") + read("err")).isTrue();
  }

  @Test
  void aTerminatedMigrationIsCancelledInTheDatabaseAndTheStepExits143() throws Exception {
    Process migrate =
        pitstop(
            List.of(
                "migrate",
                "--jdbc-url",
                fixture.jdbcUrl(),
                "--db-user",
                "postgres",
                "--locations",
                RunFixture.V1 + ",filesystem:" + slowMigrations(),
                "--no-atomic"));
    awaitSleeping(migrate);

    migrate.destroy(); // SIGTERM

    assertThat(migrate.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(migrate.exitValue()).as(read("err")).isEqualTo(143);
    assertThat(read("err"))
        .contains("SIGTERM received")
        .contains("stopped by SIGTERM during migrate");
    await().atMost(Duration.ofSeconds(10)).until(() -> !sleeping());
    assertThat(fixture.version()).isEqualTo("1");
  }

  @Test
  void aTerminatedRunStopsWhereItIsSaysHowToGoOnAndFinishBringsTheAppBack() throws Exception {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of("--app", "shop", "-n", NS, "--timeout", "2m"));
    args.addAll(fixture.runArgs("shop", RUN));
    args.addAll(
        List.of("--locations", RunFixture.V1 + ",filesystem:" + slowMigrations(), "--no-atomic"));
    Process run = pitstop(args);
    awaitSleeping(run);

    run.destroy(); // SIGTERM

    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).as(read("err")).isEqualTo(143);
    assertThat(read("out"))
        .contains("stopped by SIGTERM during migrate")
        .contains("pitstop finish");
    await().atMost(Duration.ofSeconds(10)).until(() -> !sleeping());
    Ledger record = Ledger.fromData("pitstop-shop", ledger().getData());
    StepRecord migrate = record.step("migrate").orElseThrow();
    assertThat(migrate.state()).isEqualTo(StepRecord.State.FAILED);
    assertThat(migrate.exitCode()).isEqualTo(143);
    assertThat(record.step("rollback")).as("a stopped run starts nothing more").isEmpty();
    assertThat(web().getSpec().getReplicas()).isZero();

    Result finish =
        pitstop(
            "finish",
            "--run-id",
            RUN,
            "--jdbc-url",
            fixture.jdbcUrl(),
            "--db-user",
            "postgres",
            "--backward-compatible");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(ledger()).isNull();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(fixture.version()).isEqualTo("1");
  }
}
