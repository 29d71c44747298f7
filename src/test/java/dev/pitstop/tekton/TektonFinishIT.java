package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.tekton.TektonFiles.Doc;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.RunTestBase;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped pitstop-finish Task's step, with the arguments and environment its pod gets from
 * pitstop-migration, run by the real CLI against the in-memory cluster and an embedded PostgreSQL
 * at each end a PipelineRun can reach with finish scheduled (TektonPipelineStateTest): a clean run;
 * a task that failed; a graceful stop after a task (the rest never ran); a task cut off while it
 * ran (CancelledRunFinally, a task or tasks timeout, a lost pod). Each ends migrated, or rolled
 * back exactly, with maintenance off and the lock released: never the app switched back on
 * half-done.
 */
class TektonFinishIT extends RunTestBase {
  private static final List<String> FORWARD =
      List.of(
          "lock",
          "maintenance-on",
          "scale-down",
          "snapshot",
          "migrate",
          "verify",
          "scale-up",
          "smoke-test");

  @TempDir Path results;

  /** One forward step of this run, as the Pipeline's task for it runs it. */
  private void forward(String step) {
    List<String> args = new ArrayList<>(List.of("--run-id", RUN));
    switch (step) {
      case "maintenance-on" ->
          args.addAll(
              List.of(
                  "--mode", "configmap", "--configmap", "shop-settings", "--key", "maintenance"));
      case "scale-down" -> args.addAll(List.of("--selector", "app=shop"));
      case "snapshot" -> args.addAll(database());
      case "migrate" -> {
        args.addAll(database());
        args.addAll(List.of("--locations", RunFixture.V2, "--no-atomic"));
      }
      case "verify" ->
          // verify only reads: it takes no options about other sessions
          args.addAll(
              List.of(
                  "--jdbc-url",
                  fixture.jdbcUrl(),
                  "--db-user",
                  "postgres",
                  "--locations",
                  RunFixture.V2));
      case "scale-up" -> args.addAll(List.of("--image", "web=shop:2.0"));
      case "smoke-test" ->
          args.addAll(List.of("--url", fixture.healthUrl(), "--interval", "100ms"));
      default -> {}
    }
    Result result = pitstop(step, args.toArray(String[]::new));
    assertThat(result.exitCode()).as(step + ": " + result).isZero();
  }

  private List<String> database() {
    return List.of(
        "--jdbc-url", fixture.jdbcUrl(), "--db-user", "postgres", "--sessions-timeout", "1s");
  }

  /** Runs the forward steps up to and including {@code last}. */
  private void forwardThrough(String last) {
    for (String step : FORWARD.subList(0, FORWARD.indexOf(last) + 1)) {
      forward(step);
    }
  }

  /**
   * The finish step of the shipped Task, its parameters as pitstop-migration gives them (the
   * database from the run's parameters, the password Secret absent: the test database has none).
   */
  private Result finishAsTheTaskRunsIt() throws Exception {
    Doc task = TektonFiles.load().task("pitstop-finish").orElseThrow();
    Map<String, String> params = new HashMap<>();
    for (JsonNode param : task.spec().path("params")) {
      params.put(param.path("name").asText(), param.path("default").asText());
    }
    params.putAll(
        Map.of(
            "app", "shop",
            "run-id", RUN,
            "namespace", NS,
            "jdbc-url", fixture.jdbcUrl(),
            "db-user", "postgres",
            "sessions-timeout", "1s",
            "timeout", "1m"));
    JsonNode step = task.spec().path("steps").get(0);
    List<String> argv = new ArrayList<>();
    step.path("args").forEach(a -> argv.add(substitute(a.asText(), params)));
    CliRunner runner = CliRunner.against(server);
    List<JsonNode> env = new ArrayList<>();
    task.spec().path("stepTemplate").path("env").forEach(env::add);
    step.path("env").forEach(env::add);
    for (JsonNode variable : env) {
      if (variable.has("value")) {
        runner.env(
            variable.path("name").asText(), substitute(variable.path("value").asText(), params));
      }
    }
    return runner.run(argv.toArray(String[]::new));
  }

  private String substitute(String text, Map<String, String> params) {
    StringBuilder out = new StringBuilder();
    Matcher m = TektonFiles.VARIABLE.matcher(text);
    while (m.find()) {
      String[] parts = m.group(1).split("\\.");
      String value =
          parts[0].equals("params")
              ? params.get(parts[1])
              : results.resolve(parts[1]).toString(); // results.<name>.path
      assertThat(value).as(m.group()).isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String result(String name) throws Exception {
    return Files.readString(results.resolve(name));
  }

  private Map<String, String> settings() {
    return client.configMaps().inNamespace(NS).withName("shop-settings").get().getData();
  }

  private String webImage() {
    return web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** The app as it was, switched back on, the lock released, and the results saying so. */
  private void assertRolledBackAndReleased(Result finish) throws Exception {
    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(webImage()).isEqualTo("shop:1.0");
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
    assertThat(fixture.version()).isEqualTo("1");
    assertThat(result("outcome")).isIn("rolled-back", "nothing-to-do");
    assertThat(result("schema-version")).isEqualTo("1");
  }

  private void editRecord(Consumer<Ledger> change) {
    ConfigMap record = ledger();
    Ledger ledger = Ledger.fromData("pitstop-shop", record.getData());
    change.accept(ledger);
    record.setData(ledger.toData());
    client.configMaps().inNamespace(NS).resource(record).update();
  }

  @Test
  void aCleanRunEndsMigratedAndItsResultsSaySo() throws Exception {
    forwardThrough("smoke-test");

    Result finish = finishAsTheTaskRunsIt();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(result("outcome")).isEqualTo("migrated");
    assertThat(result("rolled-back")).isEmpty();
    assertThat(result("schema-version")).isEqualTo("2");
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(webImage()).isEqualTo("shop:2.0");
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(settings()).doesNotContainKey("maintenance");
    assertThat(ledger()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "maintenance-on",
        "scale-down",
        "snapshot",
        "migrate",
        "verify",
        "scale-up",
        "smoke-test"
      })
  void aTaskThatFailedAfterItsChangeIsRolledBackThenReleased(String failed) throws Exception {
    forwardThrough(failed);
    // the worst case: the change was made, then the step ended failed
    editRecord(
        ledger -> ledger.stepEnded(failed, Instant.now(), Instant.now(), false, 1, "failed"));

    assertRolledBackAndReleased(finishAsTheTaskRunsIt());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lock",
        "maintenance-on",
        "scale-down",
        "snapshot",
        "migrate",
        "verify",
        "scale-up"
      })
  void aRunStoppedGracefullyAfterATaskIsRolledBackThenReleased(String last) throws Exception {
    // StoppedRunFinally, or CancelledRunFinally between tasks: the rest never ran, nothing failed
    forwardThrough(last);

    assertRolledBackAndReleased(finishAsTheTaskRunsIt());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lock",
        "maintenance-on",
        "scale-down",
        "snapshot",
        "migrate",
        "verify",
        "scale-up",
        "smoke-test"
      })
  void aTaskCutOffWhileItRanIsRolledBackThenReleased(String cut) throws Exception {
    // CancelledRunFinally, a task or tasks timeout, a lost pod: the step's start is on record and
    // its end never came, after it had done its change
    forwardThrough(cut);
    editRecord(ledger -> ledger.stepStarted(cut, Instant.now()));

    assertRolledBackAndReleased(finishAsTheTaskRunsIt());
  }

  @Test
  void aLockHeldByAnotherRunIsLeftAsItIs() throws Exception {
    assertThat(pitstop("lock", "--run-id", "other-run").exitCode()).isZero();
    String before = snapshotOfState();

    Result finish = finishAsTheTaskRunsIt();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(result("outcome")).isEqualTo("not-this-run");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void aLockThatWasNeverTakenLeavesNothingToDo() throws Exception {
    Result finish = finishAsTheTaskRunsIt();

    assertThat(finish.exitCode()).as(finish.toString()).isZero();
    assertThat(result("outcome")).isEqualTo("nothing-to-do");
    assertThat(result("rolled-back")).isEmpty();
  }

  @Test
  void aResultFileThatCannotBeNamedIsRefusedBeforeTheStepRuns() {
    forward("lock");
    String before = snapshotOfState();

    Result bad = pitstop("unlock", "--run-id", RUN, "--result", "Released=/tmp/x");

    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip().lines()).hasSize(1);
    assertThat(snapshotOfState()).isEqualTo(before);
  }
}
