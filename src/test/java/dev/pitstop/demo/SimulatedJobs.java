package dev.pitstop.demo;

import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.PitstopCli;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Plays the Job controller and the kubelet for the in-memory API server: a Job's pod "runs" its
 * containers' {@code pitstop} commands in this process, through the real CLI wiring ({@link
 * PitstopCli#execute}) against the same server, with the pod's environment (a Secret's key as the
 * kubelet would give it) and its volumes (ConfigMaps and emptyDirs in a folder of their own per
 * pod). The Job's status follows as the Job controller writes it: a failed pod is replaced until
 * {@code backoffLimit}, and a {@code podFailurePolicy} rule that names the exit code fails the Job
 * at once. Each pod records its container's exit code and termination message.
 */
public final class SimulatedJobs implements AutoCloseable {
  /** One pod of a Job: its container's exit code. */
  public record Attempt(String job, String pod, int exitCode) {}

  private final KubernetesClient client;
  private final Supplier<KubernetesClient> stepClients;
  private final Clock clock;
  private final PrintWriter log;
  private final ExecutorService pods =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "simulated-job");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final Path root;
  private SharedIndexInformer<Job> jobs;

  /**
   * @param client reads Jobs, Secrets and ConfigMaps and writes pods and Job status, as the
   *     controllers do
   * @param stepClients the clients the pods' {@code pitstop} commands get
   * @param log one line per pod started and ended
   */
  public SimulatedJobs(
      KubernetesClient client,
      Supplier<KubernetesClient> stepClients,
      Clock clock,
      PrintWriter log) {
    this.client = client;
    this.stepClients = stepClients;
    this.clock = clock;
    this.log = log;
    try {
      root = Files.createTempDirectory("pitstop-jobs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public SimulatedJobs start() {
    jobs =
        client
            .batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    schedule(job);
                  }

                  @Override
                  public void onUpdate(Job before, Job after) {
                    schedule(after);
                  }

                  @Override
                  public void onDelete(Job job, boolean unknown) {}
                });
    return this;
  }

  /** Every pod run so far, in order. */
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** The pods of Job {@code name} so far. */
  public List<Attempt> attempts(String name) {
    return attempts.stream().filter(a -> a.job().equals(name)).toList();
  }

  private void schedule(Job job) {
    if (ended(job) || !seen.add(job.getMetadata().getUid())) {
      return;
    }
    pods.execute(() -> runQuietly(job));
  }

  private void runQuietly(Job job) {
    try {
      run(job);
    } catch (KubernetesClientException e) {
      // the server is closing, or the Job was deleted under us
      log("job/" + job.getMetadata().getName() + ": " + e.getMessage());
    }
  }

  private void run(Job job) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    int backoffLimit =
        job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    int failed = 0;
    for (int index = 0; ; index++) {
      String podName = name + "-" + index;
      Pod pod = client.pods().inNamespace(ns).resource(pod(job, podName)).create();
      status(job, s -> s.setActive(1));
      int code = execute(job, pod, podName);
      attempts.add(new Attempt(name, podName, code));
      if (code == 0) {
        status(
            job,
            s -> {
              s.setActive(0);
              s.setSucceeded(1);
              s.setCompletionTime(clock.instant().toString());
              s.getConditions().add(condition("Complete", "Completed"));
            });
        return;
      }
      failed++;
      int failures = failed;
      String reason = failJob(job, code) ? "PodFailurePolicy" : null;
      if (reason == null && failed > backoffLimit) {
        reason = "BackoffLimitExceeded";
      }
      String why = reason;
      status(
          job,
          s -> {
            s.setActive(0);
            s.setFailed(failures);
            if (why != null) {
              s.getConditions().add(condition("Failed", why));
            }
          });
      if (why != null) {
        return;
      }
    }
  }

  /** Whether a {@code FailJob} rule of the Job's podFailurePolicy names this exit code. */
  private static boolean failJob(Job job, int code) {
    if (job.getSpec().getPodFailurePolicy() == null) {
      return false;
    }
    for (PodFailurePolicyRule rule : job.getSpec().getPodFailurePolicy().getRules()) {
      if ("FailJob".equals(rule.getAction())
          && rule.getOnExitCodes() != null
          && "In".equals(rule.getOnExitCodes().getOperator())
          && rule.getOnExitCodes().getValues().contains(code)) {
        return true;
      }
    }
    return false;
  }

  private Pod pod(Job job, String podName) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName)
        .withNamespace(job.getMetadata().getNamespace())
        .addToLabels(
            job.getSpec().getTemplate().getMetadata() == null
                    || job.getSpec().getTemplate().getMetadata().getLabels() == null
                ? Map.of()
                : job.getSpec().getTemplate().getMetadata().getLabels())
        .addToLabels("job-name", job.getMetadata().getName())
        .addToLabels("batch.kubernetes.io/job-name", job.getMetadata().getName())
        .addToLabels("controller-uid", job.getMetadata().getUid())
        .addNewOwnerReference()
        .withApiVersion("batch/v1")
        .withKind("Job")
        .withName(job.getMetadata().getName())
        .withUid(job.getMetadata().getUid())
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus()
        .withPhase("Running")
        .withStartTime(clock.instant().toString())
        .endStatus()
        .build();
  }

  /** Runs the pod's init containers, then its container; returns the container's exit code. */
  private int execute(Job job, Pod pod, String podName) {
    String ns = job.getMetadata().getNamespace();
    PodSpec spec = job.getSpec().getTemplate().getSpec();
    Path podDir = root.resolve(ns + "-" + podName);
    Map<String, Path> volumes = volumes(ns, spec, podDir);
    Path terminationLog = podDir.resolve("termination-log");
    for (Container init : spec.getInitContainers()) {
      int code = exec(ns, podName, init, volumes, terminationLog);
      if (code != 0) {
        finishPod(pod, init.getName(), code, "init container " + init.getName() + " failed");
        return code;
      }
    }
    Container main = spec.getContainers().get(0);
    int code = exec(ns, podName, main, volumes, terminationLog);
    String message = "";
    try {
      if (Files.exists(terminationLog)) {
        message = Files.readString(terminationLog, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      message = "";
    }
    if (message.length() > 4096) {
      message = message.substring(0, 4096);
    }
    finishPod(pod, main.getName(), code, message);
    return code;
  }

  private int exec(
      String ns, String podName, Container container, Map<String, Path> volumes, Path log) {
    Map<String, String> mounts = new LinkedHashMap<>();
    container.getVolumeMounts().stream()
        .sorted(Comparator.comparing((VolumeMount m) -> m.getMountPath().length()).reversed())
        .forEach(m -> mounts.put(m.getMountPath(), volumes.get(m.getName()).toString()));
    mounts.put("/dev/termination-log", log.toString());
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      String value = var.getValue();
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        Secret secret =
            client
                .secrets()
                .inNamespace(ns)
                .withName(var.getValueFrom().getSecretKeyRef().getName())
                .get();
        String encoded =
            secret == null || secret.getData() == null
                ? null
                : secret.getData().get(var.getValueFrom().getSecretKeyRef().getKey());
        value =
            encoded == null
                ? null
                : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      }
      if (value != null) {
        env.put(var.getName(), mapped(value, mounts));
      }
    }
    List<String> args = new ArrayList<>();
    container.getArgs().forEach(a -> args.add(mapped(a, mounts)));
    log("pod/" + podName + " " + container.getName() + ": pitstop " + String.join(" ", args));
    PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
    // the container's stderr, as `kubectl logs` would keep it: its last line explains a failure
    java.io.StringWriter errors = new java.io.StringWriter();
    int code =
        PitstopCli.execute(
            new CliEnvironment(env, quiet, new PrintWriter(errors, true), stepClients, clock),
            args.toArray(String[]::new));
    List<String> lines = errors.toString().lines().filter(l -> !l.isBlank()).toList();
    log(
        "pod/"
            + podName
            + " "
            + container.getName()
            + ": exit "
            + code
            + (code == 0 || lines.isEmpty() ? "" : ": " + String.join(" / ", lines)));
    return code;
  }

  private static String mapped(String value, Map<String, String> mounts) {
    for (Map.Entry<String, String> mount : mounts.entrySet()) {
      if (value.contains(mount.getKey())) {
        return value.replace(mount.getKey(), mount.getValue());
      }
    }
    return value;
  }

  /**
   * A folder per volume: a ConfigMap's keys as files, an emptyDir empty. The pod's paths in the
   * files (the config file names /migrations) are the folders', as they would be in a container.
   */
  private Map<String, Path> volumes(String ns, PodSpec spec, Path podDir) {
    Map<String, Path> volumes = new HashMap<>();
    try {
      for (Volume volume : spec.getVolumes()) {
        volumes.put(
            volume.getName(),
            Files.createDirectories(podDir.resolve("volumes").resolve(volume.getName())));
      }
      Map<String, String> mounts = new LinkedHashMap<>();
      java.util.stream.Stream.concat(
              spec.getInitContainers().stream(), spec.getContainers().stream())
          .flatMap(c -> c.getVolumeMounts().stream())
          .sorted(Comparator.comparing((VolumeMount m) -> m.getMountPath().length()).reversed())
          .forEach(m -> mounts.put(m.getMountPath(), volumes.get(m.getName()).toString()));
      for (Volume volume : spec.getVolumes()) {
        if (volume.getConfigMap() != null) {
          ConfigMap configMap =
              client.configMaps().inNamespace(ns).withName(volume.getConfigMap().getName()).get();
          if (configMap != null && configMap.getData() != null) {
            for (Map.Entry<String, String> file : configMap.getData().entrySet()) {
              Files.writeString(
                  volumes.get(volume.getName()).resolve(file.getKey()),
                  mappedAll(file.getValue(), mounts));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return volumes;
  }

  private static String mappedAll(String text, Map<String, String> mounts) {
    String mapped = text;
    for (Map.Entry<String, String> mount : mounts.entrySet()) {
      mapped = mapped.replace(":" + mount.getKey(), ":" + mount.getValue());
    }
    return mapped;
  }

  private void finishPod(Pod pod, String container, int code, String message) {
    Pod current =
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .get();
    if (current == null) {
      return;
    }
    current.getStatus().setPhase(code == 0 ? "Succeeded" : "Failed");
    current
        .getStatus()
        .setContainerStatuses(
            List.of(
                new ContainerStatusBuilder()
                    .withName(container)
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(code)
                    .withReason(code == 0 ? "Completed" : "Error")
                    .withMessage(message)
                    .withFinishedAt(clock.instant().toString())
                    .endTerminated()
                    .endState()
                    .build()));
    client.resource(current).updateStatus();
  }

  private JobCondition condition(String type, String reason) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withLastTransitionTime(clock.instant().toString())
        .build();
  }

  /** Writes the Job's status as the Job controller would, against its current version. */
  private void status(Job job, java.util.function.Consumer<JobStatus> change) {
    for (int attempt = 0; ; attempt++) {
      Job current =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(job.getMetadata().getNamespace())
              .withName(job.getMetadata().getName())
              .get();
      if (current == null || !current.getMetadata().getUid().equals(job.getMetadata().getUid())) {
        return;
      }
      JobStatus status = current.getStatus() == null ? new JobStatus() : current.getStatus();
      if (status.getStartTime() == null) {
        status.setStartTime(clock.instant().toString());
      }
      change.accept(status);
      current.setStatus(status);
      try {
        client.resource(current).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt > 20) {
          throw e;
        }
      }
    }
  }

  private static boolean ended(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    "True".equals(c.getStatus())
                        && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
  }

  private void log(String line) {
    if (log != null) {
      log.println("  [" + Instant.now(clock).toString().substring(11, 19) + "] " + line);
      log.flush();
    }
  }

  @Override
  public void close() {
    if (jobs != null) {
      jobs.close();
    }
    pods.shutdownNow();
  }
}
