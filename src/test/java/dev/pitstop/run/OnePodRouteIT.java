package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that starts part-way, as pipelines run it: the shipped pipelines' one-pod route ({@code
 * lock} on its own, then {@code run --from maintenance-on --no-unlock} for the maintenance window,
 * then {@code finish}: the Argo exit hook, the Tekton finally Task), and a pipeline that switches
 * maintenance on itself and runs the rest with {@code --from scale-down}.
 */
class OnePodRouteIT extends ClusterTestBase {
  private static TestPostgres postgres;
  private RunFixture fixture;
  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void freshDatabaseAtVersion1() throws Exception {
    fixture = RunFixture.start(postgres, "shop", cli);
  }

  @AfterEach
  void stopHealth() {
    fixture.close();
  }

  private void ok(String command, String... args) {
    Result result = pitstopRun(command, args);
    assertThat(result.exitCode()).as(command + ": " + result).isZero();
  }

  private void lockAndMaintenanceOn() {
    ok("lock");
    ok(
        "maintenance-on",
        "--mode",
        "configmap",
        "--configmap",
        "shop-settings",
        "--key",
        "maintenance");
  }

  /**
   * A window pod: the fixture's run options, leaving the lock; from scale-down unless the test says
   * where.
   */
  private Result window(String... extra) {
    List<String> args = fixture.runArgs("shop", RUN);
    if (!Arrays.asList(extra).contains("--from")) {
      args.addAll(List.of("--from", "scale-down"));
    }
    args.addAll(List.of("--no-unlock", "--timeout", "8s"));
    args.addAll(Arrays.asList(extra));
    return pitstop("run", args.toArray(String[]::new));
  }

  private Result finish() {
    return pitstopRun(
        "finish", "--jdbc-url", fixture.jdbcUrl(), "--db-user", "postgres", "--output", "json");
  }

  private Map<String, String> settings() {
    return client.configMaps().inNamespace(NS).withName("shop-settings").get().getData();
  }

  private String webImage() {
    return web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static JsonNode json(Result result) throws Exception {
    return new ObjectMapper().readTree(result.out());
  }

  /** The shipped route: the pod after lock switches maintenance on and off itself. */
  @Test
  void theShippedWindowPodSwitchesMaintenanceOnAndOffAndFinishOnlyUnlocks() throws Exception {
    ok("lock");

    Result window =
        window(
            "--from",
            "maintenance-on",
            "--locations",
            RunFixture.V2,
            "--image",
            "web=shop:2.0",
            "--output",
            "json");

    assertThat(window.exitCode()).as(window.toString()).isZero();
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(settings()).as("users are back").doesNotContainKey("maintenance");
    JsonNode result = json(window);
    assertThat(result.get("states").asText())
        .startsWith("maintenance-on=succeeded,scale-down=succeeded,")
        .endsWith("maintenance-off=succeeded,unlock=skipped");
    // the window opened inside this process: its start is not users' time
    assertThat(result.path("window").path("steps").findValuesAsText("step"))
        .startsWith("maintenance-on");
    Result finish = finish();
    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("migrated");
    assertThat(ledger()).isNull();
  }

  /** A typo stops the shipped window pod before users see the maintenance page. */
  @Test
  void theShippedWindowPodChecksItsInputsBeforeMaintenanceGoesOn() throws Exception {
    ok("lock");
    String before = snapshotOfState();

    Result window =
        window(
            "--from",
            "maintenance-on",
            "--locations",
            "filesystem:" + dir.resolve("no-such-folder"));

    assertThat(window.exitCode()).as(window.toString()).isEqualTo(2);
    assertThat(window.err()).contains("no such folder");
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(settings()).as("users never saw maintenance").doesNotContainKey("maintenance");
    Result finish = finish();
    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("nothing-to-do");
    assertThat(ledger()).isNull();
  }

  @Test
  void theWindowPodMigratesAndSwitchesMaintenanceOffAndFinishOnlyUnlocks() throws Exception {
    lockAndMaintenanceOn();

    Result window =
        window(
            "--locations",
            RunFixture.V2,
            "--image",
            "web=shop:2.0",
            "--expect-version",
            "2",
            "--snapshot",
            "--output",
            "json");

    assertThat(window.exitCode()).as(window.toString()).isZero();
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(webImage()).isEqualTo("shop:2.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(settings()).as("users are back").doesNotContainKey("maintenance");
    assertThat(ledger()).as("the lock is the pipeline's to release").isNotNull();
    JsonNode result = json(window);
    assertThat(result.get("states").asText())
        .isEqualTo(
            "scale-down=succeeded,snapshot=succeeded,migrate=succeeded,verify=succeeded,"
                + "scale-up=succeeded,smoke-test=succeeded,rollback=skipped,"
                + "maintenance-off=succeeded,unlock=skipped");
    assertThat(result.get("steps").findValuesAsText("step")).doesNotContain("lock");
    double windowSeconds = result.get("window-seconds").asDouble();
    assertThat(windowSeconds).isPositive();
    assertThat(ledger().getData().get("steps"))
        .contains("\"step\":\"smoke-test\",\"state\":\"succeeded\"");

    Result finish = finish();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("migrated");
    assertThat(json(finish).get("window-seconds").asDouble())
        .as("finish reports the window the run closed")
        .isEqualTo(windowSeconds);
    assertThat(ledger()).isNull();
    assertThat(webImage()).isEqualTo("shop:2.0");
  }

  @Test
  void aFailureInTheWindowPodIsRolledBackThereAndFinishOnlyUnlocks() throws Exception {
    lockAndMaintenanceOn();
    String rows = fixture.originalRows();

    Result window = window("--locations", RunFixture.V4, "--image", "web=shop:2.0", "--snapshot");

    assertThat(window.exitCode()).as(window.toString()).isEqualTo(1);
    assertThat(window.out()).contains("migrate failed; rolled back; the lock is left for finish");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNotNull();

    Result finish = finish();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("rolled-back");
    assertThat(json(finish).get("rolled-back").asText()).as("nothing rolled back twice").isEmpty();
    assertThat(ledger()).isNull();
    assertThat(fixture.version()).isEqualTo("1");
    assertThat(fixture.originalRows()).isEqualTo(rows);
    assertThat(webImage()).isEqualTo("shop:1.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void withoutMaintenanceOnRecordedAsDoneTheWindowPodRefusesAndChangesNothing() {
    ok("lock");
    String before = snapshotOfState();

    Result window = window("--locations", RunFixture.V2);

    assertThat(window.exitCode()).as(window.toString()).isEqualTo(2);
    assertThat(window.err())
        .contains("maintenance-on is not recorded as done for run " + RUN + " (it never ran)");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void withoutTheLockTheWindowPodRefusesAndAnotherRunsLockIsExit3() {
    String before = snapshotOfState();

    Result unlocked = window("--locations", RunFixture.V2);

    assertThat(unlocked.exitCode()).as(unlocked.toString()).isEqualTo(2);
    assertThat(unlocked.err()).contains("is not locked");

    assertThat(pitstop("lock", "--run-id", "other-run").exitCode()).isZero();
    String locked = snapshotOfState();
    Result other = window("--locations", RunFixture.V2);

    assertThat(other.exitCode()).as(other.toString()).isEqualTo(3);
    assertThat(snapshotOfState()).isEqualTo(locked);
    assertThat(locked).isNotEqualTo(before);
  }

  @Test
  void theWindowPodChecksItsInputsBeforeScaleDownAndFinishReleasesTheApp() throws Exception {
    lockAndMaintenanceOn();
    String before = snapshotOfState();

    Result window = window("--locations", "filesystem:" + dir.resolve("no-such-folder"));

    assertThat(window.exitCode()).as(window.toString()).isEqualTo(2);
    assertThat(window.err()).contains("no such folder");
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);

    Result finish = finish();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("nothing-to-do");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
  }

  /** Argo runs an Errored pod again: the window goes on from its record under the same id. */
  @Test
  void aWindowPodStartedAgainGoesOnFromItsRecord() throws Exception {
    lockAndMaintenanceOn();
    // the first pod scaled the app down and vanished
    ok("scale-down", "--selector", "app=shop");

    Result again = window("--locations", RunFixture.V2, "--image", "web=shop:2.0");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.err()).contains("going on from its record");
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(finish().exitCode()).isZero();
    assertThat(ledger()).isNull();
  }

  @Test
  void aDryRunFromScaleDownChecksTheRecordAndTheInputsAndChangesNothing() {
    lockAndMaintenanceOn();
    String before = snapshotOfState();

    Result plan = window("--locations", RunFixture.V2, "--dry-run");

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out())
        .contains("holds the lock and has done lock, maintenance-on")
        .contains("workloads: deployment/web, statefulset/worker")
        .doesNotContain("maintenance: configmap")
        .contains("always: maintenance-off")
        .contains("the lock is left for `pitstop finish`");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void aMistypedStartOrStepTimeoutIsExit2BeforeAnythingIsRead() {
    lockAndMaintenanceOn();
    String before = snapshotOfState();
    List<Result> results = new ArrayList<>();

    results.add(window("--from", "scale-dwon"));
    results.add(window("--step-timeout", "migrate"));
    results.add(window("--step-timeout", "migrat=5m"));
    results.add(window("--step-timeout", "migrate=0s"));
    results.add(window("--from", "snapshot"));

    assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).as(r.toString()).isEqualTo(2));
    assertThat(results.get(0).err()).contains("--from scale-dwon is no step of run");
    assertThat(results.get(1).err()).contains("is not STEP=DURATION");
    assertThat(results.get(4).err()).contains("--from snapshot needs --snapshot");
    assertThat(snapshotOfState()).isEqualTo(before);
  }
}
