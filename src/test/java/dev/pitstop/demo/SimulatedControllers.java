package dev.pitstop.demo;

import dev.pitstop.kube.Selectors;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the Deployment and StatefulSet controllers and the kubelet for the in-memory API server,
 * which has none: pods appear and disappear to match {@code spec.replicas}, one per workload per
 * {@link #podDelay}, old-template pods are replaced, and status fields follow. Like the real
 * controllers, it works from watches (an informer per kind keeps a copy of the namespace's
 * Deployments, StatefulSets and pods), so a tick with nothing to do sends no request, and it syncs
 * several workloads at a time. A pod it created or deleted counts as such until the watch shows it,
 * as the real ReplicaSet controller's expectations do, so a slow watch never makes it create or
 * delete a pod twice.
 *
 * <p>Faults: containers whose image is in {@link #crashingImages} never become ready (their pods
 * wait in CrashLoopBackOff); pods of workloads in {@link #stuckWorkloads} never terminate.
 */
public final class SimulatedControllers implements AutoCloseable {
  public static final String HASH_LABEL = "pod-template-hash";

  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

  /** Workloads are synced this many at a time, as kube-controller-manager's default does. */
  private static final int CONCURRENT_SYNCS = 5;

  private final java.util.concurrent.ExecutorService workers =
      Executors.newFixedThreadPool(CONCURRENT_SYNCS);
  private final Map<String, Instant> lastPodChange = new ConcurrentHashMap<>();

  /** How long a create or delete the watch has not shown yet is still counted. */
  private static final Duration EXPECTATION_TTL = Duration.ofSeconds(10);

  /** Pods created that the pod watch has not shown yet, by name. */
  private final Map<String, Created> created = new ConcurrentHashMap<>();

  /** Pods deleted that the pod watch still shows, by name. */
  private final Map<String, Instant> deleted = new ConcurrentHashMap<>();

  /** Each workload's pod-template hash, by kind/name, with the generation it was computed at. */
  private final Map<String, Hashed> templateHashes = new ConcurrentHashMap<>();

  private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
  private SharedIndexInformer<Deployment> deployments;
  private SharedIndexInformer<StatefulSet> statefulSets;
  private SharedIndexInformer<Pod> podCache;

  private record Created(Pod pod, Instant at) {}

  private record Hashed(Object generation, String hash) {}

  /** Set by every watch event and by work left for later; a tick with it unset does nothing. */
  private final java.util.concurrent.atomic.AtomicBoolean dirty =
      new java.util.concurrent.atomic.AtomicBoolean(true);

  /**
   * The resourceVersion each workload's last status write was made against: until the watch shows a
   * newer version, the write is not written again.
   */
  private final Map<String, String> statusWrittenAt = new ConcurrentHashMap<>();

  private final Set<String> crashingImages = ConcurrentHashMap.newKeySet();
  private final Set<String> stuckWorkloads = ConcurrentHashMap.newKeySet();
  private volatile Duration podDelay = Duration.ZERO;

  public SimulatedControllers(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public SimulatedControllers start() {
    deployments = client.apps().deployments().inNamespace(namespace).inform(markDirty());
    informers.add(deployments);
    statefulSets = client.apps().statefulSets().inNamespace(namespace).inform(markDirty());
    informers.add(statefulSets);
    podCache = client.pods().inNamespace(namespace).inform(markDirty());
    informers.add(podCache);
    ticker.scheduleWithFixedDelay(this::reconcileQuietly, 0, 25, TimeUnit.MILLISECONDS);
    return this;
  }

  public SimulatedControllers podDelay(Duration delay) {
    this.podDelay = delay;
    dirty.set(true);
    return this;
  }

  private <T extends HasMetadata>
      io.fabric8.kubernetes.client.informers.ResourceEventHandler<T> markDirty() {
    return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        dirty.set(true);
      }

      @Override
      public void onUpdate(T before, T after) {
        dirty.set(true);
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        dirty.set(true);
      }
    };
  }

  public SimulatedControllers crashingImage(String image) {
    crashingImages.add(image);
    dirty.set(true);
    return this;
  }

  public SimulatedControllers stuckPods(String workloadName) {
    stuckWorkloads.add(workloadName);
    dirty.set(true);
    return this;
  }

  public SimulatedControllers releasePods(String workloadName) {
    stuckWorkloads.remove(workloadName);
    dirty.set(true);
    return this;
  }

  private void reconcileQuietly() {
    try {
      if (!dirty.getAndSet(false)) {
        return;
      }
      List<HasMetadata> workloads = new ArrayList<>();
      workloads.addAll(deployments.getStore().list());
      workloads.addAll(statefulSets.getStore().list());
      if (workloads.isEmpty()) {
        return;
      }
      List<Pod> all = podsAsExpected();
      if (!created.isEmpty() || !deleted.isEmpty()) {
        dirty.set(true); // an expectation may run out with no event to say so
      }
      Map<String, List<Pod>> byLabel = new java.util.HashMap<>();
      for (Pod pod : all) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels != null) {
          labels.forEach(
              (k, v) -> byLabel.computeIfAbsent(k + "=" + v, x -> new ArrayList<>()).add(pod));
        }
      }
      List<java.util.concurrent.Future<?>> syncs = new ArrayList<>();
      for (HasMetadata workload : workloads) {
        LabelSelector selector = selector(workload);
        // the pods that carry one of the selector's labels, then the whole selector
        List<Pod> candidates =
            selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()
                ? all
                : selector.getMatchLabels().entrySet().stream()
                    .findFirst()
                    .map(e -> byLabel.getOrDefault(e.getKey() + "=" + e.getValue(), List.of()))
                    .orElse(all);
        List<Pod> pods =
            new ArrayList<>(
                candidates.stream()
                    .filter(p -> Selectors.matches(selector, p.getMetadata().getLabels()))
                    .toList());
        syncs.add(workers.submit(() -> reconcileOne(workload, pods)));
      }
      for (java.util.concurrent.Future<?> sync : syncs) {
        sync.get();
      }
    } catch (KubernetesClientException | java.util.concurrent.RejectedExecutionException e) {
      // a conflict or a closing server: the next tick tries again
      dirty.set(true);
    } catch (java.util.concurrent.ExecutionException e) {
      // reconcileOne swallows API failures; anything else is a bug worth seeing
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void reconcileOne(HasMetadata workload, List<Pod> pods) {
    try {
      reconcile(workload, pods);
    } catch (KubernetesClientException e) {
      // a conflict or a closing server: the next tick tries again
      statusWrittenAt.remove(workload.getKind() + "/" + workload.getMetadata().getName());
      dirty.set(true);
    }
  }

  private void reconcile(HasMetadata workload, List<Pod> pods) {
    String name = workload.getMetadata().getName();
    String key = workload.getKind() + "/" + name;
    PodTemplateSpec template = template(workload);
    // a spec change bumps the generation (the resourceVersion stands in where there is none)
    Object generation =
        Objects.requireNonNullElse(
            workload.getMetadata().getGeneration(),
            (Object) workload.getMetadata().getResourceVersion());
    String hash =
        templateHashes
            .compute(
                key,
                (k, known) ->
                    known != null && known.generation().equals(generation)
                        ? known
                        : new Hashed(
                            generation,
                            Integer.toHexString(
                                Serialization.asJson(template.getSpec()).hashCode())))
            .hash();
    int desired = Objects.requireNonNullElse(replicas(workload), 1);
    boolean mayChange =
        Duration.between(lastPodChange.getOrDefault(key, Instant.EPOCH), Instant.now())
                .compareTo(podDelay)
            >= 0;
    if (!mayChange) {
      dirty.set(true); // come back once the delay has passed
    } else {
      Pod surplus =
          pods.stream()
              .filter(p -> !hash.equals(p.getMetadata().getLabels().get(HASH_LABEL)))
              .findFirst()
              .orElse(pods.size() > desired ? pods.get(pods.size() - 1) : null);
      if (surplus != null && !stuckWorkloads.contains(name)) {
        client.pods().inNamespace(namespace).resource(surplus).withGracePeriod(0).delete();
        String podName = surplus.getMetadata().getName();
        deleted.put(podName, Instant.now());
        created.remove(podName);
        pods.remove(surplus);
        lastPodChange.put(key, Instant.now());
      } else if (surplus == null && pods.size() < desired) {
        Pod pod =
            client.pods().inNamespace(namespace).resource(newPod(name, template, hash)).create();
        created.put(pod.getMetadata().getName(), new Created(pod, Instant.now()));
        pods.add(pod);
        lastPodChange.put(key, Instant.now());
      }
    }
    updateStatus(workload, pods, hash);
  }

  private Pod newPod(String owner, PodTemplateSpec template, String hash) {
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
    labels.put(HASH_LABEL, hash);
    boolean crashing =
        template.getSpec().getContainers().stream()
            .anyMatch(c -> crashingImages.contains(c.getImage()));
    List<io.fabric8.kubernetes.api.model.ContainerStatus> statuses = new ArrayList<>();
    template
        .getSpec()
        .getContainers()
        .forEach(
            c -> {
              ContainerStatusBuilder status =
                  new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage());
              if (crashingImages.contains(c.getImage())) {
                status
                    .withReady(false)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .endWaiting()
                    .endState();
              } else {
                status.withReady(true).withNewState().withNewRunning().endRunning().endState();
              }
              statuses.add(status.build());
            });
    return new PodBuilder()
        .withNewMetadata()
        .withName(owner + "-" + hash + "-" + UUID.randomUUID().toString().substring(0, 5))
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withSpec(template.getSpec())
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(crashing ? "False" : "True")
        .endCondition()
        .withContainerStatuses(statuses)
        .endStatus()
        .build();
  }

  /**
   * False when this status write was already made against the workload's current resourceVersion
   * and the watch has not shown the result yet; otherwise notes the write.
   */
  private boolean notYetWritten(HasMetadata workload) {
    String rv = workload.getMetadata().getResourceVersion();
    return !Objects.equals(
        statusWrittenAt.put(workload.getKind() + "/" + workload.getMetadata().getName(), rv), rv);
  }

  private void updateStatus(HasMetadata workload, List<Pod> pods, String hash) {
    int total = pods.size();
    int updated =
        (int)
            pods.stream()
                .filter(p -> hash.equals(p.getMetadata().getLabels().get(HASH_LABEL)))
                .count();
    int ready =
        (int)
            pods.stream()
                .filter(p -> hash.equals(p.getMetadata().getLabels().get(HASH_LABEL)))
                .filter(SimulatedControllers::isReady)
                .count();
    Long generation = workload.getMetadata().getGeneration();
    if (workload instanceof Deployment d) {
      DeploymentStatus now = d.getStatus();
      DeploymentStatus next = new DeploymentStatus();
      next.setObservedGeneration(generation);
      next.setReplicas(total);
      next.setUpdatedReplicas(updated);
      next.setReadyReplicas(ready);
      next.setAvailableReplicas(ready);
      if (!next.equals(now) && notYetWritten(workload)) {
        Deployment copy = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).build();
        copy.setStatus(next);
        client.apps().deployments().inNamespace(namespace).resource(copy).updateStatus();
      }
    } else if (workload instanceof StatefulSet s) {
      StatefulSetStatus now = s.getStatus();
      StatefulSetStatus next = new StatefulSetStatus();
      next.setObservedGeneration(generation);
      next.setReplicas(total);
      next.setUpdatedReplicas(updated);
      next.setReadyReplicas(ready);
      next.setAvailableReplicas(ready);
      next.setCurrentReplicas(updated);
      if (!next.equals(now) && notYetWritten(workload)) {
        StatefulSet copy = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder(s).build();
        copy.setStatus(next);
        client.apps().statefulSets().inNamespace(namespace).resource(copy).updateStatus();
      }
    }
  }

  /**
   * The namespace's pods as the watch shows them, with this simulator's own creates and deletes
   * that the watch has not shown yet applied; an expectation the watch confirmed, or one older than
   * {@link #EXPECTATION_TTL}, is dropped.
   */
  private List<Pod> podsAsExpected() {
    Instant stale = Instant.now().minus(EXPECTATION_TTL);
    Map<String, Pod> byName = new LinkedHashMap<>();
    podCache.getStore().list().forEach(p -> byName.put(p.getMetadata().getName(), p));
    created
        .entrySet()
        .removeIf(e -> byName.containsKey(e.getKey()) || e.getValue().at().isBefore(stale));
    deleted
        .entrySet()
        .removeIf(e -> !byName.containsKey(e.getKey()) || e.getValue().isBefore(stale));
    deleted.keySet().forEach(byName::remove);
    created.forEach((podName, pod) -> byName.putIfAbsent(podName, pod.pod()));
    return new ArrayList<>(byName.values());
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static PodTemplateSpec template(HasMetadata workload) {
    return workload instanceof Deployment d
        ? d.getSpec().getTemplate()
        : ((StatefulSet) workload).getSpec().getTemplate();
  }

  private static LabelSelector selector(HasMetadata workload) {
    return workload instanceof Deployment d
        ? d.getSpec().getSelector()
        : ((StatefulSet) workload).getSpec().getSelector();
  }

  private static Integer replicas(HasMetadata workload) {
    return workload instanceof Deployment d
        ? d.getSpec().getReplicas()
        : ((StatefulSet) workload).getSpec().getReplicas();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    ticker.shutdownNow();
    workers.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
