package dev.pitstop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What the benchmark and the README say about pod starts inside the maintenance window, read from
 * the shipped YAML: the per-step route starts a pod for every step and for the one that switches
 * maintenance off; the one-pod route starts none: its one pod starts, and checks the inputs, before
 * it switches maintenance on.
 */
class WindowPodsTest {
  @Test
  void aCleanRunStartsSevenPodsInsideTheWindowPerStepAndNoneInOnePod() {
    assertThat(WindowPods.argo("per-step", null))
        .containsExactly(
            "scale-down", "snapshot", "migrate", "verify", "scale-up", "smoke-test", "finish");
    assertThat(WindowPods.tekton("per-step", null))
        .containsExactly(
            "scale-down", "snapshot", "migrate", "verify", "scale-up", "smoke-test", "finish");
    assertThat(WindowPods.argo("one-pod", null)).isEmpty();
    assertThat(WindowPods.tekton("one-pod", null)).isEmpty();
  }

  /**
   * After a failed migration Argo starts the DAG's rollback and then the exit hook's finish; Tekton
   * starts finish, which rolls back; the one pod rolls back and switches maintenance off itself,
   * inside the window it opened.
   */
  @Test
  void aFailedMigrationStartsTheRollbacksPodsInsideTheWindowPerStepAndNoneMoreInOnePod() {
    assertThat(WindowPods.argo("per-step", "migrate"))
        .containsExactly("scale-down", "snapshot", "migrate", "rollback", "finish");
    assertThat(WindowPods.tekton("per-step", "migrate"))
        .containsExactly("scale-down", "snapshot", "migrate", "finish");
    assertThat(WindowPods.argo("one-pod", "migrate")).isEmpty();
    assertThat(WindowPods.tekton("one-pod", "migrate")).isEmpty();
  }
}
