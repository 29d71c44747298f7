package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.WorkloadRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records each workload's replicas and images, scales it to zero, and waits until its pods are
 * gone. A workload already recorded by this run keeps its first record, so a retry after a partial
 * scale-down never records zero.
 */
public final class ScaleDownStep {
  public static final String RUN_ANNOTATION = "pitstop.dev/run-id";

  private final StepContext context;

  public ScaleDownStep(StepContext context) {
    this.context = context;
  }

  public StepResult scaleDown(List<WorkloadRef> named, Map<String, String> selector) {
    Ledger ledger = context.ledger().requireHeldBy(context.runId());
    List<Workload> workloads = resolve(named, selector);

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

    if (context.dryRun()) {
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
      return result(
          "dry run: would scale down " + workloads.size() + " workload(s)", recordedReplicas);
    }

    if (!toRecord.isEmpty()) {
      context.ledger().update(context.runId(), l -> toRecord.forEach(l::recordWorkloadIfAbsent));
    }
    List<Workload> scaled = new ArrayList<>();
    for (Workload workload : workloads) {
      boolean already = workload.replicas() == 0;
      Workload updated =
          context
              .cluster()
              .setReplicasAndImages(
                  workload.ref(), 0, Map.of(), Map.of(RUN_ANNOTATION, context.runId()));
      scaled.add(updated);
      if (!already) {
        context
            .events()
            .changed(
                updated.object(),
                "ScaledDown",
                "scaled to 0 (was " + recordedReplicas.get(workload.ref().toString()) + ")");
      }
      context.progress().info("scaled " + workload.ref() + " to 0; waiting for its pods to go");
    }
    new Rollouts(context.cluster()).awaitPodsGone(scaled);
    return result(
        "scaled down " + workloads.size() + " workload(s); their pods are gone", recordedReplicas);
  }

  private List<Workload> resolve(List<WorkloadRef> named, Map<String, String> selector) {
    Set<WorkloadRef> refs = new LinkedHashSet<>(named);
    if (selector != null && !selector.isEmpty()) {
      List<WorkloadRef> matched = context.cluster().workloadsMatching(selector);
      if (matched.isEmpty() && named.isEmpty()) {
        throw PitstopException.usage(
            "--selector "
                + selector
                + " matches no Deployment or StatefulSet in namespace "
                + context.cluster().namespace());
      }
      refs.addAll(matched);
    }
    if (refs.isEmpty()) {
      throw PitstopException.usage(
          "name the workloads: --workload kind/name and/or --selector k=v");
    }
    List<Workload> workloads = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (WorkloadRef ref : refs) {
      context
          .cluster()
          .workload(ref)
          .ifPresentOrElse(workloads::add, () -> missing.add(ref.toString()));
    }
    if (!missing.isEmpty()) {
      throw PitstopException.usage(
          String.join(", ", missing)
              + " not found in namespace "
              + context.cluster().namespace()
              + "; nothing was changed");
    }
    return workloads;
  }

  private static StepResult result(String summary, Map<String, Integer> replicas) {
    return StepResult.builder(summary)
        .field("workloads", String.join(",", replicas.keySet()))
        .field("recorded-replicas", replicas)
        .build();
  }
}
