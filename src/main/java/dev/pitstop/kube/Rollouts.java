package dev.pitstop.kube;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Waits, with watches and the step's deadline, for pods to go and for rollouts to finish, and
 * explains in one line per workload why they did not.
 */
public final class Rollouts {
  private static final Duration RESYNC = Duration.ofSeconds(2);

  /** How often the state is read when the watch itself has broken. */
  private static final Duration POLL = Duration.ofMillis(250);

  private final Cluster cluster;

  public Rollouts(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Waits until no pod of the workloads exists; exit 1 naming the pods still there. */
  public void awaitPodsGone(List<Workload> workloads) {
    try (PodsGone gone = watchPodsGone(workloads)) {
      gone.await();
    }
  }

  /**
   * Starts watching the pods of the workloads, before they are scaled down, so that no deletion
   * happens between the first list and the watch. One watch of the namespace's pods serves every
   * workload, narrowed on the server by the labels all their selectors share.
   */
  public PodsGone watchPodsGone(List<Workload> workloads) {
    return new PodsGone(workloads);
  }

  /**
   * Starts an informer and waits for its first list and watch, at most {@code limit}. fabric8's own
   * wait has no limit: while the API server is unreachable its informer retries for ever, and the
   * step would outlive its {@code --timeout}.
   */
  static void startWithin(SharedIndexInformer<?> informer, Duration limit) throws Exception {
    try {
      informer
          .start()
          .toCompletableFuture()
          .get(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      informer.close();
      throw PitstopException.transientFailure(
          "the watch did not start within " + Durations.format(limit), e);
    } catch (ExecutionException e) {
      informer.close();
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (InterruptedException | RuntimeException e) {
      informer.close();
      throw e;
    }
  }

  /**
   * How long one attempt to start a watch may take: a third of what is left of the deadline, at
   * least a second. A watch request the server accepted and never answered is then given up and
   * made again while the step still has time, instead of using the whole deadline on one attempt.
   */
  static Duration attemptLimit(Duration remaining) {
    Duration third = remaining.dividedBy(3);
    Duration limit = third.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : third;
    return limit.compareTo(remaining) > 0 ? remaining : limit;
  }

  /** A watch of the pods of some workloads, until they are all gone. */
  public final class PodsGone implements AutoCloseable {
    private final List<Workload> workloads;
    private final Map<String, String> common;
    private final Predicate<GenericKubernetesResource> selected;
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private final AtomicReference<SharedIndexInformer<GenericKubernetesResource>> informer =
        new AtomicReference<>();
    private volatile boolean armed;

    private PodsGone(List<Workload> workloads) {
      this.workloads = workloads;
      List<LabelSelector> selectors = workloads.stream().map(Workload::selector).toList();
      this.common = Selectors.commonLabels(selectors);
      this.selected =
          pod ->
              selectors.stream().anyMatch(s -> Selectors.matches(s, pod.getMetadata().getLabels()));
      if (workloads.isEmpty()) {
        return;
      }
      SharedIndexInformer<GenericKubernetesResource> started =
          cluster.call(
              "watch pods of " + describe(workloads),
              () -> {
                SharedIndexInformer<GenericKubernetesResource> pods =
                    pods(common).runnableInformer(0);
                pods.addEventHandler(
                    new ResourceEventHandler<GenericKubernetesResource>() {
                      @Override
                      public void onAdd(GenericKubernetesResource pod) {
                        check();
                      }

                      @Override
                      public void onUpdate(
                          GenericKubernetesResource before, GenericKubernetesResource after) {
                        check();
                      }

                      @Override
                      public void onDelete(
                          GenericKubernetesResource pod, boolean finalStateUnknown) {
                        check();
                      }
                    });
                pods.stopped()
                    .whenComplete(
                        (stopped, failure) -> {
                          if (failure != null) {
                            gone.completeExceptionally(failure);
                          }
                        });
                startWithin(pods, attemptLimit(cluster.deadline().remaining()));
                return pods;
              });
      informer.set(started);
    }

    /** Completes the wait once armed and no selected pod is in the informer's store. */
    private void check() {
      SharedIndexInformer<GenericKubernetesResource> pods = informer.get();
      if (armed && pods != null && pods.getStore().list().stream().noneMatch(selected)) {
        gone.complete(null);
      }
    }

    /**
     * Waits, now that the workloads are scaled down, until their pods are gone; exit 1 naming the
     * pods still there.
     */
    public void await() {
      if (workloads.isEmpty()) {
        return;
      }
      armed = true;
      dev.pitstop.core.Progress.current()
          .debug(
              "waiting up to "
                  + dev.pitstop.core.Durations.format(cluster.deadline().remaining())
                  + " for the pods of "
                  + workloads.stream().map(w -> w.ref().toString()).toList()
                  + " to go");
      check();
      if (Rollouts.this.await(gone, () -> listPods(common).stream().noneMatch(selected))) {
        return;
      }
      List<GenericKubernetesResource> pods = listPods(common);
      List<String> left = new ArrayList<>();
      for (Workload workload : workloads) {
        List<String> names =
            pods.stream()
                .filter(p -> Selectors.matches(workload.selector(), p.getMetadata().getLabels()))
                .map(p -> p.getMetadata().getName())
                .toList();
        if (!names.isEmpty()) {
          left.add(workload.ref() + ": " + String.join(", ", names));
        }
      }
      if (!left.isEmpty()) {
        throw PitstopException.failed(
            "pods still running after "
                + Durations.format(cluster.deadline().budget())
                + " (raise --timeout, or check their terminationGracePeriodSeconds and"
                + " finalizers): "
                + String.join("; ", left));
      }
    }

    @Override
    public void close() {
      SharedIndexInformer<GenericKubernetesResource> pods = informer.getAndSet(null);
      if (pods != null) {
        pods.close();
      }
    }
  }

  /** The namespace's pods with these labels (see {@link Cluster#podObjects()}). */
  private FilterWatchListDeletable<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      pods(Map<String, String> labels) {
    return labels.isEmpty() ? cluster.podObjects() : cluster.podObjects().withLabels(labels);
  }

  private List<GenericKubernetesResource> listPods(Map<String, String> labels) {
    return cluster.call("list pods", () -> pods(labels).list()).getItems();
  }

  private static String describe(List<Workload> workloads) {
    return workloads.size() == 1
        ? workloads.get(0).ref().toString()
        : workloads.size() + " workloads";
  }

  /**
   * Waits until the CronJobs' running Jobs have completed, failed or gone; exit 1 naming the Jobs
   * still running.
   */
  public void awaitJobsDone(List<GenericKubernetesResource> cronJobs) {
    if (cronJobs.isEmpty()) {
      return;
    }
    dev.pitstop.core.Progress.current()
        .debug("waiting for the running Jobs of " + cronJobs.size() + " CronJob(s) to end");
    CronJobs jobs = new CronJobs(cluster);
    Set<String> uids =
        cronJobs.stream().map(c -> c.getMetadata().getUid()).collect(Collectors.toSet());
    CompletableFuture<List<GenericKubernetesResource>> wait =
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

  /**
   * Waits until every workload's rollout is complete; exit 1 saying why per workload. One watch per
   * kind serves every workload of that kind (a single workload is watched by name).
   */
  public void awaitReady(List<WorkloadRef> refs) {
    dev.pitstop.core.Progress.current()
        .debug(
            "waiting up to "
                + dev.pitstop.core.Durations.format(cluster.deadline().remaining())
                + " for "
                + refs
                + " to be ready");
    Map<WorkloadKind, List<WorkloadRef>> byKind = new LinkedHashMap<>();
    refs.forEach(ref -> byKind.computeIfAbsent(ref.kind(), k -> new ArrayList<>()).add(ref));
    Map<List<WorkloadRef>, CompletableFuture<List<GenericKubernetesResource>>> waits =
        new LinkedHashMap<>();
    for (List<WorkloadRef> ofKind : byKind.values()) {
      waits.put(
          ofKind,
          cluster.call(
              "watch " + (ofKind.size() == 1 ? ofKind.get(0) : ofKind.size() + " workloads"),
              () -> watchable(ofKind).informOnCondition(list -> complete(list, ofKind))));
    }
    boolean ready = true;
    for (Map.Entry<List<WorkloadRef>, CompletableFuture<List<GenericKubernetesResource>>> wait :
        waits.entrySet()) {
      List<WorkloadRef> ofKind = wait.getKey();
      ready &=
          await(
              wait.getValue(),
              () ->
                  complete(
                      cluster.workloads(ofKind).values().stream().map(Workload::object).toList(),
                      ofKind));
    }
    if (ready) {
      return;
    }
    Map<WorkloadRef, Workload> now = cluster.workloads(refs);
    List<String> notReady = new ArrayList<>();
    for (WorkloadRef ref : refs) {
      Workload workload = now.get(ref);
      if (workload == null || !workload.rolloutComplete()) {
        notReady.add(explain(ref));
      }
    }
    if (!notReady.isEmpty()) {
      throw PitstopException.failed(
          "not ready after "
              + Durations.format(cluster.deadline().budget())
              + ": "
              + String.join("; ", notReady));
    }
  }

  /** The workloads of one kind, as something to watch: by name when it is one. */
  private Informable<GenericKubernetesResource> watchable(List<WorkloadRef> ofKind) {
    return ofKind.size() == 1
        ? cluster.resourceOf(ofKind.get(0))
        : cluster.workloadsOf(ofKind.get(0).kind());
  }

  /** True when every workload named is in the list and its rollout is complete. */
  private static boolean complete(List<GenericKubernetesResource> listed, List<WorkloadRef> refs) {
    Map<WorkloadRef, Workload> byRef = new java.util.HashMap<>();
    listed.stream()
        .map(object -> Workload.of(refs.get(0).kind(), object))
        .forEach(w -> byRef.put(w.ref(), w));
    return refs.stream()
        .allMatch(ref -> byRef.containsKey(ref) && byRef.get(ref).rolloutComplete());
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
      PitstopException failure =
          KubeErrors.classify(
              e.getCause() instanceof Exception cause ? cause : new RuntimeException(e.getCause()));
      if (!failure.isTransient()) {
        throw failure;
      }
      // The watch broke on a transient error (a 5xx, a reset connection): the wait is not over,
      // it goes on by reading, each read retried like any other call, until the deadline.
      return poll(recheck);
    } finally {
      wait.cancel(true);
    }
  }

  private boolean poll(BooleanSupplier recheck) {
    while (true) {
      if (recheck.getAsBoolean()) {
        return true;
      }
      Duration left = cluster.deadline().remaining();
      if (left.isZero()) {
        return false;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(left.toMillis(), POLL.toMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PitstopException.transientFailure("interrupted while waiting", e);
      }
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
