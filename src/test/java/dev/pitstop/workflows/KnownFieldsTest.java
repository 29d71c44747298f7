package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Argo's schema does not reject unknown fields, and Argo ignores a misspelt one silently (a {@code
 * retrystrategy} would just never retry). This walker knows the keys the shipped files use at each
 * place and rejects any other.
 */
class KnownFieldsTest {
  /** The definition in Argo's schema of each place the walker knows. */
  static final Map<String, String> SCHEMA_DEFINITIONS =
      Map.ofEntries(
          Map.entry("spec", "io.argoproj.workflow.v1alpha1.WorkflowSpec"),
          Map.entry("synchronization", "io.argoproj.workflow.v1alpha1.Synchronization"),
          Map.entry("mutex", "io.argoproj.workflow.v1alpha1.Mutex"),
          Map.entry("hook", "io.argoproj.workflow.v1alpha1.LifecycleHook"),
          Map.entry("arguments", "io.argoproj.workflow.v1alpha1.Arguments"),
          Map.entry("argument", "io.argoproj.workflow.v1alpha1.Parameter"),
          Map.entry("template", "io.argoproj.workflow.v1alpha1.Template"),
          Map.entry("inputs", "io.argoproj.workflow.v1alpha1.Inputs"),
          Map.entry("input", "io.argoproj.workflow.v1alpha1.Parameter"),
          Map.entry("outputs", "io.argoproj.workflow.v1alpha1.Outputs"),
          Map.entry("output", "io.argoproj.workflow.v1alpha1.Parameter"),
          Map.entry("valueFrom", "io.argoproj.workflow.v1alpha1.ValueFrom"),
          Map.entry("podSecurityContext", "io.k8s.api.core.v1.PodSecurityContext"),
          Map.entry("container", "io.k8s.api.core.v1.Container"),
          Map.entry("env", "io.k8s.api.core.v1.EnvVar"),
          Map.entry("envValueFrom", "io.k8s.api.core.v1.EnvVarSource"),
          Map.entry("secretKeyRef", "io.k8s.api.core.v1.SecretKeySelector"),
          Map.entry("volumeMount", "io.k8s.api.core.v1.VolumeMount"),
          Map.entry("securityContext", "io.k8s.api.core.v1.SecurityContext"),
          Map.entry("capabilities", "io.k8s.api.core.v1.Capabilities"),
          Map.entry("seccompProfile", "io.k8s.api.core.v1.SeccompProfile"),
          Map.entry("resources", "io.k8s.api.core.v1.ResourceRequirements"),
          Map.entry("volume", "io.k8s.api.core.v1.Volume"),
          Map.entry("configMapVolume", "io.k8s.api.core.v1.ConfigMapVolumeSource"),
          Map.entry("dag", "io.argoproj.workflow.v1alpha1.DAGTemplate"),
          Map.entry("task", "io.argoproj.workflow.v1alpha1.DAGTask"),
          Map.entry("templateRef", "io.argoproj.workflow.v1alpha1.TemplateRef"),
          Map.entry("retryStrategy", "io.argoproj.workflow.v1alpha1.RetryStrategy"),
          Map.entry("resource", "io.argoproj.workflow.v1alpha1.ResourceTemplate"),
          Map.entry("continueOn", "io.argoproj.workflow.v1alpha1.ContinueOn"),
          Map.entry("workflowTemplateRef", "io.argoproj.workflow.v1alpha1.WorkflowTemplateRef"),
          Map.entry("backoff", "io.argoproj.workflow.v1alpha1.Backoff"));

  static final Map<String, Set<String>> KEYS =
      Map.ofEntries(
          Map.entry("root", Set.of("apiVersion", "kind", "metadata", "spec")),
          Map.entry("metadata", Set.of("name", "generateName", "labels")),
          Map.entry(
              "spec",
              Set.of(
                  "entrypoint",
                  "serviceAccountName",
                  "activeDeadlineSeconds",
                  "synchronization",
                  "hooks",
                  "arguments",
                  "templates",
                  "workflowTemplateRef")),
          Map.entry("synchronization", Set.of("mutexes")),
          Map.entry("mutex", Set.of("name")),
          Map.entry("hooks", Set.of("exit")),
          Map.entry("hook", Set.of("template", "templateRef", "arguments")),
          Map.entry("arguments", Set.of("parameters")),
          Map.entry("argument", Set.of("name", "value", "enum", "description")),
          Map.entry("workflowTemplateRef", Set.of("name", "clusterScope")),
          Map.entry(
              "template",
              Set.of(
                  "name",
                  "inputs",
                  "outputs",
                  "serviceAccountName",
                  "timeout",
                  "securityContext",
                  "parallelism",
                  "retryStrategy",
                  "initContainers",
                  "container",
                  "volumes",
                  "dag",
                  "steps",
                  "resource")),
          Map.entry("inputs", Set.of("parameters")),
          Map.entry("input", Set.of("name", "default", "enum", "description")),
          Map.entry("outputs", Set.of("parameters")),
          Map.entry("output", Set.of("name", "globalName", "valueFrom")),
          Map.entry("valueFrom", Set.of("path", "jsonPath", "expression", "default")),
          Map.entry(
              "podSecurityContext",
              Set.of("runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile")),
          Map.entry(
              "container",
              Set.of(
                  "name",
                  "image",
                  "command",
                  "args",
                  "env",
                  "volumeMounts",
                  "securityContext",
                  "resources")),
          Map.entry("env", Set.of("name", "value", "valueFrom")),
          Map.entry("envValueFrom", Set.of("secretKeyRef")),
          Map.entry("secretKeyRef", Set.of("name", "key", "optional")),
          Map.entry("volumeMount", Set.of("name", "mountPath", "readOnly")),
          Map.entry(
              "securityContext",
              Set.of(
                  "runAsNonRoot",
                  "allowPrivilegeEscalation",
                  "readOnlyRootFilesystem",
                  "capabilities",
                  "seccompProfile")),
          Map.entry("capabilities", Set.of("drop")),
          Map.entry("seccompProfile", Set.of("type")),
          Map.entry("resources", Set.of("requests", "limits")),
          Map.entry("quantities", Set.of("cpu", "memory")),
          Map.entry("volume", Set.of("name", "emptyDir", "configMap")),
          Map.entry("configMapVolume", Set.of("name", "optional")),
          Map.entry("dag", Set.of("failFast", "tasks")),
          Map.entry(
              "task",
              Set.of(
                  "name",
                  "depends",
                  "when",
                  "template",
                  "templateRef",
                  "arguments",
                  "withParam",
                  "continueOn")),
          Map.entry("continueOn", Set.of("failed", "error")),
          Map.entry(
              "resource",
              Set.of(
                  "action",
                  "setOwnerReference",
                  "successCondition",
                  "failureCondition",
                  "manifest")),
          Map.entry("templateRef", Set.of("name", "template", "clusterScope")),
          Map.entry("retryStrategy", Set.of("limit", "retryPolicy", "expression", "backoff")),
          Map.entry("backoff", Set.of("duration", "factor", "maxDuration")));

  static Stream<Document> argoDocuments() {
    return WorkflowFiles.argoDocuments().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void everyFieldIsOneArgoKnows(Document document) {
    List<String> unknown = new ArrayList<>();
    walk(document.node(), "root", "", unknown);
    assertThat(unknown).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void theWalkerFindsAMisspeltField(Document document) {
    JsonNode broken = document.node().deepCopy();
    JsonNode firstTemplate = broken.path("spec").path("templates").get(0);
    List<String> unknown = new ArrayList<>();
    if (firstTemplate == null) {
      // a Workflow that only references a WorkflowTemplate
      ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("spec"))
          .put("workflowtemplateref", "x");
      walk(broken, "root", "", unknown);
      assertThat(unknown).containsExactly("/spec/workflowtemplateref");
      return;
    }
    ((com.fasterxml.jackson.databind.node.ObjectNode) firstTemplate).put("retrystrategy", "x");
    walk(broken, "root", "", unknown);
    assertThat(unknown).containsExactly("/spec/templates/0/retrystrategy");
  }

  private static void walk(JsonNode node, String place, String path, List<String> unknown) {
    Set<String> allowed = KEYS.get(place);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      String at = path + "/" + key;
      if (!allowed.contains(key)) {
        unknown.add(at);
        continue;
      }
      JsonNode value = field.getValue();
      String child = childPlace(place, key);
      if (child == null) {
        continue;
      }
      if (value.isArray()) {
        for (int i = 0; i < value.size(); i++) {
          JsonNode element = value.get(i);
          if (element.isArray()) {
            for (int j = 0; j < element.size(); j++) {
              walk(element.get(j), child, at + "/" + i + "/" + j, unknown);
            }
          } else {
            walk(element, child, at + "/" + i, unknown);
          }
        }
      } else if (value.isObject()) {
        walk(value, child, at, unknown);
      }
    }
  }

  /** Where a key leads, or null for values not walked (labels, free-form maps, scalars). */
  private static String childPlace(String place, String key) {
    return switch (place + "." + key) {
      case "root.metadata" -> "metadata";
      case "root.spec" -> "spec";
      case "spec.synchronization" -> "synchronization";
      case "synchronization.mutexes" -> "mutex";
      case "spec.hooks" -> "hooks";
      case "hooks.exit" -> "hook";
      case "spec.arguments", "hook.arguments", "task.arguments" -> "arguments";
      case "arguments.parameters" -> "argument";
      case "spec.templates" -> "template";
      case "template.inputs" -> "inputs";
      case "inputs.parameters" -> "input";
      case "template.outputs" -> "outputs";
      case "outputs.parameters" -> "output";
      case "output.valueFrom" -> "valueFrom";
      case "template.securityContext" -> "podSecurityContext";
      case "podSecurityContext.seccompProfile", "securityContext.seccompProfile" ->
          "seccompProfile";
      case "template.container", "template.initContainers" -> "container";
      case "container.env" -> "env";
      case "env.valueFrom" -> "envValueFrom";
      case "envValueFrom.secretKeyRef" -> "secretKeyRef";
      case "container.volumeMounts" -> "volumeMount";
      case "container.securityContext" -> "securityContext";
      case "securityContext.capabilities" -> "capabilities";
      case "container.resources" -> "resources";
      case "resources.requests", "resources.limits" -> "quantities";
      case "template.volumes" -> "volume";
      case "volume.configMap" -> "configMapVolume";
      case "template.dag" -> "dag";
      case "dag.tasks", "template.steps" -> "task";
      case "task.templateRef", "hook.templateRef" -> "templateRef";
      case "template.retryStrategy" -> "retryStrategy";
      case "template.resource" -> "resource";
      case "task.continueOn" -> "continueOn";
      case "spec.workflowTemplateRef" -> "workflowTemplateRef";
      case "retryStrategy.backoff" -> "backoff";
      default -> null;
    };
  }
}
