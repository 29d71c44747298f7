package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobList;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** CronJobs and the Jobs they started: a suspended CronJob starts no new Job. */
public final class CronJobs {
  private final Cluster cluster;

  public CronJobs(Cluster cluster) {
    this.cluster = cluster;
  }

  public NonNamespaceOperation<CronJob, CronJobList, Resource<CronJob>> cronJobs() {
    return cluster.client().batch().v1().cronjobs().inNamespace(cluster.namespace());
  }

  NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs() {
    return cluster.client().batch().v1().jobs().inNamespace(cluster.namespace());
  }

  /** The Jobs of these CronJobs (by owner uid) that have neither completed nor failed. */
  public List<Job> runningJobs(Collection<CronJob> cronJobs) {
    Set<String> uids =
        cronJobs.stream().map(c -> c.getMetadata().getUid()).collect(Collectors.toSet());
    return running(
        cluster.call("list jobs of " + names(cronJobs), () -> jobs().list().getItems()), uids);
  }

  static List<Job> running(List<Job> jobs, Set<String> cronJobUids) {
    return jobs.stream().filter(j -> ownedByAny(j, cronJobUids)).filter(j -> !finished(j)).toList();
  }

  /**
   * Deletes the Jobs in the foreground: each Job stays visible until the garbage collector has
   * removed its pods, so waiting for the Jobs to be gone waits for the pods too.
   */
  public void delete(List<Job> jobs) {
    for (Job job : jobs) {
      cluster.call(
          "delete job/" + job.getMetadata().getName(),
          () ->
              jobs()
                  .withName(job.getMetadata().getName())
                  .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                  .delete());
    }
  }

  private static boolean ownedByAny(Job job, Set<String> uids) {
    return job.getMetadata().getOwnerReferences() != null
        && job.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "CronJob".equals(o.getKind()) && uids.contains(o.getUid()));
  }

  /** A Job is over when it carries a true Complete or Failed condition. */
  static boolean finished(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition condition : job.getStatus().getConditions()) {
      if (("Complete".equals(condition.getType()) || "Failed".equals(condition.getType()))
          && "True".equals(condition.getStatus())) {
        return true;
      }
    }
    return false;
  }

  static String names(Collection<CronJob> cronJobs) {
    return cronJobs.stream()
        .map(c -> "cronjob/" + c.getMetadata().getName())
        .collect(Collectors.joining(", "));
  }
}
