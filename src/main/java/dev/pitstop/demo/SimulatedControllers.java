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
 * controllers, it syncs several workloads at a time.
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
  private final Set<String> crashingImages = ConcurrentHashMap.newKeySet();
  private final Set<String> stuckWorkloads = ConcurrentHashMap.newKeySet();
  private volatile Duration podDelay = Duration.ZERO;

  public SimulatedControllers(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public SimulatedControllers start() {
    ticker.scheduleWithFixedDelay(this::reconcileQuietly, 0, 25, TimeUnit.MILLISECONDS);
    return this;
  }

  public SimulatedControllers podDelay(Duration delay) {
    this.podDelay = delay;
    return this;
  }

  public SimulatedControllers crashingImage(String image) {
    crashingImages.add(image);
    return this;
  }

  public SimulatedControllers stuckPods(String workloadName) {
    stuckWorkloads.add(workloadName);
    return this;
  }

  public SimulatedControllers releasePods(String workloadName) {
    stuckWorkloads.remove(workloadName);
    return this;
  }

  private void reconcileQuietly() {
    try {
      List<HasMetadata> workloads = new ArrayList<>();
      workloads.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
      workloads.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
      if (workloads.isEmpty()) {
        return;
      }
      // one list of the namespace's pods per tick, shared out by selector, as an informer would
      List<Pod> all = client.pods().inNamespace(namespace).list().getItems();
      List<java.util.concurrent.Future<?>> syncs = new ArrayList<>();
      for (HasMetadata workload : workloads) {
        LabelSelector selector = selector(workload);
        List<Pod> pods =
            new ArrayList<>(
                all.stream()
                    .filter(p -> Selectors.matches(selector, p.getMetadata().getLabels()))
                    .toList());
        syncs.add(workers.submit(() -> reconcileOne(workload, pods)));
      }
      for (java.util.concurrent.Future<?> sync : syncs) {
        sync.get();
      }
    } catch (KubernetesClientException | java.util.concurrent.RejectedExecutionException e) {
      // a conflict or a closing server: the next tick tries again
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
    }
  }

  private void reconcile(HasMetadata workload, List<Pod> pods) {
    String name = workload.getMetadata().getName();
    String key = workload.getKind() + "/" + name;
    PodTemplateSpec template = template(workload);
    String hash = Integer.toHexString(Serialization.asJson(template.getSpec()).hashCode());
    int desired = Objects.requireNonNullElse(replicas(workload), 1);
    boolean mayChange =
        Duration.between(lastPodChange.getOrDefault(key, Instant.EPOCH), Instant.now())
                .compareTo(podDelay)
            >= 0;
    if (mayChange) {
      Pod surplus =
          pods.stream()
              .filter(p -> !hash.equals(p.getMetadata().getLabels().get(HASH_LABEL)))
              .findFirst()
              .orElse(pods.size() > desired ? pods.get(pods.size() - 1) : null);
      if (surplus != null && !stuckWorkloads.contains(name)) {
        client.pods().inNamespace(namespace).resource(surplus).withGracePeriod(0).delete();
        pods.remove(surplus);
        lastPodChange.put(key, Instant.now());
      } else if (surplus == null && pods.size() < desired) {
        pods.add(
            client.pods().inNamespace(namespace).resource(newPod(name, template, hash)).create());
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
      if (!next.equals(now)) {
        d.setStatus(next);
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
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
      if (!next.equals(now)) {
        s.setStatus(next);
        client.apps().statefulSets().inNamespace(namespace).resource(s).updateStatus();
      }
    }
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
