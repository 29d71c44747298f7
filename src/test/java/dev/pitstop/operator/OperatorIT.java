package dev.pitstop.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationStatus;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The operator on the in-memory cluster, with the Jobs run in-process by the real CLI against an
 * embedded PostgreSQL: each Migration goes where the design says, and the status says why.
 */
class OperatorIT extends OperatorTestBase {

  /** Every status the Migration had, in order, as a watch saw them. */
  private final List<MigrationStatus> seen = new CopyOnWriteArrayList<>();

  private Watch watch(String name) {
    return migrations(name)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Migration migration) {
                if (migration.getStatus() != null) {
                  seen.add(migration.getStatus());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private List<String> phasesSeen() {
    List<String> phases = new java.util.ArrayList<>();
    for (MigrationStatus status : seen) {
      if (status.phase != null
          && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(status.phase))) {
        phases.add(status.phase);
      }
    }
    return phases;
  }

  @Test
  void postedMigrationIsPlannedRunInAJobMirroredStepByStepAndSucceeds() throws Exception {
    startReplica("replica-a");
    try (Watch watch = watch("release-2")) {
      post(migration("release-2"));
      awaitPhase("release-2", "Succeeded");
    }
    MigrationStatus status = status("release-2");
    assertThat(phasesSeen()).containsSubsequence("Pending", "Planned", "Running", "Succeeded");
    assertThat(status.endState).isEqualTo("migrated");
    assertThat(status.exitCode).isZero();
    assertThat(status.runId).isEqualTo(migrations("release-2").get().getMetadata().getUid());
    assertThat(status.plan.hash).matches("[0-9a-f]{12}");
    assertThat(status.plan.pending).containsExactly("V2 add order status");
    assertThat(status.plan.downtime).isNotBlank();
    assertThat(status.approvedPlanHash).isEqualTo(status.plan.hash);
    assertThat(condition("release-2", "Ready")).isEqualTo("True/Succeeded");
    assertThat(condition("release-2", "Planned")).isEqualTo("True/Runnable");
    assertThat(condition("release-2", "Approved")).isEqualTo("True/Auto");
    assertThat(condition("release-2", "MaintenanceOn")).startsWith("False");
    assertThat(status.steps)
        .extracting(s -> s.name + "=" + s.state)
        .containsExactly(
            "lock=succeeded",
            "maintenance-on=succeeded",
            "scale-down=succeeded",
            "migrate=succeeded",
            "verify=succeeded",
            "scale-up=succeeded",
            "smoke-test=succeeded",
            "maintenance-off=succeeded",
            "unlock=succeeded");
    // mirrored live: the watch saw the run's steps one after another, maintenance on meanwhile
    List<String> steps =
        seen.stream().map(s -> s.currentStep).filter(s -> s != null).distinct().toList();
    assertThat(steps).hasSizeGreaterThanOrEqualTo(3);
    assertThat(seen)
        .anySatisfy(
            s ->
                assertThat(s.conditions)
                    .anySatisfy(
                        c -> {
                          assertThat(c.type).isEqualTo("MaintenanceOn");
                          assertThat(c.status).isEqualTo("True");
                        }));
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(ledger()).isNull();
    assertThat(jobs.attempts("release-2-run")).extracting(a -> a.exitCode()).containsExactly(0);
    assertThat(events("release-2", "Succeeded")).hasSize(1);
  }

  @Test
  void failingMigrationIsRolledBackAndSaysSo() throws Exception {
    migrationsConfigMap(V4);
    startReplica("replica-a");
    post(migration("release-3"));
    awaitPhase("release-3", "RolledBack");
    MigrationStatus status = status("release-3");
    assertThat(status.endState).isEqualTo("rolled-back");
    assertThat(status.exitCode).isEqualTo(1);
    assertThat(status.message).contains("migrate failed");
    assertThat(status.steps)
        .extracting(s -> s.name + "=" + s.state)
        .contains("migrate=failed", "rollback=succeeded", "unlock=succeeded");
    assertThat(condition("release-3", "Ready")).isEqualTo("False/RolledBack");
    assertThat(condition("release-3", "Stalled")).isEqualTo("True/RolledBack");
    assertThat(fixture.version()).isEqualTo("1");
    assertThat(ledger()).isNull();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void migrationWaitsWhileAnotherRunHoldsTheAppAndRunsOnceItIsReleased() {
    assertThat(pitstop("lock", "--run-id", "hotfix-7").exitCode()).isZero();
    startReplica("replica-a");
    post(migration("release-2"));
    awaitPhase("release-2", "Waiting");
    assertThat(status("release-2").message).contains("locked by run hotfix-7");
    assertThat(condition("release-2", "Reconciling")).isEqualTo("True/Locked");
    assertThat(jobExists("release-2-run")).isFalse();

    assertThat(pitstop("unlock", "--run-id", "hotfix-7").exitCode()).isZero();
    awaitPhase("release-2", "Succeeded");
    assertThat(jobs.attempts("release-2-run")).extracting(a -> a.exitCode()).containsExactly(0);
  }

  @Test
  void manualApprovalRefusesAStaleHashAndRunsTheApprovedPlan() throws Exception {
    startReplica("replica-a");
    Migration manual = migration("release-2");
    manual.getSpec().approval = new dev.pitstop.operator.model.MigrationSpec.Approval();
    manual.getSpec().approval.mode = "manual";
    post(manual);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition("release-2", "Approved").equals("False/AwaitingApproval"));
    String hash = status("release-2").plan.hash;
    assertThat(phase("release-2")).isEqualTo("Planned");
    assertThat(status("release-2").message).contains("pitstop approve release-2 -n shop");

    var shown = cli.run("approve", "release-2", "-n", NS);
    assertThat(shown.exitCode()).as(shown.toString()).isZero();
    assertThat(shown.out()).contains("plan " + hash, "V2 add order status", "--hash " + hash);

    var stale = cli.run("approve", "release-2", "-n", NS, "--hash", "0123456789ab");
    assertThat(stale.exitCode()).as(stale.toString()).isEqualTo(2);
    assertThat(stale.err()).contains("is not migration/release-2's plan any more", hash);
    assertThat(migrations("release-2").get().getSpec().approval.approvedPlanHash).isNull();

    // a hash set by hand that is not the plan's is refused by the operator too
    migrations("release-2")
        .edit(
            m -> {
              m.getSpec().approval.approvedPlanHash = "0123456789ab";
              return m;
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> condition("release-2", "Approved").equals("False/StaleApproval"));
    assertThat(jobExists("release-2-run")).isFalse();
    assertThat(ledger()).isNull();

    var approved = cli.run("approve", "release-2", "-n", NS, "--hash", hash);
    assertThat(approved.exitCode()).as(approved.toString()).isZero();
    awaitPhase("release-2", "Succeeded");
    assertThat(status("release-2").approvedPlanHash).isEqualTo(hash);
    assertThat(condition("release-2", "Approved")).isEqualTo("True/Manual");
  }

  @Test
  void approveRefusesWhatItCannotApproveWithOneLine() {
    startReplica("replica-a");
    var missing = cli.run("approve", "nope", "-n", NS, "--hash", "0123456789ab");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo("pitstop approve: migration/nope not found in namespace shop");
    var badHash = cli.run("approve", "nope", "-n", NS, "--hash", "xyz");
    assertThat(badHash.exitCode()).isEqualTo(2);
    assertThat(badHash.err()).contains("is not a plan hash");
    post(migration("auto"));
    var auto = cli.run("approve", "auto", "-n", NS);
    assertThat(auto.exitCode()).isEqualTo(2);
    assertThat(auto.err()).contains("approves itself");
  }

  @Test
  void windowInThePastRefusesAndWindowInTheFutureWaitsForIt() {
    startReplica("replica-a");
    Migration late = migration("too-late");
    late.getSpec().window = new dev.pitstop.operator.model.MigrationSpec.Window();
    late.getSpec().window.notAfter = java.time.Instant.now().minusSeconds(3600).toString();
    post(late);
    awaitPhase("too-late", "Failed");
    assertThat(status("too-late").endState).isEqualTo("not-started");
    assertThat(status("too-late").message).contains("window closed");
    assertThat(jobExists("too-late-run")).isFalse();
    assertThat(ledger()).isNull();

    Migration early = migration("tonight");
    early.getSpec().window = new dev.pitstop.operator.model.MigrationSpec.Window();
    java.time.Instant opens = java.time.Instant.now().plusSeconds(4);
    early.getSpec().window.notBefore = opens.toString();
    post(early);
    awaitPhase("tonight", "Waiting");
    assertThat(status("tonight").message).contains("window, which opens at");
    assertThat(jobExists("tonight-run")).isFalse();
    awaitPhase("tonight", "Succeeded");
    assertThat(java.time.Instant.parse(status("tonight").startedAt)).isAfterOrEqualTo(opens);
  }

  @Test
  void deletingARunningMigrationWaitsForItsRunToEnd() throws Exception {
    controllers.podDelay(Duration.ofMillis(400));
    startReplica("replica-a");
    post(migration("release-2"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "scale-down".equals(status("release-2").currentStep));
    migrations("release-2").delete();
    // the finalizer holds it while the run goes on
    assertThat(migrations("release-2").get().getMetadata().getDeletionTimestamp()).isNotNull();
    await().atMost(Duration.ofSeconds(60)).until(() -> migrations("release-2").get() == null);
    assertThat(jobs.attempts("release-2-run")).extracting(a -> a.exitCode()).containsExactly(0);
    assertThat(fixture.version()).isEqualTo("2");
    assertThat(ledger()).isNull();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void invalidSpecIsRefusedBeforeAnyJob() {
    startReplica("replica-a");
    Migration both = migration("both");
    both.getSpec().migrations.image = "registry.example.com/shop-migrations:2";
    post(both);
    awaitPhase("both", "Failed");
    assertThat(status("both").message)
        .isEqualTo(
            "invalid spec: spec.migrations needs exactly one of configMap, image and locations");
    assertThat(condition("both", "Stalled")).isEqualTo("True/InvalidSpec");
    assertThat(jobExists("both-plan")).isFalse();
  }
}
