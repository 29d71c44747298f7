package dev.pitstop.kube;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Retry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * The Kubernetes API as the steps need it: namespaced reads, optimistic-concurrency updates and
 * retries of transient failures within the step's deadline.
 */
public final class Cluster {
  private final KubernetesClient client;
  private final String namespace;
  private final Deadline deadline;
  private final Retry retry;

  public Cluster(KubernetesClient client, String namespace, Deadline deadline, Retry retry) {
    this.client = client;
    this.namespace = namespace;
    this.deadline = deadline;
    this.retry = retry;
  }

  public Cluster(KubernetesClient client, String namespace, Deadline deadline) {
    this(client, namespace, deadline, new Retry(KubeErrors::classify));
  }

  /**
   * How many workloads are changed at once: enough that 200 workloads take little longer than 10,
   * few enough that the API server's per-client rate limits are not the bottleneck.
   */
  static final int PARALLEL_CHANGES = 16;

  /**
   * Applies {@code change} to every item, at most {@link #PARALLEL_CHANGES} at a time, and returns
   * the results in the items' order. The first failure is rethrown once the others have finished,
   * so no change is left running behind the caller's back.
   */
  public <T, R> List<R> forEachConcurrently(
      List<T> items, java.util.function.Function<T, R> change) {
    if (items.size() <= 1) {
      return items.stream().map(change).toList();
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(Math.min(PARALLEL_CHANGES, items.size()));
    try {
      List<java.util.concurrent.Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> change.apply(item)));
      }
      List<R> results = new ArrayList<>();
      RuntimeException first = null;
      for (java.util.concurrent.Future<R> future : futures) {
        try {
          results.add(future.get());
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof Error fatal) {
            throw fatal;
          }
          if (first == null) {
            first =
                e.getCause() instanceof RuntimeException runtime
                    ? runtime
                    : KubeErrors.classify(new RuntimeException(e.getCause()));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw PitstopException.transientFailure("interrupted", e);
        }
      }
      if (first != null) {
        throw first;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  public Deadline deadline() {
    return deadline;
  }

  /**
   * Runs one API call, retrying transient failures (5xx, 429, 409, unreachable) until the deadline.
   */
  public <T> T call(String what, Callable<T> action) {
    return retry.call(what, deadline, action);
  }

  /**
   * Reads the object, applies {@code change} and writes it back with the resourceVersion it was
   * read at. A concurrent writer makes the API answer 409; then the object is read again and the
   * change applied to the fresh copy, so nothing anyone else wrote is lost.
   */
  public <T extends HasMetadata> T update(
      String what, Resource<T> resource, UnaryOperator<T> change) {
    return call(
        what,
        () -> {
          T current = resource.get();
          if (current == null) {
            throw PitstopException.usage(what + ": the object no longer exists");
          }
          T changed = change.apply(current);
          return client.resource(changed).inNamespace(namespace).update();
        });
  }

  /**
   * Like {@link #update(String, Resource, UnaryOperator)}, starting from {@code known}, a copy read
   * a moment ago, instead of reading the object again. When the copy is stale the API answers 409
   * and the change is applied to a fresh read at once, as {@link #update} would.
   */
  public <T extends HasMetadata> T update(
      String what, Resource<T> resource, T known, UnaryOperator<T> change) {
    if (known == null) {
      return update(what, resource, change);
    }
    java.util.concurrent.atomic.AtomicBoolean first =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    return call(
        what,
        () -> {
          if (first.getAndSet(false)) {
            try {
              T changed = change.apply(client.getKubernetesSerialization().clone(known));
              return client.resource(changed).inNamespace(namespace).update();
            } catch (KubernetesClientException e) {
              if (e.getCode() != 409) {
                throw e;
              }
            }
          }
          T current = resource.get();
          if (current == null) {
            throw PitstopException.usage(what + ": the object no longer exists");
          }
          T changed = change.apply(current);
          return client.resource(changed).inNamespace(namespace).update();
        });
  }

  /**
   * Like {@link #update(String, Resource, UnaryOperator)} for any kind, including custom resources
   * and objects in other namespaces: {@code change} returns the object to write, or {@code null}
   * when the current object already is as wanted, and then nothing is written.
   *
   * @return the object as written, or as read when nothing needed writing; empty when it does not
   *     exist
   */
  public <T extends HasMetadata> Optional<T> updateIfNeeded(
      String what,
      NonNamespaceOperation<T, ?, ? extends Resource<T>> objects,
      String name,
      UnaryOperator<T> change) {
    return Optional.ofNullable(
        call(
            what,
            () -> {
              T current = objects.withName(name).get();
              if (current == null) {
                return null;
              }
              T changed = change.apply(current);
              return changed == null ? current : objects.resource(changed).update();
            }));
  }

  public Resource<Deployment> deployment(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name);
  }

  public Resource<StatefulSet> statefulSet(String name) {
    return client.apps().statefulSets().inNamespace(namespace).withName(name);
  }

  public Resource<CronJob> cronJob(String name) {
    return client.batch().v1().cronjobs().inNamespace(namespace).withName(name);
  }

  /** The Deployment or StatefulSet, or empty when it does not exist. */
  public Optional<Workload> workload(WorkloadRef ref) {
    return Optional.ofNullable(call("read " + ref, () -> resourceOf(ref).get())).map(Workload::of);
  }

  /** The CronJob, or empty when it does not exist. */
  public Optional<CronJob> findCronJob(String name) {
    return Optional.ofNullable(call("read cronjob/" + name, () -> cronJob(name).get()));
  }

  /** A Deployment or StatefulSet; CronJobs have no replicas and are read with {@link #cronJob}. */
  @SuppressWarnings("unchecked")
  public Resource<HasMetadata> resourceOf(WorkloadRef ref) {
    Resource<? extends HasMetadata> resource =
        switch (ref.kind()) {
          case DEPLOYMENT -> deployment(ref.name());
          case STATEFULSET -> statefulSet(ref.name());
          case CRONJOB ->
              throw new IllegalArgumentException(ref + " is suspended, not scaled: use cronJob()");
        };
    return (Resource<HasMetadata>) resource;
  }

  /** Every CronJob whose labels match the selector. */
  public List<WorkloadRef> cronJobsMatching(Map<String, String> selector) {
    return call(
            "list cronjobs",
            () -> client.batch().v1().cronjobs().inNamespace(namespace).withLabels(selector).list())
        .getItems()
        .stream()
        .map(c -> new WorkloadRef(WorkloadKind.CRONJOB, c.getMetadata().getName()))
        .toList();
  }

  /**
   * Lists an API that may not be installed (a CRD such as KEDA's, or an API group the cluster does
   * not serve): a 404 on the list means there is nothing of that kind, not an error.
   */
  public <T> List<T> listIfServed(String what, Callable<List<T>> list) {
    return call(
        "list " + what,
        () -> {
          try {
            return list.call();
          } catch (KubernetesClientException e) {
            if (KubeErrors.isNotFound(e)) {
              return List.of();
            }
            throw e;
          }
        });
  }

  /** Every Deployment and StatefulSet whose labels match the selector. */
  public List<WorkloadRef> workloadsMatching(Map<String, String> selector) {
    return workloadObjectsMatching(selector).stream().map(Workload::ref).toList();
  }

  /** Every Deployment and StatefulSet whose labels match the selector, as listed. */
  public List<Workload> workloadObjectsMatching(Map<String, String> selector) {
    List<Workload> found = new ArrayList<>();
    call(
            "list deployments",
            () -> client.apps().deployments().inNamespace(namespace).withLabels(selector).list())
        .getItems()
        .forEach(d -> found.add(Workload.of(d)));
    call(
            "list statefulsets",
            () -> client.apps().statefulSets().inNamespace(namespace).withLabels(selector).list())
        .getItems()
        .forEach(s -> found.add(Workload.of(s)));
    return found;
  }

  /**
   * The Deployments and StatefulSets named, those that exist: one read for a single workload of a
   * kind, one list of the kind for more, so the number of requests does not grow with the number of
   * workloads.
   */
  public Map<WorkloadRef, Workload> workloads(java.util.Collection<WorkloadRef> refs) {
    Map<WorkloadRef, Workload> found = new java.util.LinkedHashMap<>();
    for (WorkloadKind kind : List.of(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET)) {
      List<WorkloadRef> ofKind = refs.stream().filter(r -> r.kind() == kind).toList();
      if (ofKind.size() == 1) {
        workload(ofKind.get(0)).ifPresent(w -> found.put(w.ref(), w));
      } else if (ofKind.size() > 1) {
        java.util.Set<WorkloadRef> wanted = new java.util.HashSet<>(ofKind);
        List<? extends HasMetadata> listed =
            kind == WorkloadKind.DEPLOYMENT
                ? call(
                        "list deployments",
                        () -> client.apps().deployments().inNamespace(namespace).list())
                    .getItems()
                : call(
                        "list statefulsets",
                        () -> client.apps().statefulSets().inNamespace(namespace).list())
                    .getItems();
        listed.stream()
            .map(Workload::of)
            .filter(w -> wanted.contains(w.ref()))
            .forEach(w -> found.put(w.ref(), w));
      }
    }
    return found;
  }

  /** Pods selected by a workload's selector. */
  public List<Pod> podsOf(Workload workload) {
    return call(
            "list pods of " + workload.ref(),
            () ->
                client.pods().inNamespace(namespace).withLabelSelector(workload.selector()).list())
        .getItems();
  }

  /** Replaces the workload's pod template images and replicas in one optimistic update. */
  public Workload setReplicasAndImages(
      WorkloadRef ref,
      Integer replicas,
      Map<String, String> images,
      Map<String, String> annotations) {
    return setReplicasAndImages(ref, null, replicas, images, annotations);
  }

  /**
   * Like {@link #setReplicasAndImages(WorkloadRef, Integer, Map, Map)}, starting from {@code
   * known}, the workload as just read (or null to read it first).
   */
  public Workload setReplicasAndImages(
      WorkloadRef ref,
      Workload known,
      Integer replicas,
      Map<String, String> images,
      Map<String, String> annotations) {
    HasMetadata updated =
        update(
            "update " + ref,
            resourceOf(ref),
            known == null ? null : known.object(),
            current -> {
              Workload view = Workload.of(current);
              if (replicas != null) {
                view.setReplicas(replicas);
              }
              PodTemplateSpec template = view.template();
              images.forEach(
                  (container, image) ->
                      template.getSpec().getContainers().stream()
                          .filter(c -> c.getName().equals(container))
                          .forEach(c -> c.setImage(image)));
              annotations.forEach(
                  (key, value) -> {
                    Map<String, String> current1 = current.getMetadata().getAnnotations();
                    if (current1 == null) {
                      current1 = new java.util.LinkedHashMap<>();
                      current.getMetadata().setAnnotations(current1);
                    }
                    if (value == null) {
                      current1.remove(key);
                    } else {
                      current1.put(key, value);
                    }
                  });
              return current;
            });
    return Workload.of(updated);
  }
}
