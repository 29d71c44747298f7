package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockIT extends ClusterTestBase {

  @Test
  void lockCreatesTheRunRecordLabelledAsPitstops() {
    Result result = pitstopRun("lock", "--holder", "ci-job-12");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(ledger().getData())
        .containsEntry("run-id", RUN)
        .containsEntry("holder", "ci-job-12");
    assertThat(ledger().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "pitstop");
    assertThat(events()).anyMatch(e -> e.getReason().equals("Locked"));
  }

  @Test
  void lockingAgainWithTheSameRunIdSucceedsAndChangesNothing() {
    pitstopRun("lock");
    String resourceVersion = ledger().getMetadata().getResourceVersion();

    Result again = pitstopRun("lock");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("already locked by this run");
    assertThat(ledger().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
  }

  @Test
  void anotherRunIsRefusedWithExit3NamingTheHolderAndSince() {
    pitstopRun("lock", "--holder", "argo-pod-a");

    Result other = pitstop("lock", "--run-id", "run-2");

    assertThat(other.exitCode()).isEqualTo(3);
    assertThat(other.err())
        .contains("locked by run run-1")
        .contains("argo-pod-a")
        .contains("since");
    assertThat(ledger().getData()).containsEntry("run-id", RUN);
  }

  @Test
  void everyMutatingStepRefusesWhenAnotherRunHoldsTheLock() {
    pitstopRun("lock");
    String before = snapshotOfState();

    assertThat(
            pitstop("scale-down", "--run-id", "run-2", "--workload", "deployment/web").exitCode())
        .isEqualTo(3);
    assertThat(pitstop("scale-up", "--run-id", "run-2").exitCode()).isEqualTo(3);
    assertThat(
            pitstop(
                    "maintenance-on",
                    "--run-id",
                    "run-2",
                    "--mode",
                    "configmap",
                    "--configmap",
                    "shop-settings",
                    "--key",
                    "maintenance")
                .exitCode())
        .isEqualTo(3);
    assertThat(pitstop("maintenance-off", "--run-id", "run-2").exitCode()).isEqualTo(3);
    assertThat(pitstop("rollback", "--run-id", "run-2").exitCode()).isEqualTo(3);
    assertThat(pitstop("unlock", "--run-id", "run-2").exitCode()).isEqualTo(3);

    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void unlockReleasesOnlyItsOwnLock() {
    pitstopRun("lock");

    Result unlock = pitstopRun("unlock");

    assertThat(unlock.exitCode()).as(unlock.toString()).isZero();
    assertThat(ledger()).isNull();
    Result again = pitstopRun("unlock");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("not locked");
  }

  @Test
  void forcedUnlockReleasesAnotherRunsLockLoudly() {
    pitstopRun("lock");

    Result forced = pitstop("unlock", "--run-id", "run-2", "--force");

    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.err()).contains("FORCED").contains("run-1");
    assertThat(ledger()).isNull();
  }

  @Test
  void mutatingStepsWithoutTheLockAreBadInput() {
    String before = snapshotOfState();

    Result result = pitstopRun("scale-down", "--workload", "deployment/web");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("not locked").contains("pitstop lock");
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void dryRunLockWritesNothing() {
    String before = snapshotOfState();

    Result result = pitstopRun("lock", "--dry-run");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("dry run: would create configmap/pitstop-shop");
    assertThat(ledger()).isNull();
    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void jsonOutputIsOneObjectOnStdoutAndResultsDirHoldsOneFilePerField(@TempDir Path results)
      throws Exception {
    Result result =
        pitstopRun(
            "lock", "--holder", "h1", "--output", "json", "--results-dir", results.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(json.get("command").asText()).isEqualTo("lock");
    assertThat(json.get("exit-code").asInt()).isZero();
    assertThat(json.get("run-id").asText()).isEqualTo(RUN);
    assertThat(result.out().strip().lines()).hasSize(1);
    assertThat(Files.readString(results.resolve("run-id"))).isEqualTo(RUN);
    assertThat(Files.readString(results.resolve("holder"))).isEqualTo("h1");
    assertThat(Files.readString(results.resolve("created"))).isEqualTo("true");
  }

  @Test
  void jsonOutputOfAFailureCarriesTheExitCodeAndTheMessage() throws Exception {
    pitstopRun("lock");

    Result other = pitstop("lock", "--run-id", "run-2", "--output", "json");

    JsonNode json = new ObjectMapper().readTree(other.out());
    assertThat(json.get("exit-code").asInt()).isEqualTo(3);
    assertThat(json.get("error").asText()).contains("locked by run run-1");
  }
}
