package dev.pitstop.kube;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Retry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
    this(
        client,
        namespace,
        deadline,
        new Retry(e -> KubeErrors.classify(e, client.getConfiguration().getMasterUrl())));
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
    dev.pitstop.core.Progress.current().debug("API: " + what);
    return retry.call(what, deadline, action);
  }

  /**
   * Reads the object, applies {@code change} and writes it back with the resourceVersion it was
   * read at. A concurrent writer makes the API answer 409; then the object is read again and the
   * change applied to the fresh copy, so nothing anyone else wrote is lost.
   */
  public <T extends HasMetadata> T update(
      String what, Resource<T> resource, UnaryOperator<T> change) {
    return update(what, resource, null, change);
  }

  /**
   * Like {@link #update(String, Resource, UnaryOperator)}, failing with {@code whenMissing} when
   * the object does not exist (instead of a usage error saying it no longer exists).
   */
  public <T extends HasMetadata> T update(
      String what,
      Resource<T> resource,
      UnaryOperator<T> change,
      java.util.function.Supplier<PitstopException> whenMissing) {
    return update(what, resource, null, change, this::write, whenMissing);
  }

  /**
   * Like {@link #update(String, Resource, UnaryOperator)}, starting from {@code known}, a copy read
   * a moment ago, instead of reading the object again. When the copy is stale the API answers 409
   * and the change is applied to a fresh read at once, as {@link #update} would.
   */
  public <T extends HasMetadata> T update(
      String what, Resource<T> resource, T known, UnaryOperator<T> change) {
    return update(what, resource, known, change, this::write, noLongerExists(what));
  }

  private <T extends HasMetadata> T write(T changed) {
    return client.resource(changed).inNamespace(namespace).update();
  }

  private static java.util.function.Supplier<PitstopException> noLongerExists(String what) {
    return () -> PitstopException.usage(what + ": the object no longer exists");
  }

  private <T extends HasMetadata> T update(
      String what,
      Resource<T> resource,
      T known,
      UnaryOperator<T> change,
      UnaryOperator<T> write,
      java.util.function.Supplier<PitstopException> whenMissing) {
    java.util.concurrent.atomic.AtomicBoolean first =
        new java.util.concurrent.atomic.AtomicBoolean(known != null);
    return call(
        what,
        () -> {
          if (first.getAndSet(false)) {
            try {
              return write.apply(change.apply(client.getKubernetesSerialization().clone(known)));
            } catch (KubernetesClientException e) {
              if (e.getCode() != 409) {
                throw e;
              }
            }
          }
          T current = resource.get();
          if (current == null) {
            throw whenMissing.get();
          }
          return write.apply(change.apply(current));
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

  /**
   * The API paths of the built-in kinds read and written as JSON maps (see {@link Workload}):
   * given, so no discovery request is made.
   */
  private static final Map<WorkloadKind, ResourceDefinitionContext> WORKLOAD_PATHS =
      new java.util.EnumMap<>(
          Map.of(
              WorkloadKind.DEPLOYMENT, pathOf(WorkloadKind.DEPLOYMENT),
              WorkloadKind.STATEFULSET, pathOf(WorkloadKind.STATEFULSET),
              WorkloadKind.CRONJOB, pathOf(WorkloadKind.CRONJOB)));

  private static final ResourceDefinitionContext POD_PATH = namespacedApi("", "v1", "Pod", "pods");

  /**
   * Where a namespaced kind lives in the API, given so that reading it as JSON maps needs no
   * discovery request; group "" is the core API.
   */
  public static ResourceDefinitionContext namespacedApi(
      String group, String version, String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  private static ResourceDefinitionContext pathOf(WorkloadKind kind) {
    return namespacedApi(kind.group(), "v1", kind.kubernetesName(), kind.plural());
  }

  /** The namespace's Deployments or StatefulSets, as JSON maps (see {@link Workload}). */
  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      workloadsOf(WorkloadKind kind) {
    if (!kind.scalable()) {
      throw new IllegalArgumentException(kind + " is suspended, not scaled: use cronJob()");
    }
    return objectsOf(kind);
  }

  /** The namespace's objects of {@code kind}, CronJobs included, as JSON maps. */
  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      objectsOf(WorkloadKind kind) {
    return client.genericKubernetesResources(WORKLOAD_PATHS.get(kind)).inNamespace(namespace);
  }

  /**
   * The namespace's pods as JSON maps: waits need only their names and labels, and fabric8's typed
   * pod costs a step's start-up the deserializers of the whole pod spec.
   */
  public NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      podObjects() {
    return client.genericKubernetesResources(POD_PATH).inNamespace(namespace);
  }

  public Resource<GenericKubernetesResource> cronJob(String name) {
    return objectsOf(WorkloadKind.CRONJOB).withName(name);
  }

  /** The Deployment or StatefulSet, or empty when it does not exist. */
  public Optional<Workload> workload(WorkloadRef ref) {
    return Optional.ofNullable(call("read " + ref, () -> resourceOf(ref).get()))
        .map(object -> Workload.of(ref.kind(), object));
  }

  /** The CronJob, or empty when it does not exist. */
  public Optional<GenericKubernetesResource> findCronJob(String name) {
    return Optional.ofNullable(call("read cronjob/" + name, () -> cronJob(name).get()))
        .map(Cluster::identifiedCronJob);
  }

  /** A Deployment or StatefulSet; CronJobs have no replicas and are read with {@link #cronJob}. */
  public Resource<GenericKubernetesResource> resourceOf(WorkloadRef ref) {
    return workloadsOf(ref.kind()).withName(ref.name());
  }

  /** Every CronJob whose labels match the selector, as JSON maps. */
  public List<GenericKubernetesResource> cronJobsMatching(Map<String, String> selector) {
    return call("list cronjobs", () -> objectsOf(WorkloadKind.CRONJOB).withLabels(selector).list())
        .getItems()
        .stream()
        .map(Cluster::identifiedCronJob)
        .toList();
  }

  private static GenericKubernetesResource identifiedCronJob(GenericKubernetesResource cronJob) {
    return ObjectFields.identified(
        cronJob, WorkloadKind.CRONJOB.apiVersion(), WorkloadKind.CRONJOB.kubernetesName());
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
    for (WorkloadKind kind : List.of(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET)) {
      call("list " + kind.plural(), () -> workloadsOf(kind).withLabels(selector).list())
          .getItems()
          .forEach(object -> found.add(Workload.of(kind, object)));
    }
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
        List<GenericKubernetesResource> listed =
            call("list " + kind.plural(), () -> workloadsOf(kind).list()).getItems();
        listed.stream()
            .map(object -> Workload.of(kind, object))
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
    GenericKubernetesResource updated =
        update(
            "update " + ref,
            resourceOf(ref),
            known == null ? null : known.object(),
            current -> {
              Workload view = Workload.of(ref.kind(), current);
              if (replicas != null) {
                view.setReplicas(replicas);
              }
              images.forEach(view::setImage);
              annotations.forEach(
                  (key, value) -> {
                    Map<String, String> now = current.getMetadata().getAnnotations();
                    if (now == null) {
                      now = new java.util.LinkedHashMap<>();
                      current.getMetadata().setAnnotations(now);
                    }
                    if (value == null) {
                      now.remove(key);
                    } else {
                      now.put(key, value);
                    }
                  });
              return current;
            },
            changed -> workloadsOf(ref.kind()).resource(changed).update(),
            noLongerExists("update " + ref));
    return Workload.of(ref.kind(), updated);
  }
}
