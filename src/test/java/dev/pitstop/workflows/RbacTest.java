package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Role the steps run as grants what they use and nothing else. Each grant names where the steps
 * use it (dev.pitstop.kube and dev.pitstop.step); finish needs nothing beyond rollback,
 * maintenance-off and unlock, whose parts it runs.
 */
class RbacTest {
  private static final Set<String> STEPS_USE =
      Set.of(
          // LedgerStore: the run record is read, created, updated, deleted by unlock;
          // MaintenanceTarget: configmap mode reads and updates the app's ConfigMap
          "configmaps:get",
          "configmaps:create",
          "configmaps:update",
          "configmaps:delete",
          // Cluster: read and list workloads, update replicas and images; Rollouts: watch until
          // ready
          "deployments:get",
          "deployments:list",
          "deployments:watch",
          "deployments:update",
          "statefulsets:get",
          "statefulsets:list",
          "statefulsets:watch",
          "statefulsets:update",
          // Rollouts: list and watch pods until gone (scale-down) or ready (scale-up, smoke-test)
          "pods:list",
          "pods:watch",
          // MaintenanceTarget: service, ingress and httproute modes swap a selector or backends
          "services:get",
          "services:update",
          "ingresses:get",
          "ingresses:update",
          "httproutes:get",
          "httproutes:update",
          // KeepDown and CronJobs: suspend CronJobs, wait for (or delete) their running Jobs
          "cronjobs:get",
          "cronjobs:list",
          "cronjobs:update",
          "jobs:list",
          "jobs:watch",
          "jobs:delete",
          // Autoscalers and KeepDown: HPAs and KEDA ScaledObjects that could scale from zero
          "horizontalpodautoscalers:get",
          "horizontalpodautoscalers:list",
          "horizontalpodautoscalers:update",
          "scaledobjects:get",
          "scaledobjects:list",
          "scaledobjects:update",
          // EventRecorder
          "events:create",
          // Argo's executor (wait container) reports outputs as WorkflowTaskResults
          "workflowtaskresults:create",
          "workflowtaskresults:patch");

  static Set<String> granted(JsonNode role) {
    Set<String> granted = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode resource : rule.path("resources")) {
        for (JsonNode verb : rule.path("verbs")) {
          granted.add(resource.asText() + ":" + verb.asText());
        }
      }
    }
    return granted;
  }

  private static JsonNode role(String file, String name) {
    return WorkflowFiles.documents().stream()
        .filter(d -> d.file().getFileName().toString().equals(file))
        .map(Document::node)
        .filter(n -> n.path("kind").asText().equals("Role"))
        .filter(n -> n.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theStepsRoleGrantsExactlyWhatTheStepsUse() {
    assertThat(granted(role("rbac.yaml", "pitstop")))
        .containsExactlyInAnyOrderElementsOf(STEPS_USE);
  }

  @Test
  void theArgoCdRoleOnlyReadsAndUpdatesApplications() {
    assertThat(granted(role("rbac-argocd.yaml", "pitstop-argocd")))
        .containsExactlyInAnyOrder("applications:get", "applications:update");
  }

  /** Every step template runs as the account the Role is bound to, unless told otherwise. */
  @Test
  void theStepsRunAsTheBoundAccountByDefault() {
    JsonNode binding =
        WorkflowFiles.documents().stream()
            .filter(d -> d.file().getFileName().toString().equals("rbac.yaml"))
            .map(Document::node)
            .filter(n -> n.path("kind").asText().equals("RoleBinding"))
            .findFirst()
            .orElseThrow();
    String account = binding.path("subjects").get(0).path("name").asText();
    for (JsonNode template :
        WorkflowFiles.templates(WorkflowFiles.workflowTemplate("pitstop-steps").node())) {
      assertThat(StepLibraryTest.defaultOf(template, "service-account")).isEqualTo(account);
    }
  }

  /** What `kubectl apply -k workflow-templates/` installs, as the README lists it. */
  @Test
  void theKustomizationInstallsWhatTheReadmeSays() throws IOException {
    String kustomization = Files.readString(WorkflowFiles.ROOT.resolve("kustomization.yaml"));
    String readme = Files.readString(WorkflowFiles.ROOT.resolve("README.md"));
    for (String resource :
        List.of(
            "rbac.yaml",
            "pitstop-steps.yaml",
            "pitstop-migration.yaml",
            "pitstop-fleet.yaml",
            "../maintenance-page")) {
      assertThat(kustomization).contains("- " + resource);
    }
    assertThat(kustomization).doesNotContain("rbac-argocd");
    assertThat(readme).contains("maintenance-page").contains("rbac-argocd.yaml");
  }
}
