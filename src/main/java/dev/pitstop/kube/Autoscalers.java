package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The autoscalers that can scale a workload back up behind Pitstop's back: HorizontalPodAutoscalers
 * ({@code autoscaling/v2}) and KEDA ScaledObjects ({@code keda.sh/v1alpha1}). Either API may be
 * missing from a cluster; then there is nothing of that kind.
 */
public final class Autoscalers {
  /** KEDA scales the target to this many replicas and stops autoscaling while it is set. */
  public static final String PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas";

  /** KEDA's other pause annotation: stop at the current count. */
  public static final String KEDA_PAUSED = "autoscaling.keda.sh/paused";

  /** HorizontalPodAutoscalers, read as JSON maps (see {@link ObjectFields}). */
  private static final ResourceDefinitionContext HPAS =
      Cluster.namespacedApi(
          "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers");

  public static final ResourceDefinitionContext SCALED_OBJECTS =
      Cluster.namespacedApi("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects");

  private final Cluster cluster;

  public Autoscalers(Cluster cluster) {
    this.cluster = cluster;
  }

  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      hpas() {
    return cluster.client().genericKubernetesResources(HPAS).inNamespace(cluster.namespace());
  }

  /** An HPA's {@code spec.minReplicas}: null when not set (Kubernetes then uses 1). */
  public static Integer minReplicas(GenericKubernetesResource hpa) {
    return ObjectFields.integer(hpa, "spec", "minReplicas");
  }

  /** Sets an HPA's {@code spec.minReplicas}; null removes the field. */
  public static void setMinReplicas(GenericKubernetesResource hpa, Integer minReplicas) {
    ObjectFields.set(hpa, minReplicas, "spec", "minReplicas");
  }

  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      scaledObjects() {
    return cluster
        .client()
        .genericKubernetesResources(SCALED_OBJECTS)
        .inNamespace(cluster.namespace());
  }

  /**
   * HPAs whose {@code scaleTargetRef} is one of the workloads. HPAs that KEDA made for its
   * ScaledObjects are left out: KEDA owns them, and pausing the ScaledObject pauses them.
   */
  public List<GenericKubernetesResource> hpasTargeting(Collection<WorkloadRef> workloads) {
    return cluster.listIfServed("horizontalpodautoscalers", () -> hpas().list().getItems()).stream()
        .filter(h -> !ownedByKeda(h))
        .filter(h -> hpaTarget(h).filter(workloads::contains).isPresent())
        .toList();
  }

  /** KEDA ScaledObjects whose {@code scaleTargetRef} is one of the workloads. */
  public List<GenericKubernetesResource> scaledObjectsTargeting(Collection<WorkloadRef> workloads) {
    return cluster
        .listIfServed("scaledobjects.keda.sh", () -> scaledObjects().list().getItems())
        .stream()
        .filter(s -> scaledObjectTarget(s).filter(workloads::contains).isPresent())
        .toList();
  }

  public static Optional<WorkloadRef> hpaTarget(GenericKubernetesResource hpa) {
    return target(
        hpa.get("spec", "scaleTargetRef", "kind") instanceof String kind ? kind : null,
        hpa.get("spec", "scaleTargetRef", "name") instanceof String name ? name : null);
  }

  /** KEDA's {@code spec.scaleTargetRef}; its kind defaults to Deployment. */
  public static Optional<WorkloadRef> scaledObjectTarget(GenericKubernetesResource scaledObject) {
    Object spec = scaledObject.getAdditionalProperties().get("spec");
    if (!(spec instanceof Map<?, ?> specMap)
        || !(specMap.get("scaleTargetRef") instanceof Map<?, ?> ref)
        || !(ref.get("name") instanceof String name)) {
      return Optional.empty();
    }
    Object kind = ref.get("kind");
    return target(kind instanceof String k && !k.isEmpty() ? k : "Deployment", name);
  }

  private static Optional<WorkloadRef> target(String kind, String name) {
    if (kind == null || name == null) {
      return Optional.empty();
    }
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "deployment" -> Optional.of(new WorkloadRef(WorkloadKind.DEPLOYMENT, name));
      case "statefulset" -> Optional.of(new WorkloadRef(WorkloadKind.STATEFULSET, name));
      default -> Optional.empty();
    };
  }

  private static boolean ownedByKeda(HasMetadata hpa) {
    List<OwnerReference> owners = hpa.getMetadata().getOwnerReferences();
    return owners != null
        && owners.stream()
            .anyMatch(
                o ->
                    "ScaledObject".equals(o.getKind())
                        && o.getApiVersion() != null
                        && o.getApiVersion().startsWith("keda.sh/"));
  }

  public static String annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
