package dev.pitstop.tekton;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of the Tekton v1, RBAC and kustomize objects as far as the shipped YAML uses them: a
 * field not listed here is a typo or a field Tekton does not know, which the API server would drop
 * or reject. Names follow the Go types of tektoncd/pipeline ({@code pkg/apis/pipeline/v1}).
 */
final class KnownFields {
  /** A mapping with known keys; a key mapped to {@link #ANY} is not looked into. */
  record Shape(Map<String, Shape> fields) {}

  static final Shape ANY = new Shape(Map.of());

  private static Shape shape(Object... keysAndShapes) {
    Map<String, Shape> fields = new LinkedHashMap<>();
    for (int i = 0; i < keysAndShapes.length; i += 2) {
      fields.put((String) keysAndShapes[i], (Shape) keysAndShapes[i + 1]);
    }
    return new Shape(fields);
  }

  private static final Shape METADATA =
      shape("name", ANY, "generateName", ANY, "labels", ANY, "annotations", ANY);
  private static final Shape PARAM_SPEC =
      shape("name", ANY, "type", ANY, "description", ANY, "default", ANY);
  private static final Shape PARAM = shape("name", ANY, "value", ANY);
  private static final Shape WHEN = shape("input", ANY, "operator", ANY, "values", ANY);
  private static final Shape ENV =
      shape(
          "name",
          ANY,
          "value",
          ANY,
          "valueFrom",
          shape("secretKeyRef", shape("name", ANY, "key", ANY, "optional", ANY)));
  private static final Shape SECURITY_CONTEXT =
      shape(
          "runAsNonRoot",
          ANY,
          "allowPrivilegeEscalation",
          ANY,
          "readOnlyRootFilesystem",
          ANY,
          "capabilities",
          shape("drop", ANY),
          "seccompProfile",
          shape("type", ANY));
  private static final Shape RESOURCES =
      shape(
          "requests", shape("cpu", ANY, "memory", ANY), "limits", shape("cpu", ANY, "memory", ANY));
  private static final Shape VOLUME_MOUNT = shape("name", ANY, "mountPath", ANY, "readOnly", ANY);
  private static final Shape STEP_TEMPLATE =
      shape(
          "image",
          ANY,
          "env",
          ENV,
          "securityContext",
          SECURITY_CONTEXT,
          "computeResources",
          RESOURCES,
          "volumeMounts",
          VOLUME_MOUNT);
  private static final Shape STEP =
      shape(
          "name",
          ANY,
          "image",
          ANY,
          "command",
          ANY,
          "args",
          ANY,
          "env",
          ENV,
          "securityContext",
          SECURITY_CONTEXT,
          "computeResources",
          RESOURCES,
          "volumeMounts",
          VOLUME_MOUNT);
  private static final Shape TASK =
      shape(
          "apiVersion",
          ANY,
          "kind",
          ANY,
          "metadata",
          METADATA,
          "spec",
          shape(
              "description",
              ANY,
              "params",
              PARAM_SPEC,
              "workspaces",
              shape(
                  "name",
                  ANY,
                  "description",
                  ANY,
                  "mountPath",
                  ANY,
                  "readOnly",
                  ANY,
                  "optional",
                  ANY),
              "results",
              shape("name", ANY, "type", ANY, "description", ANY),
              "volumes",
              shape("name", ANY, "emptyDir", shape()),
              "stepTemplate",
              STEP_TEMPLATE,
              "steps",
              STEP));
  private static final Shape TASK_REF = shape("name", ANY, "resolver", ANY, "params", PARAM);
  private static final Shape PIPELINE_TASK =
      shape(
          "name",
          ANY,
          "taskRef",
          TASK_REF,
          "runAfter",
          ANY,
          "when",
          WHEN,
          "retries",
          ANY,
          "timeout",
          ANY,
          "params",
          PARAM,
          "matrix",
          shape("params", PARAM),
          "workspaces",
          shape("name", ANY, "workspace", ANY, "subPath", ANY));
  private static final Shape PIPELINE =
      shape(
          "apiVersion",
          ANY,
          "kind",
          ANY,
          "metadata",
          METADATA,
          "spec",
          shape(
              "description",
              ANY,
              "params",
              PARAM_SPEC,
              "workspaces",
              shape("name", ANY, "description", ANY, "optional", ANY),
              "tasks",
              PIPELINE_TASK,
              "finally",
              PIPELINE_TASK,
              "results",
              shape("name", ANY, "description", ANY, "value", ANY)));
  private static final Shape PIPELINE_RUN =
      shape(
          "apiVersion",
          ANY,
          "kind",
          ANY,
          "metadata",
          METADATA,
          "spec",
          shape(
              "pipelineRef",
              shape("name", ANY),
              "taskRunTemplate",
              shape("serviceAccountName", ANY),
              "timeouts",
              shape("pipeline", ANY, "tasks", ANY, "finally", ANY),
              "params",
              PARAM,
              "workspaces",
              shape(
                  "name",
                  ANY,
                  "configMap",
                  shape("name", ANY, "items", shape("key", ANY, "path", ANY)),
                  "secret",
                  shape("secretName", ANY),
                  "persistentVolumeClaim",
                  shape("claimName", ANY),
                  "emptyDir",
                  shape())));
  private static final Shape TASK_RUN =
      shape(
          "apiVersion",
          ANY,
          "kind",
          ANY,
          "metadata",
          METADATA,
          "spec",
          shape(
              "taskRef",
              shape("name", ANY),
              "serviceAccountName",
              ANY,
              "timeout",
              ANY,
              "params",
              PARAM,
              "workspaces",
              PIPELINE_RUN.fields().get("spec").fields().get("workspaces")));
  private static final Shape RBAC_META = METADATA;
  private static final Map<String, Shape> BY_KIND =
      Map.of(
          "Task",
          TASK,
          "Pipeline",
          PIPELINE,
          "PipelineRun",
          PIPELINE_RUN,
          "TaskRun",
          TASK_RUN,
          "ServiceAccount",
          shape(
              "apiVersion",
              ANY,
              "kind",
              ANY,
              "metadata",
              RBAC_META,
              "automountServiceAccountToken",
              ANY),
          "Role",
          shape(
              "apiVersion",
              ANY,
              "kind",
              ANY,
              "metadata",
              RBAC_META,
              "rules",
              shape("apiGroups", ANY, "resources", ANY, "verbs", ANY)),
          "RoleBinding",
          shape(
              "apiVersion",
              ANY,
              "kind",
              ANY,
              "metadata",
              RBAC_META,
              "roleRef",
              shape("apiGroup", ANY, "kind", ANY, "name", ANY),
              "subjects",
              shape("kind", ANY, "name", ANY, "namespace", ANY)),
          "Kustomization",
          shape("apiVersion", ANY, "kind", ANY, "resources", ANY));

  private KnownFields() {}

  static boolean knowsKind(String kind) {
    return BY_KIND.containsKey(kind);
  }

  /** The paths of fields that are not known at their place. */
  static List<String> unknown(String kind, JsonNode node) {
    List<String> unknown = new ArrayList<>();
    walk(node, BY_KIND.get(kind), "", unknown);
    return unknown;
  }

  private static void walk(JsonNode node, Shape shape, String path, List<String> unknown) {
    if (shape == ANY) {
      return;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), shape, path + "/" + i, unknown);
      }
      return;
    }
    if (!node.isObject()) {
      unknown.add(path + " (expected a mapping)");
      return;
    }
    node.fields()
        .forEachRemaining(
            field -> {
              Shape inner = shape.fields().get(field.getKey());
              if (inner == null) {
                unknown.add(path + "/" + field.getKey());
              } else {
                walk(field.getValue(), inner, path + "/" + field.getKey(), unknown);
              }
            });
  }
}
