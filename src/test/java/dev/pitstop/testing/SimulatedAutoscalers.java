package dev.pitstop.testing;

import dev.pitstop.kube.ArgoCd;
import dev.pitstop.kube.Autoscalers;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays, for the in-memory API server, the controllers that fight a scale-down, each as the real
 * one behaves:
 *
 * <ul>
 *   <li>the HPA controller: scales its target to the load's {@link #demand}, within min and max; a
 *       target at 0 replicas is left alone unless {@code minReplicas} is 0;
 *   <li>KEDA: scales a ScaledObject's target to the demand within {@code minReplicaCount} (default
 *       0) and {@code maxReplicaCount}; {@code paused-replicas} holds the target at that count,
 *       {@code paused: "true"} stops it;
 *   <li>the CronJob controller: an unsuspended CronJob starts a Job whenever none of its Jobs is
 *       running; Jobs complete after {@link #jobDuration}, or never;
 *   <li>Argo CD self-heal: an Application in namespace {@code argocd} whose automated sync has
 *       {@code selfHeal: true} puts the replicas of the workloads it tracks back to "Git".
 * </ul>
 */
public final class SimulatedAutoscalers implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Integer> gitReplicas = new ConcurrentHashMap<>();
  private final Map<String, Instant> jobStarts = new ConcurrentHashMap<>();
  private final AtomicInteger jobsStarted = new AtomicInteger();
  private volatile int demand;
  private volatile Duration jobDuration = Duration.ofMillis(300);
  private volatile boolean jobsNeverFinish;

  public SimulatedAutoscalers(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public SimulatedAutoscalers start() {
    ticker.scheduleWithFixedDelay(this::tick, 0, 25, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The replicas the load asks the autoscalers for. */
  public SimulatedAutoscalers demand(int replicas) {
    this.demand = replicas;
    return this;
  }

  public SimulatedAutoscalers jobDuration(Duration duration) {
    this.jobDuration = duration;
    return this;
  }

  public SimulatedAutoscalers jobsNeverFinish() {
    this.jobsNeverFinish = true;
    return this;
  }

  /** What Git says {@code kind/name} runs with, for Argo CD's self-heal. */
  public SimulatedAutoscalers gitReplicas(String workload, int replicas) {
    gitReplicas.put(workload, replicas);
    return this;
  }

  public int jobsStarted() {
    return jobsStarted.get();
  }

  private void tick() {
    quietly(this::hpas);
    quietly(this::keda);
    quietly(this::cronJobs);
    quietly(this::jobs);
    quietly(this::argoCd);
  }

  private static void quietly(Runnable controller) {
    try {
      controller.run();
    } catch (RuntimeException e) {
      // an API that is not installed, a conflict or a closing server: the next tick tries again
    }
  }

  private void hpas() {
    for (HorizontalPodAutoscaler listed :
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(namespace)
            .list()
            .getItems()) {
      String kind = listed.getSpec().getScaleTargetRef().getKind();
      String name = listed.getSpec().getScaleTargetRef().getName();
      HasMetadata target = object(kind, name);
      HorizontalPodAutoscaler hpa =
          client
              .autoscaling()
              .v2()
              .horizontalPodAutoscalers()
              .inNamespace(namespace)
              .withName(listed.getMetadata().getName())
              .get();
      if (target == null || hpa == null) {
        continue;
      }
      int min = Objects.requireNonNullElse(hpa.getSpec().getMinReplicas(), 1);
      if (replicas(target) == 0 && min != 0) {
        continue; // ScalingDisabled: the target is at 0 and minReplicas is not 0
      }
      scale(target, clamp(demand, min, hpa.getSpec().getMaxReplicas()));
    }
  }

  @SuppressWarnings("unchecked")
  private void keda() {
    for (GenericKubernetesResource listed :
        client
            .genericKubernetesResources(Autoscalers.SCALED_OBJECTS)
            .inNamespace(namespace)
            .list()
            .getItems()) {
      Map<String, Object> ref =
          (Map<String, Object>)
              ((Map<String, Object>) listed.getAdditionalProperties().get("spec"))
                  .get("scaleTargetRef");
      HasMetadata target =
          object((String) ref.getOrDefault("kind", "Deployment"), (String) ref.get("name"));
      GenericKubernetesResource so =
          client
              .genericKubernetesResources(Autoscalers.SCALED_OBJECTS)
              .inNamespace(namespace)
              .withName(listed.getMetadata().getName())
              .get();
      if (target == null || so == null) {
        continue;
      }
      Map<String, Object> spec = (Map<String, Object>) so.getAdditionalProperties().get("spec");
      String pausedReplicas = Autoscalers.annotation(so, Autoscalers.PAUSED_REPLICAS);
      if (pausedReplicas != null) {
        scale(target, Integer.parseInt(pausedReplicas));
      } else if (!"true".equals(Autoscalers.annotation(so, Autoscalers.KEDA_PAUSED))) {
        int min = ((Number) spec.getOrDefault("minReplicaCount", 0)).intValue();
        int max = ((Number) spec.getOrDefault("maxReplicaCount", 100)).intValue();
        scale(target, clamp(demand, min, max));
      }
    }
  }

  private void cronJobs() {
    List<Job> jobs = client.batch().v1().jobs().inNamespace(namespace).list().getItems();
    for (CronJob cronJob :
        client.batch().v1().cronjobs().inNamespace(namespace).list().getItems()) {
      if (Boolean.TRUE.equals(cronJob.getSpec().getSuspend())) {
        continue;
      }
      String uid = cronJob.getMetadata().getUid();
      boolean running =
          jobs.stream()
              .filter(j -> j.getMetadata().getOwnerReferences().get(0).getUid().equals(uid))
              .anyMatch(j -> j.getStatus() == null || j.getStatus().getConditions().isEmpty());
      if (!running) {
        String name = cronJob.getMetadata().getName() + "-" + jobsStarted.incrementAndGet();
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .resource(
                new JobBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .addNewOwnerReference()
                    .withApiVersion("batch/v1")
                    .withKind("CronJob")
                    .withName(cronJob.getMetadata().getName())
                    .withUid(uid)
                    .withController(true)
                    .endOwnerReference()
                    .endMetadata()
                    .withNewSpec()
                    .withNewTemplate()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("job")
                    .withImage("report:1.0")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build())
            .create();
        jobStarts.put(name, Instant.now());
      }
    }
  }

  private void jobs() {
    for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
      Instant started = jobStarts.get(job.getMetadata().getName());
      boolean done = job.getStatus() != null && !job.getStatus().getConditions().isEmpty();
      if (done
          || started == null
          || jobsNeverFinish
          || Duration.between(started, Instant.now()).compareTo(jobDuration) < 0) {
        continue;
      }
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(job.getMetadata().getName())
          .editStatus(
              j -> {
                j.setStatus(
                    new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                        .withSucceeded(1)
                        .withConditions(
                            new JobConditionBuilder()
                                .withType("Complete")
                                .withStatus("True")
                                .build())
                        .build());
                return j;
              });
    }
  }

  @SuppressWarnings("unchecked")
  private void argoCd() {
    // the workloads are read before the Applications, so a decision is never newer than its target
    Map<String, HasMetadata> live = new java.util.LinkedHashMap<>();
    gitReplicas.forEach(
        (workload, replicas) -> {
          HasMetadata object =
              object(
                  workload.substring(0, workload.indexOf('/')),
                  workload.substring(workload.indexOf('/') + 1));
          if (object != null) {
            live.put(workload, object);
          }
        });
    if (live.isEmpty()) {
      return;
    }
    for (GenericKubernetesResource app :
        client
            .genericKubernetesResources(ArgoCd.APPLICATIONS)
            .inNamespace(ArgoCd.DEFAULT_NAMESPACE)
            .list()
            .getItems()) {
      Map<String, Object> policy = ArgoCd.syncPolicy(app);
      if (!ArgoCd.automatedSyncOn(app)
          || !Boolean.TRUE.equals(
              ((Map<String, Object>) policy.get("automated")).get("selfHeal"))) {
        continue;
      }
      live.forEach(
          (workload, object) -> {
            if (ArgoCd.trackingOf(object, ArgoCd.DEFAULT_NAMESPACE)
                .filter(t -> t.name().equals(app.getMetadata().getName()))
                .isPresent()) {
              scale(object, gitReplicas.get(workload));
            }
          });
    }
  }

  private HasMetadata object(String kind, String name) {
    return kind.equalsIgnoreCase("statefulset")
        ? client.apps().statefulSets().inNamespace(namespace).withName(name).get()
        : client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static int replicas(HasMetadata workload) {
    Integer replicas =
        workload instanceof StatefulSet s
            ? s.getSpec().getReplicas()
            : ((Deployment) workload).getSpec().getReplicas();
    return Objects.requireNonNullElse(replicas, 1);
  }

  /**
   * Sets the replicas of {@code target} as read before the controller read its own object, and only
   * if nothing changed it since (as the real controllers write the scale subresource with the
   * resourceVersion they read): a decision made on stale state ends in a 409, and the next tick
   * decides again.
   */
  private void scale(HasMetadata target, int replicas) {
    if (replicas(target) == replicas) {
      return;
    }
    if (target instanceof StatefulSet s) {
      s.getSpec().setReplicas(replicas);
      client.apps().statefulSets().inNamespace(namespace).resource(s).update();
    } else {
      Deployment d = (Deployment) target;
      d.getSpec().setReplicas(replicas);
      client.apps().deployments().inNamespace(namespace).resource(d).update();
    }
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
