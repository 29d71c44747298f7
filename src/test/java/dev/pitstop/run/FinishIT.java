package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.RunTestBase;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The steps run one process at a time, as a pipeline's pods run them, then {@code finish} ends the
 * run from the record alone — after a clean run, a failure, a graceful stop that skipped the rest,
 * a step cut off mid-way, and a failed rollback; and {@code status} names the one next command,
 * which is run exactly as printed.
 */
class FinishIT extends RunTestBase {

  private List<String> database() {
    return List.of("--jdbc-url", fixture.jdbcUrl(), "--db-user", "postgres");
  }

  /** One step of this run, as its own process would run it. */
  private Result step(String command, String... args) {
    List<String> all = new ArrayList<>(List.of("--run-id", RUN));
    if (List.of("snapshot", "migrate", "verify", "rollback", "finish").contains(command)) {
      all.addAll(database());
    }
    if (!command.equals("verify") && all.contains("--jdbc-url")) {
      all.addAll(List.of("--sessions-timeout", "1s"));
    }
    all.addAll(Arrays.asList(args));
    return pitstop(command, all.toArray(String[]::new));
  }

  private void ok(String command, String... args) {
    Result result = step(command, args);
    assertThat(result.exitCode()).as(command + ": " + result).isZero();
  }

  /** lock → maintenance-on → scale-down → snapshot → migrate to version 2 → verify. */
  private void forwardThroughVerify(boolean snapshot) {
    ok("lock");
    ok(
        "maintenance-on",
        "--mode",
        "configmap",
        "--configmap",
        "shop-settings",
        "--key",
        "maintenance");
    ok("scale-down", "--selector", "app=shop");
    if (snapshot) {
      ok("snapshot");
    }
    ok("migrate", "--locations", RunFixture.V2, "--no-atomic");
    ok("verify", "--locations", RunFixture.V2);
  }

  private Map<String, String> settings() {
    return client.configMaps().inNamespace(NS).withName("shop-settings").get().getData();
  }

  private String webImage() {
    return web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private JsonNode json(Result result) throws Exception {
    return new ObjectMapper().readTree(result.out());
  }

  /** The app as it was: replicas, image, maintenance off, unlocked, database at version 1. */
  private void assertRolledBackAndReleased() throws Exception {
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(webImage()).isEqualTo("shop:1.0");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
    assertThat(fixture.version()).isEqualTo("1");
  }

  @Test
  void aCompleteReleaseIsOnlySwitchedBackOnAndUnlocked() throws Exception {
    forwardThroughVerify(true);
    ok("scale-up", "--image", "web=shop:2.0");
    ok("smoke-test", "--url", fixture.healthUrl());

    Result finish = step("finish", "-o", "json");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("migrated");
    JsonNode window = json(finish).get("window");
    assertThat(json(finish).get("window-seconds").asDouble()).isPositive();
    assertThat(window.get("steps").findValuesAsText("step"))
        .containsSubsequence("scale-down", "migrate", "verify", "scale-up", "smoke-test");
    assertThat(window.get("in-pitstop-ms").asLong() + window.get("between-steps-ms").asLong())
        .isEqualTo(window.get("total-ms").asLong());
    assertThat(events()).anyMatch(e -> "MaintenanceWindow".equals(e.getReason()));
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(webImage()).isEqualTo("shop:2.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
  }

  @Test
  void aRunStoppedAfterVerifyIsRolledBackAlthoughNoStepFailed() throws Exception {
    // a graceful stop: every step that ran succeeded, scale-up and smoke-test never ran
    forwardThroughVerify(true);

    Result finish = step("finish", "-o", "json");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("rolled-back");
    assertThat(finish.err()).contains("did not complete").contains("smoke-test never ran");
    assertRolledBackAndReleased();
  }

  @Test
  void aFailedStepIsRolledBackThenReleased() throws Exception {
    forwardThroughVerify(true);
    fixture.healthStatus(500);
    Result smoke = step("smoke-test", "--url", fixture.healthUrl(), "--timeout", "1s");
    assertThat(smoke.exitCode()).as(smoke.toString()).isEqualTo(1);

    Result finish = step("finish");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(finish.err()).contains("smoke-test failed (exit 1)");
    assertRolledBackAndReleased();
  }

  @Test
  void aStepCutOffMidWayIsRolledBackWithAWarning() throws Exception {
    forwardThroughVerify(true);
    // scale-up's pod was killed after its start was recorded
    editRecord(ledger -> ledger.stepStarted("scale-up", Instant.now()));

    Result finish = step("finish");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(finish.err()).contains("scale-up started").contains("never ended");
    assertRolledBackAndReleased();
  }

  @Test
  void finishingAgainAfterItWasCutOffOnlyDoesWhatIsLeft() throws Exception {
    forwardThroughVerify(true);
    // finish was cut off right after its rollback
    ok("rollback");
    long rolledBack = countEvents("RolledBack");

    Result finish = step("finish", "-o", "json");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("rolled-back");
    assertThat(json(finish).get("rolled-back").asText()).isEmpty();
    assertRolledBackAndReleased();
    assertThat(countEvents("RolledBack")).isEqualTo(rolledBack);
    Result again = step("finish", "-o", "json");
    assertThat(again.exitCode()).isZero();
    assertThat(json(again).get("outcome").asText()).isEqualTo("nothing-to-do");
  }

  @Test
  void aRollbackRunAgainAfterItSucceededChangesNothing() throws Exception {
    forwardThroughVerify(true);
    ok("rollback");
    long rolledBackEvents = countEvents("RolledBack");
    String workloads = workloadState(client);
    long generation = web().getMetadata().getGeneration();

    Result again = step("rollback");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("already rolled back");
    assertThat(countEvents("RolledBack")).isEqualTo(rolledBackEvents);
    assertThat(workloadState(client)).isEqualTo(workloads);
    assertThat(web().getMetadata().getGeneration()).isEqualTo(generation);
  }

  @Test
  void aFailedRollbackKeepsTheAppDownAndStatusNamesTheWayOut() throws Exception {
    // no snapshot, schema changed, not declared backward compatible: the rollback cannot finish
    forwardThroughVerify(false);

    Result finish = step("finish");

    assertThat(finish.exitCode()).as(finish.toString()).isEqualTo(4);
    assertThat(settings()).containsEntry("maintenance", "true");
    assertThat(web().getSpec().getReplicas()).isZero();
    assertThat(ledger().getData()).containsKey("rollback-failed");
    Result again = step("finish");
    assertThat(again.exitCode()).as("a second finish keeps it down").isEqualTo(4);
    assertThat(ledger()).isNotNull();

    String next = next();
    assertThat(next).contains("--backward-compatible").contains("-n " + NS);
    // the way out, exactly as printed: roll back onto the new schema, then finish
    List<String> commands = commandsIn(next);
    Result rollback = runPrinted(lastMatching(commands, "--backward-compatible"));
    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    Result end = runPrinted(nextCommandOnly());
    assertThat(end.exitCode()).as(end.toString()).isZero();
    assertThat(ledger()).isNull();
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(fixture.version()).isEqualTo("2");
  }

  @Test
  void releaseOnRollbackFailureSwitchesOffAndUnlocksButStillExits4() throws Exception {
    forwardThroughVerify(false);

    Result finish = step("finish", "--release-on-rollback-failure", "-o", "json");

    assertThat(finish.exitCode()).as(finish.toString()).isEqualTo(4);
    assertThat(json(finish).get("outcome").asText()).isEqualTo("rollback-failed");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
  }

  @Test
  void anotherRunsRecordIsLeftAlone() throws Exception {
    assertThat(pitstop("lock", "--run-id", "other-run").exitCode()).isZero();
    String before = snapshotOfState();

    Result finish = step("finish", "-o", "json");

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(json(finish).get("outcome").asText()).isEqualTo("not-this-run");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void aPlainUnlockRefusesWhileTheAppIsDown() throws Exception {
    forwardThroughVerify(true);
    String before = snapshotOfState();

    Result unlock = step("unlock");

    assertThat(unlock.exitCode()).as(unlock.toString()).isEqualTo(2);
    assertThat(unlock.err()).contains("the app is still down").contains("pitstop finish");
    assertThat(snapshotOfState()).isEqualTo(before);
    Result forced = step("unlock", "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(ledger()).isNull();
  }

  @Test
  void statusAfterEveryStepButUnlockAdvisesUnlockAndNotARollback() throws Exception {
    forwardThroughVerify(true);
    ok("scale-up", "--image", "web=shop:2.0");
    ok("smoke-test", "--url", fixture.healthUrl());
    ok("maintenance-off");

    String next = next();

    assertThat(next).startsWith("the release is complete").doesNotContain("rollback");
    Result unlock = runPrinted(nextCommandOnly());
    assertThat(unlock.exitCode()).as(unlock.toString()).isZero();
    assertThat(ledger()).isNull();
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(webImage()).isEqualTo("shop:2.0");
  }

  @Test
  void statusAfterAFailureAdvisesFinishWhichRunsAsPrinted() throws Exception {
    forwardThroughVerify(true);
    Result up = step("scale-up", "--image", "web=shop:2.0", "--timeout", "2s");
    assertThat(up.exitCode()).isZero();
    fixture.healthStatus(503);
    assertThat(step("smoke-test", "--url", fixture.healthUrl(), "--timeout", "1s").exitCode())
        .isEqualTo(1);

    String next = next();

    assertThat(next).contains("smoke-test failed").contains("pitstop finish");
    Result finish = runPrinted(nextCommandOnly());
    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertRolledBackAndReleased();
  }

  private long countEvents(String reason) {
    return events().stream().filter(e -> reason.equals(e.getReason())).count();
  }

  private String next() throws Exception {
    Result status = pitstop("status", "-o", "json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    return json(status).get("next").asText();
  }

  private static final Pattern COMMAND = Pattern.compile("`(pitstop [^`]+)`");

  private static List<String> commandsIn(String advice) {
    List<String> commands = new ArrayList<>();
    Matcher m = COMMAND.matcher(advice);
    while (m.find()) {
      commands.add(m.group(1));
    }
    return commands;
  }

  private String nextCommandOnly() throws Exception {
    List<String> commands = commandsIn(next());
    assertThat(commands).hasSize(1);
    return commands.get(0);
  }

  private static String lastMatching(List<String> commands, String part) {
    return commands.stream().filter(c -> c.contains(part)).reduce((a, b) -> b).orElseThrow();
  }

  /** Runs a printed command word for word (the database has no password here). */
  private Result runPrinted(String command) {
    String[] words = command.split(" ");
    assertThat(words[0]).isEqualTo("pitstop");
    return cli.run(Arrays.copyOfRange(words, 1, words.length));
  }

  private void editRecord(java.util.function.Consumer<Ledger> change) {
    ConfigMap record = ledger();
    Ledger ledger = Ledger.fromData("pitstop-shop", record.getData());
    change.accept(ledger);
    record.setData(ledger.toData());
    client.configMaps().inNamespace(NS).resource(record).update();
  }
}
