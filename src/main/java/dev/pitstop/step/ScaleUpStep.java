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
import java.util.List;
import java.util.Map;

/**
 * Restores the replicas recorded at scale-down, optionally with new images, and waits until every
 * rollout is complete.
 */
public final class ScaleUpStep {
  private final StepContext context;

  public ScaleUpStep(StepContext context) {
    this.context = context;
  }

  public StepResult scaleUp(List<WorkloadRef> only, Map<String, String> images) {
    Ledger ledger = context.ledger().requireHeldBy(context.runId());
    List<WorkloadRecord> targets = recordedTargets(ledger, only);
    if (targets.isEmpty()) {
      if (!images.isEmpty()) {
        throw PitstopException.usage(
            "run "
                + context.runId()
                + " has not scaled anything down, so there is nothing to"
                + " start with --image; run scale-down first");
      }
      return StepResult.builder("nothing was scaled down by this run: nothing to do")
          .field("workloads", "")
          .build();
    }
    Map<WorkloadRecord, Map<String, String>> newImages = imagesPerWorkload(targets, images);

    if (context.dryRun()) {
      for (WorkloadRecord target : targets) {
        context
            .progress()
            .info(
                "dry run: would scale "
                    + target.key()
                    + " to "
                    + target.replicas()
                    + (newImages.get(target).isEmpty()
                        ? ""
                        : " with images " + newImages.get(target)));
      }
      return result("dry run: would scale up " + targets.size() + " workload(s)", targets);
    }

    List<WorkloadRef> refs = new ArrayList<>();
    for (WorkloadRecord target : targets) {
      WorkloadRef ref = WorkloadRef.of(target.kind(), target.name());
      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put(ScaleDownStep.RUN_ANNOTATION, null);
      Workload updated =
          context
              .cluster()
              .setReplicasAndImages(ref, target.replicas(), newImages.get(target), annotations);
      context
          .events()
          .changed(
              updated.object(),
              "ScaledUp",
              "scaled to "
                  + target.replicas()
                  + (newImages.get(target).isEmpty()
                      ? ""
                      : " with images " + newImages.get(target)));
      context
          .progress()
          .info("scaled " + ref + " to " + target.replicas() + "; waiting for the rollout");
      refs.add(ref);
    }
    new Rollouts(context.cluster()).awaitReady(refs);
    return result(
        "scaled up " + targets.size() + " workload(s); every rollout is complete", targets);
  }

  private List<WorkloadRecord> recordedTargets(Ledger ledger, List<WorkloadRef> only) {
    if (only.isEmpty()) {
      return new ArrayList<>(ledger.workloads().values());
    }
    List<WorkloadRecord> targets = new ArrayList<>();
    for (WorkloadRef ref : only) {
      WorkloadRecord record = ledger.workloads().get(ref.toString());
      if (record == null) {
        throw PitstopException.usage(
            ref
                + " was not scaled down by run "
                + context.runId()
                + ", so no replica count is recorded for it; recorded: "
                + (ledger.workloads().isEmpty()
                    ? "none"
                    : String.join(", ", ledger.workloads().keySet())));
      }
      targets.add(record);
    }
    return targets;
  }

  /**
   * Which of the requested images apply to which workload; an image for no container is an error.
   */
  private Map<WorkloadRecord, Map<String, String>> imagesPerWorkload(
      List<WorkloadRecord> targets, Map<String, String> images) {
    Map<WorkloadRecord, Map<String, String>> perWorkload = new LinkedHashMap<>();
    List<String> unused = new ArrayList<>(images.keySet());
    for (WorkloadRecord target : targets) {
      Workload current =
          context
              .cluster()
              .workload(WorkloadRef.of(target.kind(), target.name()))
              .orElseThrow(
                  () ->
                      PitstopException.failed(
                          target.key()
                              + " no longer exists; it was recorded with "
                              + target.replicas()
                              + " replicas"));
      Map<String, String> applicable = new LinkedHashMap<>();
      images.forEach(
          (container, image) -> {
            if (current.images().containsKey(container)) {
              applicable.put(container, image);
              unused.remove(container);
            }
          });
      perWorkload.put(target, applicable);
    }
    if (!unused.isEmpty()) {
      throw PitstopException.usage(
          "--image names container(s) "
              + unused
              + " that none of the workloads has; containers: "
              + targets.stream().map(WorkloadRecord::images).map(Map::keySet).toList());
    }
    return perWorkload;
  }

  private static StepResult result(String summary, List<WorkloadRecord> targets) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    targets.forEach(t -> replicas.put(t.key(), t.replicas()));
    return StepResult.builder(summary)
        .field("workloads", String.join(",", replicas.keySet()))
        .field("replicas", replicas)
        .build();
  }
}
