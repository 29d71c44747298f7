package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadKind;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.WorkloadRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records each workload's replicas and images, pauses what could bring the app back up (see {@link
 * KeepDown}), scales the workloads to zero, suspends the CronJobs, and waits until their pods and
 * running Jobs are gone. Anything already recorded by this run keeps its first record, so a retry
 * after a partial scale-down never records zero, or a paused state, as the original.
 */
public final class ScaleDownStep {
  public static final String RUN_ANNOTATION = "pitstop.dev/run-id";

  private final StepContext context;

  public ScaleDownStep(StepContext context) {
    this.context = context;
  }

  /** What the names and the selector resolved to. */
  private record Targets(List<Workload> workloads, List<GenericKubernetesResource> cronJobs) {}

  public StepResult scaleDown(
      List<WorkloadRef> named, Map<String, String> selector, KeepDown.Options options) {
    Ledger ledger =
        context.ledger().heldOrPreview(context.runId(), context.dryRun(), context.progress());
    Targets targets = resolve(named, selector);
    List<Workload> workloads = targets.workloads();

    List<WorkloadRecord> toRecord = new ArrayList<>();
    Map<String, Integer> recordedReplicas = new LinkedHashMap<>();
    for (Workload workload : workloads) {
      WorkloadRecord existing = ledger.workloads().get(workload.ref().toString());
      if (existing == null) {
        WorkloadRecord record =
            new WorkloadRecord(
                workload.ref().kind().kubernetesName(),
                workload.ref().name(),
                workload.replicas(),
                workload.images());
        toRecord.add(record);
        recordedReplicas.put(record.key(), record.replicas());
      } else {
        recordedReplicas.put(existing.key(), existing.replicas());
      }
    }
    KeepDown keepDown = new KeepDown(context);
    KeepDown.Plan plan = keepDown.discover(ledger, workloads, targets.cronJobs(), options);
    plan.warnings().forEach(w -> context.progress().warn(w));
    plan.notes().forEach(n -> context.progress().info(n));
    List<String> cronJobs =
        targets.cronJobs().stream().map(c -> "cronjob/" + c.getMetadata().getName()).toList();

    if (context.dryRun()) {
      plan.changes().forEach(c -> context.progress().info("dry run: would " + c));
      workloads.forEach(
          w ->
              context
                  .progress()
                  .info(
                      "dry run: would record "
                          + w.ref()
                          + " replicas="
                          + recordedReplicas.get(w.ref().toString())
                          + " and scale it from "
                          + w.replicas()
                          + " to 0"));
      if (!targets.cronJobs().isEmpty()) {
        context
            .progress()
            .info(
                "dry run: would "
                    + (options.deleteRunningJobs() ? "delete" : "wait for")
                    + " the running Jobs of "
                    + String.join(", ", cronJobs));
      }
      return result(
          "dry run: would scale down "
              + workloads.size()
              + " workload(s)"
              + (cronJobs.isEmpty() ? "" : " and suspend " + cronJobs.size() + " cronjob(s)"),
          recordedReplicas,
          cronJobs,
          "");
    }

    if (!toRecord.isEmpty() || plan.recordsAnything()) {
      ledger =
          context
              .ledger()
              .update(
                  context.runId(),
                  l -> {
                    toRecord.forEach(l::recordWorkloadIfAbsent);
                    plan.recordInto(l);
                  });
    }
    keepDown.pause(ledger);
    // the pods are watched from before the change, so no deletion can slip past the watch
    try (Rollouts.PodsGone gone = new Rollouts(context.cluster()).watchPodsGone(workloads)) {
      context
          .cluster()
          .forEachConcurrently(
              workloads,
              workload -> {
                boolean already = workload.replicas() == 0;
                Workload updated =
                    context
                        .cluster()
                        .setReplicasAndImages(
                            workload.ref(),
                            workload,
                            0,
                            Map.of(),
                            Map.of(RUN_ANNOTATION, context.runId()));
                if (!already) {
                  context
                      .events()
                      .changed(
                          updated.object(),
                          "ScaledDown",
                          "scaled to 0 (was "
                              + recordedReplicas.get(workload.ref().toString())
                              + ")");
                }
                context
                    .progress()
                    .info(
                        already
                            ? workload.ref() + " is at 0 already; waiting for any pod left"
                            : "scaled " + workload.ref() + " to 0; waiting for its pods to go");
                return updated;
              });
      keepDown.settleJobs(targets.cronJobs(), options.deleteRunningJobs());
      gone.await();
    }
    return result(
        "scaled down "
            + workloads.size()
            + " workload(s)"
            + (cronJobs.isEmpty() ? "" : ", suspended " + cronJobs.size() + " cronjob(s)")
            + "; their pods are gone",
        recordedReplicas,
        cronJobs,
        String.join(",", pausedKeys(ledger)));
  }

  private static List<String> pausedKeys(Ledger ledger) {
    List<String> keys = new ArrayList<>();
    ledger.autoscalers().values().stream().filter(a -> a.raised()).forEach(a -> keys.add(a.key()));
    keys.addAll(ledger.scaledObjects().keySet());
    keys.addAll(ledger.argoCd().keySet());
    return keys;
  }

  /**
   * The workloads and CronJobs the names and the selector resolve to, read-only: what a run would
   * stop. Missing ones are usage errors, as in the step itself.
   */
  public List<String> resolveForCheck(List<WorkloadRef> named, Map<String, String> selector) {
    Targets targets = resolve(named, selector);
    List<String> keys = new ArrayList<>();
    targets.workloads().forEach(w -> keys.add(w.ref().toString()));
    targets.cronJobs().forEach(c -> keys.add("cronjob/" + c.getMetadata().getName()));
    return keys;
  }

  private Targets resolve(List<WorkloadRef> named, Map<String, String> selector) {
    Set<WorkloadRef> refs = new LinkedHashSet<>(named);
    // the objects the selector lists are used as listed, not read again one by one
    Map<WorkloadRef, Workload> listed = new LinkedHashMap<>();
    Map<String, GenericKubernetesResource> listedCronJobs = new LinkedHashMap<>();
    if (selector != null && !selector.isEmpty()) {
      context.cluster().workloadObjectsMatching(selector).forEach(w -> listed.put(w.ref(), w));
      context
          .cluster()
          .cronJobsMatching(selector)
          .forEach(c -> listedCronJobs.put(c.getMetadata().getName(), c));
      List<WorkloadRef> matched = new ArrayList<>(listed.keySet());
      listedCronJobs
          .keySet()
          .forEach(name -> matched.add(new WorkloadRef(WorkloadKind.CRONJOB, name)));
      if (matched.isEmpty() && named.isEmpty()) {
        throw PitstopException.usage(
            "--selector "
                + selector
                + " matches no Deployment, StatefulSet or CronJob in namespace "
                + context.cluster().namespace());
      }
      refs.addAll(matched);
    }
    if (refs.isEmpty()) {
      throw PitstopException.usage(
          "name the workloads: --workload kind/name and/or --selector k=v");
    }
    List<WorkloadRef> toRead =
        refs.stream().filter(r -> r.kind().scalable() && !listed.containsKey(r)).toList();
    Map<WorkloadRef, Workload> found = new LinkedHashMap<>(listed);
    found.putAll(context.cluster().workloads(toRead));
    List<Workload> workloads = new ArrayList<>();
    List<GenericKubernetesResource> cronJobs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (WorkloadRef ref : refs) {
      if (ref.kind().scalable()) {
        if (found.containsKey(ref)) {
          workloads.add(found.get(ref));
        } else {
          missing.add(ref.toString());
        }
      } else if (listedCronJobs.containsKey(ref.name())) {
        cronJobs.add(listedCronJobs.get(ref.name()));
      } else {
        context
            .cluster()
            .findCronJob(ref.name())
            .ifPresentOrElse(cronJobs::add, () -> missing.add(ref.toString()));
      }
    }
    if (!missing.isEmpty()) {
      throw PitstopException.usage(
          String.join(", ", missing)
              + " not found in namespace "
              + context.cluster().namespace()
              + "; nothing was changed");
    }
    return new Targets(workloads, cronJobs);
  }

  private static StepResult result(
      String summary, Map<String, Integer> replicas, List<String> cronJobs, String paused) {
    return StepResult.builder(summary)
        .field("workloads", String.join(",", replicas.keySet()))
        .field("recorded-replicas", replicas)
        .field("cronjobs", String.join(",", cronJobs))
        .field("paused", paused)
        .build();
  }
}
