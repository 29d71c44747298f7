package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One view over a Deployment or a StatefulSet: replicas, container images, selector and rollout.
 *
 * <p>The object is held as read, as JSON maps, not as fabric8's typed model (see {@link
 * ObjectFields}).
 */
public final class Workload {
  private final GenericKubernetesResource object;
  private final WorkloadRef ref;

  private Workload(WorkloadKind kind, GenericKubernetesResource object) {
    this.object = ObjectFields.identified(object, kind.apiVersion(), kind.kubernetesName());
    this.ref = new WorkloadRef(kind, object.getMetadata().getName());
  }

  /** The workload of kind {@code kind}, as read (list items may carry no kind of their own). */
  public static Workload of(WorkloadKind kind, GenericKubernetesResource object) {
    return new Workload(kind, object);
  }

  public WorkloadRef ref() {
    return ref;
  }

  public GenericKubernetesResource object() {
    return object;
  }

  /** {@code spec.replicas}; Kubernetes defaults a missing value to 1. */
  public int replicas() {
    return intAt(1, "spec", "replicas");
  }

  void setReplicas(int replicas) {
    ObjectFields.set(object, replicas, "spec", "replicas");
  }

  /** Container name to image, in the pod template's order. */
  public Map<String, String> images() {
    Map<String, String> images = new LinkedHashMap<>();
    containers().forEach(c -> images.put((String) c.get("name"), (String) c.get("image")));
    return images;
  }

  /** Sets the image of the container named {@code container}, if the template has one. */
  void setImage(String container, String image) {
    containers().stream()
        .filter(c -> container.equals(c.get("name")))
        .forEach(c -> c.put("image", image));
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> containers() {
    Object containers = object.get("spec", "template", "spec", "containers");
    return containers instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
  }

  /** {@code spec.selector}, in the typed form label matching takes. */
  @SuppressWarnings("unchecked")
  public LabelSelector selector() {
    LabelSelector selector = new LabelSelector();
    if (object.get("spec", "selector", "matchLabels") instanceof Map<?, ?> labels) {
      selector.setMatchLabels(new LinkedHashMap<>((Map<String, String>) labels));
    }
    if (object.get("spec", "selector", "matchExpressions") instanceof List<?> expressions) {
      List<LabelSelectorRequirement> requirements = new ArrayList<>();
      for (Object e : expressions) {
        Map<String, Object> expression = (Map<String, Object>) e;
        Object values = expression.get("values");
        requirements.add(
            new LabelSelectorRequirement(
                (String) expression.get("key"),
                (String) expression.get("operator"),
                values instanceof List<?> v ? new ArrayList<>((List<String>) v) : null));
      }
      selector.setMatchExpressions(requirements);
    }
    return selector;
  }

  public String annotation(String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /**
   * True when the controller has seen the current spec and every desired replica runs the current
   * template and is available (ready, for a StatefulSet).
   */
  public boolean rolloutComplete() {
    long generation = Objects.requireNonNullElse(object.getMetadata().getGeneration(), 0L);
    int desired = replicas();
    if (!(object.get("status") instanceof Map<?, ?>)) {
      return desired == 0 && generation <= 1;
    }
    String available =
        ref.kind() == WorkloadKind.STATEFULSET ? "readyReplicas" : "availableReplicas";
    return longAt("status", "observedGeneration") >= generation
        && intAt(0, "status", "updatedReplicas") == desired
        && intAt(0, "status", available) == desired
        && intAt(0, "status", "replicas") == desired;
  }

  /** Ready replicas as the controller reports them. */
  public int readyReplicas() {
    return intAt(0, "status", "readyReplicas");
  }

  private int intAt(int missing, String... path) {
    return Objects.requireNonNullElse(ObjectFields.integer(object, path), missing);
  }

  private long longAt(String... path) {
    return object.get((Object[]) path) instanceof Number n ? n.longValue() : 0L;
  }
}
