package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON-map view of a Deployment or StatefulSet, as an API server's list item gives it. */
class WorkloadTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** A list item: real API servers leave out kind and apiVersion in the items of a list. */
  private static GenericKubernetesResource item(String json) {
    return JSON.unmarshal(json, GenericKubernetesResource.class);
  }

  /** Whether the Deployment (or the kind given) in {@code json} has completed its rollout. */
  private static boolean complete(String json) {
    return complete(WorkloadKind.DEPLOYMENT, json);
  }

  private static boolean complete(WorkloadKind kind, String json) {
    return Workload.of(kind, item(json)).rolloutComplete();
  }

  private static final String WEB =
      """
      {"metadata": {"name": "web", "generation": 4, "annotations": {"a": "b"}},
       "spec": {"selector": {"matchLabels": {"app": "shop"},
                             "matchExpressions": [{"key": "tier", "operator": "In",
                                                   "values": ["front"]}]},
                "template": {"spec": {"futureField": {"kept": true},
                  "containers": [{"name": "app", "image": "shop:1"},
                                 {"name": "proxy", "image": "envoy:1"}]}}},
       "status": {"observedGeneration": 4, "replicas": 1, "updatedReplicas": 1,
                  "readyReplicas": 1, "availableReplicas": 1}}
      """;

  @Test
  void aListItemGetsTheKindAndApiVersionItWasListedAs() {
    Workload web = Workload.of(WorkloadKind.DEPLOYMENT, item(WEB));

    assertThat(web.ref()).isEqualTo(new WorkloadRef(WorkloadKind.DEPLOYMENT, "web"));
    assertThat(web.object().getKind()).isEqualTo("Deployment");
    assertThat(web.object().getApiVersion()).isEqualTo("apps/v1");
    assertThat(web.annotation("a")).isEqualTo("b");
  }

  @Test
  void missingReplicasAreOneAsKubernetesDefaultsThem() {
    Workload web = Workload.of(WorkloadKind.DEPLOYMENT, item(WEB));
    assertThat(web.replicas()).isEqualTo(1);

    web.setReplicas(0);
    assertThat(web.replicas()).isZero();
  }

  @Test
  void imagesInTemplateOrderAndOnlyTheNamedContainerChanges() {
    Workload web = Workload.of(WorkloadKind.DEPLOYMENT, item(WEB));
    assertThat(web.images())
        .containsExactly(Map.entry("app", "shop:1"), Map.entry("proxy", "envoy:1"));

    web.setImage("app", "shop:2");
    web.setImage("absent", "x:1");

    assertThat(web.images())
        .containsExactly(Map.entry("app", "shop:2"), Map.entry("proxy", "envoy:1"));
  }

  @Test
  void fieldsPitstopDoesNotKnowAreWrittenBackAsRead() {
    Workload web = Workload.of(WorkloadKind.DEPLOYMENT, item(WEB));
    web.setReplicas(0);

    GenericKubernetesResource written = item(JSON.asJson(web.object()));
    assertThat((Object) written.get("spec", "template", "spec", "futureField", "kept"))
        .isEqualTo(true);
    assertThat((Object) written.get("spec", "replicas")).isEqualTo(0);
  }

  @Test
  void theSelectorKeepsLabelsAndExpressions() {
    Workload web = Workload.of(WorkloadKind.DEPLOYMENT, item(WEB));

    assertThat(Selectors.matches(web.selector(), Map.of("app", "shop", "tier", "front"))).isTrue();
    assertThat(Selectors.matches(web.selector(), Map.of("app", "shop", "tier", "back"))).isFalse();
    assertThat(web.selector().getMatchExpressions().get(0).getValues()).isEqualTo(List.of("front"));
  }

  @Test
  void aRolloutIsCompleteOnlyForTheCurrentGenerationWithEveryReplicaUp() {
    assertThat(complete(WEB)).isTrue();
    assertThat(complete(WEB.replace("\"observedGeneration\": 4", "\"observedGeneration\": 3")))
        .isFalse();
    assertThat(complete(WEB.replace("\"availableReplicas\": 1", "\"availableReplicas\": 0")))
        .isFalse();
  }

  @Test
  void aStatefulSetCountsReadyReplicasNotAvailableOnes() {
    String worker =
        """
        {"metadata": {"name": "worker", "generation": 1},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "worker"}}},
         "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
                    "readyReplicas": 2}}
        """;
    assertThat(complete(WorkloadKind.STATEFULSET, worker)).isTrue();
    assertThat(Workload.of(WorkloadKind.STATEFULSET, item(worker)).readyReplicas()).isEqualTo(2);
    assertThat(complete(worker)).isFalse();
  }

  @Test
  void withoutStatusOnlyANewWorkloadAtZeroIsComplete() {
    String fresh =
        "{\"metadata\": {\"name\": \"w\", \"generation\": 1}, \"spec\": {\"replicas\": 0}}";
    assertThat(complete(fresh)).isTrue();
    assertThat(complete(fresh.replace("\"replicas\": 0", "\"replicas\": 1"))).isFalse();
  }
}
