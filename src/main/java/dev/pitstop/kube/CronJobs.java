package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CronJobs and the Jobs they started: a suspended CronJob starts no new Job. Both are read as JSON
 * maps (see {@link ObjectFields}): each holds a whole pod spec.
 */
public final class CronJobs {
  private static final ResourceDefinitionContext JOBS =
      Cluster.namespacedApi("batch", "v1", "Job", "jobs");

  private final Cluster cluster;

  public CronJobs(Cluster cluster) {
    this.cluster = cluster;
  }

  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      cronJobs() {
    return cluster.objectsOf(WorkloadKind.CRONJOB);
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      jobs() {
    return cluster.client().genericKubernetesResources(JOBS).inNamespace(cluster.namespace());
  }

  /** {@code spec.suspend}: null when the field is not set. */
  public static Boolean suspend(GenericKubernetesResource cronJob) {
    return ObjectFields.bool(cronJob, "spec", "suspend");
  }

  /** Sets {@code spec.suspend}; null removes the field, as it was before the run set it. */
  public static void setSuspend(GenericKubernetesResource cronJob, Boolean suspend) {
    ObjectFields.set(cronJob, suspend, "spec", "suspend");
  }

  /** The Jobs of these CronJobs (by owner uid) that have neither completed nor failed. */
  public List<GenericKubernetesResource> runningJobs(
      Collection<GenericKubernetesResource> cronJobs) {
    Set<String> uids =
        cronJobs.stream().map(c -> c.getMetadata().getUid()).collect(Collectors.toSet());
    return running(
        cluster.call("list jobs of " + names(cronJobs), () -> jobs().list().getItems()), uids);
  }

  static List<GenericKubernetesResource> running(
      List<GenericKubernetesResource> jobs, Set<String> cronJobUids) {
    return jobs.stream().filter(j -> ownedByAny(j, cronJobUids)).filter(j -> !finished(j)).toList();
  }

  /**
   * Deletes the Jobs in the foreground: each Job stays visible until the garbage collector has
   * removed its pods, so waiting for the Jobs to be gone waits for the pods too.
   */
  public void delete(List<GenericKubernetesResource> jobs) {
    for (GenericKubernetesResource job : jobs) {
      cluster.call(
          "delete job/" + job.getMetadata().getName(),
          () ->
              jobs()
                  .withName(job.getMetadata().getName())
                  .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                  .delete());
    }
  }

  private static boolean ownedByAny(GenericKubernetesResource job, Set<String> uids) {
    return job.getMetadata().getOwnerReferences() != null
        && job.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "CronJob".equals(o.getKind()) && uids.contains(o.getUid()));
  }

  /** A Job is over when it carries a true Complete or Failed condition. */
  public static boolean finished(GenericKubernetesResource job) {
    if (!(job.get("status", "conditions") instanceof List<?> conditions)) {
      return false;
    }
    for (Object item : conditions) {
      if (item instanceof Map<?, ?> condition
          && ("Complete".equals(condition.get("type")) || "Failed".equals(condition.get("type")))
          && "True".equals(condition.get("status"))) {
        return true;
      }
    }
    return false;
  }

  static String names(Collection<GenericKubernetesResource> cronJobs) {
    return cronJobs.stream()
        .map(c -> "cronjob/" + c.getMetadata().getName())
        .collect(Collectors.joining(", "));
  }
}
