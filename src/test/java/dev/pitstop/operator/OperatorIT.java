package dev.pitstop.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationStatus;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
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
}
