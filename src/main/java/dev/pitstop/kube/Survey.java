package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-only lists and reads for a survey of a namespace ({@code pitstop plan}). A kind the cluster
 * does not serve, or a read the identity may not make, is an answer here, not a failure: the survey
 * reports it and goes on with the rest. Transient trouble is retried within the deadline, as every
 * read of {@link Cluster} is. Every object is read as JSON maps (see {@link ObjectFields}).
 */
public final class Survey {
  /** How a read ended. */
  public enum Outcome {
    READ,
    /** The API group or kind is not installed in this cluster (its CRD is missing). */
    NOT_SERVED,
    /** The identity may not read it (403). */
    FORBIDDEN
  }

  /** A list of one kind in one namespace; {@code items} is empty unless it was read. */
  public record Listing(
      String what, Outcome outcome, List<GenericKubernetesResource> items, String reason) {
    public boolean read() {
      return outcome == Outcome.READ;
    }
  }

  /** One object by name; {@code object} is empty when it does not exist or was not read. */
  public record Lookup(
      String what, Outcome outcome, Optional<GenericKubernetesResource> object, String reason) {
    public boolean read() {
      return outcome == Outcome.READ;
    }
  }

  public static final ResourceDefinitionContext PODS =
      Cluster.namespacedApi("", "v1", "Pod", "pods");
  public static final ResourceDefinitionContext SERVICES =
      Cluster.namespacedApi("", "v1", "Service", "services");
  public static final ResourceDefinitionContext CONFIGMAPS =
      Cluster.namespacedApi("", "v1", "ConfigMap", "configmaps");
  public static final ResourceDefinitionContext SECRETS =
      Cluster.namespacedApi("", "v1", "Secret", "secrets");
  public static final ResourceDefinitionContext DEPLOYMENTS =
      Cluster.namespacedApi("apps", "v1", "Deployment", "deployments");
  public static final ResourceDefinitionContext STATEFULSETS =
      Cluster.namespacedApi("apps", "v1", "StatefulSet", "statefulsets");
  public static final ResourceDefinitionContext DAEMONSETS =
      Cluster.namespacedApi("apps", "v1", "DaemonSet", "daemonsets");
  public static final ResourceDefinitionContext CRONJOBS =
      Cluster.namespacedApi("batch", "v1", "CronJob", "cronjobs");
  public static final ResourceDefinitionContext JOBS =
      Cluster.namespacedApi("batch", "v1", "Job", "jobs");
  public static final ResourceDefinitionContext HPAS =
      Cluster.namespacedApi(
          "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers");
  public static final ResourceDefinitionContext PDBS =
      Cluster.namespacedApi("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets");
  public static final ResourceDefinitionContext INGRESSES =
      Cluster.namespacedApi("networking.k8s.io", "v1", "Ingress", "ingresses");
  public static final ResourceDefinitionContext HTTPROUTES =
      Cluster.namespacedApi("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes");
  public static final ResourceDefinitionContext ROLLOUTS =
      Cluster.namespacedApi("argoproj.io", "v1alpha1", "Rollout", "rollouts");
  public static final ResourceDefinitionContext SCALED_OBJECTS = Autoscalers.SCALED_OBJECTS;
  public static final ResourceDefinitionContext SCALED_JOBS =
      Cluster.namespacedApi("keda.sh", "v1alpha1", "ScaledJob", "scaledjobs");
  public static final ResourceDefinitionContext APPLICATIONS = ArgoCd.APPLICATIONS;
  public static final ResourceDefinitionContext KUSTOMIZATIONS =
      Cluster.namespacedApi("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations");
  public static final ResourceDefinitionContext HELM_RELEASES =
      Cluster.namespacedApi("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases");

  /** API groups every cluster Pitstop supports serves; the others are asked by discovery. */
  private static final Set<String> BUILT_IN =
      Set.of("", "apps", "batch", "autoscaling", "policy", "networking.k8s.io");

  private final Cluster cluster;
  private final Map<String, Boolean> served = new ConcurrentHashMap<>();

  public Survey(Cluster cluster) {
    this.cluster = cluster;
  }

  public Cluster cluster() {
    return cluster;
  }

  /** {@code deployments.apps}, {@code pods}: how RBAC and kubectl name a resource. */
  public static String resourceName(ResourceDefinitionContext kind) {
    return kind.getGroup() == null || kind.getGroup().isEmpty()
        ? kind.getPlural()
        : kind.getPlural() + "." + kind.getGroup();
  }

  /**
   * Whether the cluster serves the kind. Custom kinds are looked up by discovery, once each: a list
   * of a kind whose CRD is missing is a 404 on a real API server, but an in-memory one answers it
   * like any other path.
   */
  public boolean serves(ResourceDefinitionContext kind) {
    if (BUILT_IN.contains(kind.getGroup())) {
      return true;
    }
    String apiVersion = kind.getGroup() + "/" + kind.getVersion();
    return served.computeIfAbsent(
        apiVersion + "/" + kind.getKind(),
        key ->
            cluster.call(
                "look up " + apiVersion + " " + kind.getKind(),
                () -> cluster.client().supports(apiVersion, kind.getKind())));
  }

  /** Every object of the kind in the namespace. */
  public Listing list(ResourceDefinitionContext kind) {
    String what = resourceName(kind) + " in namespace " + cluster.namespace();
    if (!serves(kind)) {
      return new Listing(what, Outcome.NOT_SERVED, List.of(), notServed(kind));
    }
    return cluster.call(
        "list " + what,
        () -> {
          try {
            List<GenericKubernetesResource> items =
                cluster
                    .client()
                    .genericKubernetesResources(kind)
                    .inNamespace(cluster.namespace())
                    .list()
                    .getItems();
            items.forEach(
                item ->
                    ObjectFields.identified(
                        item,
                        kind.getGroup().isEmpty()
                            ? kind.getVersion()
                            : kind.getGroup() + "/" + kind.getVersion(),
                        kind.getKind()));
            return new Listing(what, Outcome.READ, items, null);
          } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
              return new Listing(what, Outcome.FORBIDDEN, List.of(), forbidden(e));
            }
            if (e.getCode() == 404) {
              return new Listing(what, Outcome.NOT_SERVED, List.of(), notServed(kind));
            }
            throw e;
          }
        });
  }

  /** One object by name, in any namespace. */
  public Lookup get(ResourceDefinitionContext kind, String namespace, String name) {
    String what = resourceName(kind) + " " + namespace + "/" + name;
    if (!serves(kind)) {
      return new Lookup(what, Outcome.NOT_SERVED, Optional.empty(), notServed(kind));
    }
    return cluster.call(
        "read " + what,
        () -> {
          try {
            GenericKubernetesResource object =
                cluster
                    .client()
                    .genericKubernetesResources(kind)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            return new Lookup(what, Outcome.READ, Optional.ofNullable(object), null);
          } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
              return new Lookup(what, Outcome.FORBIDDEN, Optional.empty(), forbidden(e));
            }
            throw e;
          }
        });
  }

  private static String notServed(ResourceDefinitionContext kind) {
    return "this cluster does not serve "
        + kind.getKind()
        + " ("
        + kind.getGroup()
        + "/"
        + kind.getVersion()
        + "): its CRDs are not installed";
  }

  private static String forbidden(KubernetesClientException e) {
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : "403 Forbidden";
    return "not allowed: " + message;
  }
}
