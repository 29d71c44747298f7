package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Optional;

/**
 * Argo CD as far as a scale-down cares: which Application manages an object (from Argo CD's
 * tracking annotation or label), and that Application's {@code spec.syncPolicy}.
 */
public final class ArgoCd {
  /** Annotation tracking (Argo CD's default since 3.0): {@code app:group/Kind:namespace/name}. */
  public static final String TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";

  /** Label tracking (the default before 3.0); Helm charts set this label too. */
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  public static final String DEFAULT_NAMESPACE = "argocd";

  public static final ResourceDefinitionContext APPLICATIONS =
      Cluster.namespacedApi("argoproj.io", "v1alpha1", "Application", "applications");

  /**
   * The Application an object names as its manager.
   *
   * @param namespace the Application's namespace: from the name when Argo CD prefixed it ({@code
   *     namespace_name}, applications in any namespace), else the control plane's
   * @param name the Application's name
   * @param source where it was found: the annotation or the label
   */
  public record Tracking(String namespace, String name, String source) {
    public String display() {
      return namespace + "/" + name;
    }

    /** The label is also set by Helm and others, so it only suggests Argo CD. */
    public boolean certain() {
      return source.equals(TRACKING_ANNOTATION);
    }
  }

  private final Cluster cluster;

  public ArgoCd(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Which Application manages the object, if its metadata says so. */
  public static Optional<Tracking> trackingOf(HasMetadata object, String defaultNamespace) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    String trackingId = annotations == null ? null : annotations.get(TRACKING_ANNOTATION);
    if (trackingId != null && trackingId.indexOf(':') > 0) {
      return Optional.of(
          tracking(
              trackingId.substring(0, trackingId.indexOf(':')),
              defaultNamespace,
              TRACKING_ANNOTATION));
    }
    Map<String, String> labels = object.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(INSTANCE_LABEL);
    if (instance != null && !instance.isEmpty()) {
      return Optional.of(tracking(instance, defaultNamespace, INSTANCE_LABEL));
    }
    return Optional.empty();
  }

  private static Tracking tracking(String appName, String defaultNamespace, String source) {
    int underscore = appName.indexOf('_');
    if (underscore > 0 && underscore < appName.length() - 1) {
      return new Tracking(
          appName.substring(0, underscore), appName.substring(underscore + 1), source);
    }
    return new Tracking(defaultNamespace, appName, source);
  }

  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      applications(String namespace) {
    return cluster.client().genericKubernetesResources(APPLICATIONS).inNamespace(namespace);
  }

  /** The Application, or empty when it, or Argo CD's API, does not exist. */
  public Optional<GenericKubernetesResource> application(Tracking tracking) {
    return Optional.ofNullable(
        cluster.call(
            "read application " + tracking.display(),
            () -> {
              try {
                return applications(tracking.namespace()).withName(tracking.name()).get();
              } catch (KubernetesClientException e) {
                if (KubeErrors.isNotFound(e)) {
                  return null;
                }
                throw e;
              }
            }));
  }

  /** {@code spec.syncPolicy} as a mutable map, or null. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> syncPolicy(GenericKubernetesResource application) {
    Object spec = application.getAdditionalProperties().get("spec");
    if (spec instanceof Map<?, ?> specMap && specMap.get("syncPolicy") instanceof Map<?, ?> p) {
      return (Map<String, Object>) p;
    }
    return null;
  }

  /**
   * True when automated sync is on: {@code automated} is set and not switched off with {@code
   * enabled: false} (Argo CD 3.1+ treats a missing {@code enabled} as on).
   */
  public static boolean automatedSyncOn(GenericKubernetesResource application) {
    Map<String, Object> policy = syncPolicy(application);
    if (policy == null || !(policy.get("automated") instanceof Map<?, ?> automated)) {
      return false;
    }
    return !Boolean.FALSE.equals(automated.get("enabled"));
  }

  /** The ApplicationSet that generates the Application, if any: it rewrites the syncPolicy. */
  public static Optional<String> applicationSetOf(GenericKubernetesResource application) {
    if (application.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return application.getMetadata().getOwnerReferences().stream()
        .filter(o -> "ApplicationSet".equals(o.getKind()))
        .map(o -> o.getName())
        .findFirst();
  }
}
