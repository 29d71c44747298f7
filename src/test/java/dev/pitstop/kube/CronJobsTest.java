package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CronJobs and their Jobs as JSON maps: which Jobs still run, and the suspend flag. */
class CronJobsTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static GenericKubernetesResource item(String json) {
    return JSON.unmarshal(json, GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource job(String name, String owner, String conditions) {
    return item(
        """
        {"metadata": {"name": "%s",
                      "ownerReferences": [{"kind": "CronJob", "name": "report", "uid": "%s",
                                           "apiVersion": "batch/v1"}]},
         "spec": {"template": {"spec": {"containers": [{"name": "r", "image": "r:1"}]}}},
         "status": {"conditions": %s}}
        """
            .formatted(name, owner, conditions));
  }

  @Test
  void aJobRunsUntilItHasATrueCompleteOrFailedCondition() {
    List<GenericKubernetesResource> jobs =
        List.of(
            job("running", "u1", "[]"),
            job("suspended-condition", "u1", "[{\"type\": \"Suspended\", \"status\": \"True\"}]"),
            job("completing", "u1", "[{\"type\": \"Complete\", \"status\": \"False\"}]"),
            job("done", "u1", "[{\"type\": \"Complete\", \"status\": \"True\"}]"),
            job("failed", "u1", "[{\"type\": \"Failed\", \"status\": \"True\"}]"),
            job("other-cronjob", "u2", "[]"));

    assertThat(CronJobs.running(jobs, Set.of("u1")))
        .extracting(j -> j.getMetadata().getName())
        .containsExactly("running", "suspended-condition", "completing");
  }

  @Test
  void aJobWithoutStatusIsRunning() {
    GenericKubernetesResource fresh =
        item(
            """
            {"metadata": {"name": "fresh", "ownerReferences": [{"kind": "CronJob", "uid": "u1"}]}}
            """);

    assertThat(CronJobs.finished(fresh)).isFalse();
    assertThat(CronJobs.running(List.of(fresh), Set.of("u1"))).hasSize(1);
  }

  @Test
  void suspendIsReadAndPutBackAbsentIncluded() {
    GenericKubernetesResource cronJob =
        item(
            """
            {"metadata": {"name": "report"},
             "spec": {"schedule": "0 * * * *", "futureField": {"kept": true}}}
            """);

    assertThat(CronJobs.suspend(cronJob)).isNull();
    CronJobs.setSuspend(cronJob, true);
    assertThat(CronJobs.suspend(cronJob)).isTrue();
    CronJobs.setSuspend(cronJob, null);
    assertThat(CronJobs.suspend(cronJob)).isNull();
    assertThat(cronJob.getAdditionalProperties().get("spec"))
        .isEqualTo(
            java.util.Map.of(
                "schedule", "0 * * * *", "futureField", java.util.Map.of("kept", true)));
  }
}
