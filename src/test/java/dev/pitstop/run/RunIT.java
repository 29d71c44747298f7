package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.RunTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pitstop run} against a real PostgreSQL and the in-memory cluster: a failure injected at
 * each step leads where the design's failure matrix says, and the end state is checked.
 */
class RunIT extends RunTestBase {
  private static final String V2 = RunFixture.V2;
  private static final String V4 = RunFixture.V4;

  @TempDir Path dir;

  private Result run(String... extra) {
    List<String> args = fixture.runArgs("shop", RUN);
    if (!List.of(extra).contains("--timeout")) {
      args.addAll(List.of("--timeout", "8s"));
    }
    args.addAll(List.of(extra));
    return pitstop("run", args.toArray(String[]::new));
  }

  private String orders() throws SQLException {
    return fixture.orders();
  }

  private String version() throws SQLException {
    return fixture.version();
  }

  private String webImage() {
    return web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** The app as it was: replicas, images, maintenance off, unlocked. */
  private void assertAppAsBefore() {
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(webImage()).isEqualTo("shop:1.0");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
    assertThat(pods("web")).isEqualTo(3);
  }

  private java.util.Map<String, String> settings() {
    return client.configMaps().inNamespace(NS).withName("shop-settings").get().getData();
  }

  @Test
  void aCleanRunMigratesStartsTheNewVersionAndReleasesEverything() throws Exception {
    Result result =
        run(
            "--locations",
            V2,
            "--image",
            "web=shop:2.0",
            "--expect-version",
            "2",
            "--output",
            "json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(version()).isEqualTo("2");
    assertThat(webImage()).isEqualTo("shop:2.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(json.get("exit-code").asInt()).isZero();
    assertThat(json.get("steps").findValuesAsText("step"))
        .containsSubsequence(
            "lock",
            "maintenance-on",
            "scale-down",
            "migrate",
            "verify",
            "scale-up",
            "smoke-test",
            "maintenance-off",
            "unlock");
    assertThat(result.err()).contains("lock             ok").contains("unlock           ok");
    assertThat(json.get("window-seconds").asDouble()).isPositive();
    assertThat(json.get("window").get("steps").findValuesAsText("step"))
        .contains("scale-down", "migrate", "scale-up");
  }

  @Test
  void lockedByAnotherRunChangesNothingAndExits3() throws Exception {
    assertThat(pitstop("lock", "--run-id", "other-run").exitCode()).isZero();
    String before = snapshotOfState();
    String ordersBefore = orders();

    Result result = run("--locations", V2);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aMissingMaintenanceConfigMapIsFoundBeforeTheLockAndNothingIsTouched() throws Exception {
    String before = snapshotOfState();
    List<String> args = fixture.runArgs("shop", RUN);
    args.set(args.indexOf("shop-settings"), "missing-settings");
    args.addAll(List.of("--locations", V2));

    Result result = pitstop("run", args.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains("missing-settings");
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aMigrationsFolderThatDoesNotExistIsFoundBeforeTheAppGoesDown() throws Exception {
    String before = snapshotOfState();

    Result result = run("--locations", "filesystem:" + dir.resolve("no-such-folder"));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains("no such folder");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void aFolderThatLacksAppliedMigrationsIsFoundBeforeTheAppGoesDown() throws Exception {
    String before = snapshotOfState();

    // version 2 alone: the folder of a later release that dropped the applied V1
    Result result = run("--locations", "classpath:pitstop/demo/v2");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains("do not match the history").contains("V1");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void aDryRunChecksTheSameInputsAndFailsAsTheRunWould() throws Exception {
    String before = snapshotOfState();
    Files.createDirectories(dir.resolve("empty"));

    Result typo = run("--dry-run", "--locations", "filesystem:" + dir.resolve("empty"));
    Result fine = run("--dry-run", "--locations", V2, "--snapshot");

    assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(2);
    assertThat(typo.err()).contains("holds no .sql file");
    assertThat(fine.exitCode()).as(fine.toString()).isZero();
    assertThat(fine.out())
        .contains("maintenance: configmap/shop-settings")
        .contains("workloads: deployment/web, statefulset/worker")
        .contains("1 migration(s) pending")
        .contains("snapshot: would snapshot shop");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void scaleDownThatCannotFinishPutsTheReplicasBack() throws Exception {
    controllers.stuckPods("web");

    Result result = run("--locations", V2, "--timeout", "3s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("scale-down failed");
    controllers.releasePods("web");
    assertAppAsBefore();
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void snapshotBlockedByAnotherSessionRollsBackWithTheDatabaseUntouched() throws Exception {
    String ordersBefore = orders();
    try (Connection busy = postgres.jdbc("shop", "reporting-job")) {
      Result result = run("--locations", V2, "--snapshot");

      assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
      assertThat(result.out()).contains("snapshot failed").contains("reporting-job");
      assertThat(busy.isValid(1)).isTrue();
    }
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aFailingAtomicMigrationLeavesSchemaAndRowsUntouched() throws Exception {
    String ordersBefore = orders();
    String schemaBefore = postgres.schemaFingerprint("shop");

    Result result = run("--locations", V4);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("migrate failed").contains("division by zero");
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(postgres.schemaFingerprint("shop")).isEqualTo(schemaBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aMigrationFailingAfterTheSchemaChangedIsUndoneFromTheSnapshot() throws Exception {
    String ordersBefore = orders();
    String schemaBefore = postgres.schemaFingerprint("shop");

    Result result = run("--locations", V4, "--no-atomic", "--snapshot", "--image", "web=shop:3.0");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(postgres.schemaFingerprint("shop")).isEqualTo(schemaBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void withoutASnapshotAChangedSchemaStopsTheRollbackInMaintenanceAndLocked() throws Exception {
    Result result = run("--locations", V4, "--no-atomic");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(4);
    assertThat(result.out()).contains("rollback failed").contains("backward compatible");
    assertThat(settings()).containsEntry("maintenance", "true");
    assertThat(ledger()).isNotNull();
    assertThat(ledger().getData()).containsKey("rollback-failed");
    assertThat(web().getSpec().getReplicas()).isZero();
    Result status = pitstop("status");
    assertThat(status.out())
        .contains("rollback-failed")
        .contains("next: fix what the rollback reported");
  }

  @Test
  void withoutASnapshotABackwardCompatibleMigrationGetsTheOldAppOnTheNewSchema() throws Exception {
    Path failing = dir.resolve("fails.sql");
    Files.writeString(failing, "SELECT false");

    Result result =
        run(
            "--locations",
            V2,
            "--backward-compatible",
            "--check",
            failing.toString(),
            "--image",
            "web=shop:2.0");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("verify failed");
    assertAppAsBefore();
    assertThat(version()).isEqualTo("2");
  }

  @Test
  void aFailedVerifyIsUndoneFromTheSnapshot() throws Exception {
    String ordersBefore = orders();
    Path failing = dir.resolve("no-paid-orders.sql");
    Files.writeString(failing, "SELECT count(*) = 0 FROM orders WHERE status = 'paid'");

    Result result = run("--locations", V2, "--snapshot", "--check", failing.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("verify failed").contains("no-paid-orders.sql");
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aNewVersionThatDoesNotStartIsRolledBackToTheOldImagesAndData() throws Exception {
    controllers.crashingImage("shop:2.0");
    String ordersBefore = orders();

    Result result = run("--locations", V2, "--snapshot", "--image", "web=shop:2.0");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("scale-up failed").contains("CrashLoopBackOff");
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void aFailingSmokeTestIsRolledBackBeforeMaintenanceGoesOff() throws Exception {
    fixture.healthStatus(503);
    String ordersBefore = orders();

    Result result = run("--locations", V2, "--snapshot", "--image", "web=shop:2.0");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("smoke-test failed").contains("status 503");
    assertAppAsBefore();
    assertThat(orders()).isEqualTo(ordersBefore);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void badInputIsExit2BeforeTheLockIsTaken() {
    String before = snapshotOfState();

    Result noDb =
        pitstop(
            "run",
            "--run-id",
            RUN,
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "m");
    Result noWorkloads =
        pitstop(
            "run",
            "--run-id",
            RUN,
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "m",
            "--jdbc-url",
            postgres.url("shop"));

    assertThat(noDb.exitCode()).isEqualTo(2);
    assertThat(noDb.err()).contains("missing --jdbc-url");
    assertThat(noWorkloads.exitCode()).isEqualTo(2);
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() throws Exception {
    String before = snapshotOfState();

    Result result = run("--locations", V2, "--dry-run", "--snapshot");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("dry run: the plan is").contains("snapshot");
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(version()).isEqualTo("1");
  }

  @Test
  void theDemoRunsAndSucceeds() throws IOException {
    Result demo = cli.run("demo");

    assertThat(demo.exitCode()).as(demo.toString()).isZero();
    assertThat(demo.out())
        .contains("$ pitstop plan --app shop -n shop")
        .contains("certain   deployment/web")
        .contains("plan: runnable")
        .contains("release 2 migrated and up")
        .contains("= before the bad release (rows restored)")
        .contains("no discounts table")
        .contains("$ kubectl get psm -w")
        .contains("the operator's Migration shop-3 migrated and up");
  }
}
