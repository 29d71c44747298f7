package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed reads and writes of the few fields Pitstop uses in objects held as JSON maps.
 *
 * <p>Deployments, StatefulSets, pods, CronJobs, Jobs and HorizontalPodAutoscalers are read as
 * {@link GenericKubernetesResource}, not as fabric8's typed model: the first typed read of a kind
 * makes Jackson build deserializers for every field of it, and a CronJob, a Job or a Deployment
 * holds a whole pod spec (a fifth of a second of a step's start-up for each). Whatever Pitstop does
 * not change is written back exactly as it was read.
 */
public final class ObjectFields {
  private ObjectFields() {}

  /** The number at {@code path} as an int, or null when it is absent or not a number. */
  public static Integer integer(GenericKubernetesResource object, String... path) {
    return object.get((Object[]) path) instanceof Number n ? n.intValue() : null;
  }

  /** The boolean at {@code path}, or null when it is absent or not a boolean. */
  public static Boolean bool(GenericKubernetesResource object, String... path) {
    return object.get((Object[]) path) instanceof Boolean b ? b : null;
  }

  /** Sets the field at {@code path}, making the objects on the way; null removes the field. */
  public static void set(GenericKubernetesResource object, Object value, String... path) {
    Map<String, Object> parent = object.getAdditionalProperties();
    for (int i = 0; i < path.length - 1; i++) {
      parent = child(parent, path[i]);
    }
    if (value == null) {
      parent.remove(path[path.length - 1]);
    } else {
      parent.put(path[path.length - 1], value);
    }
  }

  /**
   * The object with its kind and apiVersion filled in when it has none: API servers leave them out
   * of the items of a list, and Events and Argo CD tracking need them.
   */
  public static GenericKubernetesResource identified(
      GenericKubernetesResource object, String apiVersion, String kind) {
    if (object.getKind() == null) {
      object.setKind(kind);
    }
    if (object.getApiVersion() == null) {
      object.setApiVersion(apiVersion);
    }
    return object;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }
}
