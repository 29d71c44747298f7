package dev.pitstop.kube;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Waits, with watches and the step's deadline, for pods to go and for rollouts to finish, and
 * explains in one line per workload why they did not.
 */
public final class Rollouts {
  private static final Duration RESYNC = Duration.ofSeconds(2);

  private final Cluster cluster;

  public Rollouts(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Waits until no pod of the workloads exists; exit 1 naming the pods still there. */
  public void awaitPodsGone(List<Workload> workloads) {
    Map<Workload, CompletableFuture<List<Pod>>> waits = new LinkedHashMap<>();
    for (Workload workload : workloads) {
      waits.put(
          workload,
          cluster.call(
              "watch pods of " + workload.ref(),
              () ->
                  cluster
                      .client()
                      .pods()
                      .inNamespace(cluster.namespace())
                      .withLabelSelector(workload.selector())
                      .informOnCondition(List::isEmpty)));
    }
    List<String> left = new ArrayList<>();
    waits.forEach(
        (workload, wait) -> {
          if (!await(wait, () -> cluster.podsOf(workload).isEmpty())) {
            List<String> pods =
                cluster.podsOf(workload).stream().map(p -> p.getMetadata().getName()).toList();
            if (!pods.isEmpty()) {
              left.add(workload.ref() + ": " + String.join(", ", pods));
            }
          }
        });
    if (!left.isEmpty()) {
      throw PitstopException.failed(
          "pods still running after "
              + Durations.format(cluster.deadline().budget())
              + " (raise --timeout, or check their terminationGracePeriodSeconds and finalizers): "
              + String.join("; ", left));
    }
  }

  /**
   * Waits until the CronJobs' running Jobs have completed, failed or gone; exit 1 naming the Jobs
   * still running.
   */
  public void awaitJobsDone(List<CronJob> cronJobs) {
    if (cronJobs.isEmpty()) {
      return;
    }
    CronJobs jobs = new CronJobs(cluster);
    Set<String> uids =
        cronJobs.stream().map(c -> c.getMetadata().getUid()).collect(Collectors.toSet());
    CompletableFuture<List<Job>> wait =
        cluster.call(
            "watch jobs of " + CronJobs.names(cronJobs),
            () -> jobs.jobs().informOnCondition(list -> CronJobs.running(list, uids).isEmpty()));
    if (!await(wait, () -> jobs.runningJobs(cronJobs).isEmpty())) {
      List<String> left =
          jobs.runningJobs(cronJobs).stream().map(j -> "job/" + j.getMetadata().getName()).toList();
      if (!left.isEmpty()) {
        throw PitstopException.failed(
            "jobs of "
                + CronJobs.names(cronJobs)
                + " still running after "
                + Durations.format(cluster.deadline().budget())
                + " (raise --timeout, or delete them with --delete-running-jobs): "
                + String.join(", ", left));
      }
    }
  }

  /** Waits until every workload's rollout is complete; exit 1 saying why per workload. */
  public void awaitReady(List<WorkloadRef> refs) {
    Map<WorkloadRef, CompletableFuture<List<HasMetadata>>> waits = new LinkedHashMap<>();
    for (WorkloadRef ref : refs) {
      waits.put(
          ref,
          cluster.call(
              "watch " + ref,
              () ->
                  cluster
                      .resourceOf(ref)
                      .informOnCondition(
                          list -> !list.isEmpty() && Workload.of(list.get(0)).rolloutComplete())));
    }
    List<String> notReady = new ArrayList<>();
    waits.forEach(
        (ref, wait) -> {
          if (!await(
              wait, () -> cluster.workload(ref).map(Workload::rolloutComplete).orElse(false))) {
            notReady.add(explain(ref));
          }
        });
    if (!notReady.isEmpty()) {
      throw PitstopException.failed(
          "not ready after "
              + Durations.format(cluster.deadline().budget())
              + ": "
              + String.join("; ", notReady));
    }
  }

  /**
   * Waits for the watch to see the condition. Every few seconds the condition is also checked by a
   * fresh read, as an informer's resync would, so a missed watch event costs seconds, not the whole
   * deadline.
   */
  private <T> boolean await(CompletableFuture<T> wait, BooleanSupplier recheck) {
    try {
      while (true) {
        Duration left = cluster.deadline().remaining();
        if (left.isZero()) {
          return recheck.getAsBoolean();
        }
        long slice = Math.min(left.toMillis(), RESYNC.toMillis());
        try {
          wait.get(Math.max(1, slice), TimeUnit.MILLISECONDS);
          return true;
        } catch (TimeoutException e) {
          if (recheck.getAsBoolean()) {
            return true;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PitstopException.transientFailure("interrupted while waiting", e);
    } catch (ExecutionException e) {
      throw KubeErrors.classify(
          e.getCause() instanceof Exception cause ? cause : new RuntimeException(e.getCause()));
    } finally {
      wait.cancel(true);
    }
  }

  /** Why a workload is not ready: replica counts and the waiting reasons of its pods. */
  public String explain(WorkloadRef ref) {
    Workload workload =
        cluster
            .workload(ref)
            .orElseThrow(() -> PitstopException.failed(ref + " disappeared during the rollout"));
    StringBuilder why =
        new StringBuilder(ref.toString())
            .append(" has ")
            .append(workload.readyReplicas())
            .append("/")
            .append(workload.replicas())
            .append(" ready");
    List<Pod> pods = cluster.podsOf(workload);
    Map<String, Long> reasons =
        pods.stream()
            .map(Rollouts::podProblem)
            .filter(Objects::nonNull)
            .collect(Collectors.groupingBy(r -> r, LinkedHashMap::new, Collectors.counting()));
    if (!reasons.isEmpty()) {
      why.append(" (")
          .append(
              reasons.entrySet().stream()
                  .map(e -> e.getValue() + " pod(s) " + e.getKey())
                  .collect(Collectors.joining(", ")))
          .append(")");
    } else if (pods.size() < workload.replicas()) {
      why.append(" (")
          .append(pods.size())
          .append(" pod(s) exist: check the controller's events and quotas)");
    }
    return why.toString();
  }

  private static String podProblem(Pod pod) {
    if (pod.getStatus() == null) {
      return "pending";
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus status : statuses) {
      if (status.getState() != null && status.getState().getWaiting() != null) {
        String reason = status.getState().getWaiting().getReason();
        return (reason == null ? "waiting" : reason) + " in container " + status.getName();
      }
      if (status.getState() != null && status.getState().getTerminated() != null) {
        String reason = status.getState().getTerminated().getReason();
        return "terminated ("
            + (reason == null ? "unknown" : reason)
            + ") in container "
            + status.getName();
      }
    }
    if (pod.getStatus().getConditions() != null) {
      for (PodCondition condition : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())) {
          return "unschedulable"
              + (condition.getReason() == null ? "" : " (" + condition.getReason() + ")");
        }
        if ("Ready".equals(condition.getType()) && "False".equals(condition.getStatus())) {
          return "not ready";
        }
      }
    }
    return "Pending".equals(pod.getStatus().getPhase()) ? "pending" : null;
  }
}
