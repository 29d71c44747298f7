package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One view over a Deployment or a StatefulSet: replicas, pod template, selector and rollout. */
public final class Workload {
  private final HasMetadata object;
  private final WorkloadRef ref;

  private Workload(HasMetadata object) {
    this.object = object;
    this.ref =
        WorkloadRef.of(
            object.getKind() == null ? kindOf(object) : object.getKind(),
            object.getMetadata().getName());
  }

  public static Workload of(HasMetadata object) {
    return new Workload(object);
  }

  private static String kindOf(HasMetadata object) {
    return object instanceof StatefulSet ? "StatefulSet" : "Deployment";
  }

  public WorkloadRef ref() {
    return ref;
  }

  public HasMetadata object() {
    return object;
  }

  /** {@code spec.replicas}; Kubernetes defaults a missing value to 1. */
  public int replicas() {
    Integer replicas =
        object instanceof Deployment d
            ? d.getSpec().getReplicas()
            : statefulSet().getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  void setReplicas(int replicas) {
    if (object instanceof Deployment d) {
      d.getSpec().setReplicas(replicas);
    } else {
      statefulSet().getSpec().setReplicas(replicas);
    }
  }

  public PodTemplateSpec template() {
    return object instanceof Deployment d
        ? d.getSpec().getTemplate()
        : statefulSet().getSpec().getTemplate();
  }

  public LabelSelector selector() {
    return object instanceof Deployment d
        ? d.getSpec().getSelector()
        : statefulSet().getSpec().getSelector();
  }

  /** Container name to image, in the pod template's order. */
  public Map<String, String> images() {
    Map<String, String> images = new LinkedHashMap<>();
    template().getSpec().getContainers().forEach(c -> images.put(c.getName(), c.getImage()));
    return images;
  }

  public String annotation(String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /**
   * True when the controller has seen the current spec and every desired replica runs the current
   * template and is available.
   */
  public boolean rolloutComplete() {
    long generation = Objects.requireNonNullElse(object.getMetadata().getGeneration(), 0L);
    int desired = replicas();
    if (object instanceof Deployment d) {
      DeploymentStatus status = d.getStatus();
      if (status == null) {
        return desired == 0 && generation <= 1;
      }
      return Objects.requireNonNullElse(status.getObservedGeneration(), 0L) >= generation
          && zeroIfNull(status.getUpdatedReplicas()) == desired
          && zeroIfNull(status.getAvailableReplicas()) == desired
          && zeroIfNull(status.getReplicas()) == desired;
    }
    StatefulSetStatus status = statefulSet().getStatus();
    if (status == null) {
      return desired == 0 && generation <= 1;
    }
    return Objects.requireNonNullElse(status.getObservedGeneration(), 0L) >= generation
        && zeroIfNull(status.getUpdatedReplicas()) == desired
        && zeroIfNull(status.getReadyReplicas()) == desired
        && zeroIfNull(status.getReplicas()) == desired;
  }

  /** Ready replicas as the controller reports them. */
  public int readyReplicas() {
    if (object instanceof Deployment d) {
      return d.getStatus() == null ? 0 : zeroIfNull(d.getStatus().getReadyReplicas());
    }
    return statefulSet().getStatus() == null
        ? 0
        : zeroIfNull(statefulSet().getStatus().getReadyReplicas());
  }

  private StatefulSet statefulSet() {
    return (StatefulSet) object;
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }
}
