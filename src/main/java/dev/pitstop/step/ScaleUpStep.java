package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.WorkloadRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Restores the replicas recorded at scale-down, optionally with new images, waits until every
 * rollout is complete, and resumes what scale-down paused: autoscalers first, CronJobs and Argo
 * CD's automated sync once the app is up.
 */
public final class ScaleUpStep {
  private final StepContext context;

  public ScaleUpStep(StepContext context) {
    this.context = context;
  }

  public StepResult scaleUp(List<WorkloadRef> only, Map<String, String> images) {
    Ledger ledger =
        context.ledger().heldOrPreview(context.runId(), context.dryRun(), context.progress());
    List<WorkloadRecord> targets =
        recordedTargets(ledger, only.stream().filter(r -> r.kind().scalable()).toList(), only);
    Set<String> onlyKeys = new HashSet<>();
    only.forEach(r -> onlyKeys.add(r.toString()));
    Predicate<String> inScope = key -> only.isEmpty() || onlyKeys.contains(key);
    List<String> cronJobs =
        ledger.cronJobs().keySet().stream().filter(inScope).collect(Collectors.toList());
    for (WorkloadRef ref : only) {
      if (!ref.kind().scalable() && !ledger.cronJobs().containsKey(ref.toString())) {
        throw PitstopException.usage(
            ref
                + " was not suspended by run "
                + context.runId()
                + "; suspended: "
                + (ledger.cronJobs().isEmpty()
                    ? "none"
                    : String.join(", ", ledger.cronJobs().keySet())));
      }
    }
    if (targets.isEmpty() && cronJobs.isEmpty()) {
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
    Map<WorkloadRef, Workload> current =
        context
            .cluster()
            .workloads(targets.stream().map(t -> WorkloadRef.of(t.kind(), t.name())).toList());
    Map<WorkloadRecord, Map<String, String>> newImages =
        imagesPerWorkload(targets, current, images);

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
      cronJobs.forEach(c -> context.progress().info("dry run: would resume " + c));
      return result(
          "dry run: would scale up " + targets.size() + " workload(s)", targets, cronJobs);
    }

    KeepDown keepDown = new KeepDown(context);
    // The autoscalers go first: KEDA holds a paused target at its paused-replicas count.
    List<String> resumed = new ArrayList<>(keepDown.resumeAutoscalers(ledger, inScope));
    List<WorkloadRef> refs =
        context
            .cluster()
            .forEachConcurrently(
                targets,
                target -> {
                  WorkloadRef ref = WorkloadRef.of(target.kind(), target.name());
                  Map<String, String> annotations = new LinkedHashMap<>();
                  annotations.put(ScaleDownStep.RUN_ANNOTATION, null);
                  Workload updated =
                      context
                          .cluster()
                          .setReplicasAndImages(
                              ref,
                              current.get(ref),
                              target.replicas(),
                              newImages.get(target),
                              annotations);
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
                      .info(
                          "scaled "
                              + ref
                              + " to "
                              + target.replicas()
                              + "; waiting for the rollout");
                  return ref;
                });
    new Rollouts(context.cluster()).awaitReady(refs);
    // Scheduled Jobs and Argo CD's sync come back only once the app is up again.
    resumed.addAll(keepDown.resumeCronJobs(ledger, inScope));
    resumed.addAll(keepDown.resumeArgoCd(ledger, inScope));
    return StepResult.builder(
            "scaled up "
                + targets.size()
                + " workload(s); every rollout is complete"
                + (resumed.isEmpty() ? "" : "; resumed " + String.join(", ", resumed)))
        .field("workloads", String.join(",", keys(targets)))
        .field("replicas", replicas(targets))
        .field("resumed", String.join(",", resumed))
        .build();
  }

  private List<WorkloadRecord> recordedTargets(
      Ledger ledger, List<WorkloadRef> only, List<WorkloadRef> asked) {
    if (asked.isEmpty()) {
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
      List<WorkloadRecord> targets,
      Map<WorkloadRef, Workload> workloads,
      Map<String, String> images) {
    Map<WorkloadRecord, Map<String, String>> perWorkload = new LinkedHashMap<>();
    List<String> unused = new ArrayList<>(images.keySet());
    for (WorkloadRecord target : targets) {
      Workload current =
          java.util.Optional.ofNullable(workloads.get(WorkloadRef.of(target.kind(), target.name())))
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

  private static StepResult result(
      String summary, List<WorkloadRecord> targets, List<String> cronJobs) {
    return StepResult.builder(summary)
        .field("workloads", String.join(",", keys(targets)))
        .field("replicas", replicas(targets))
        .field("resumed", String.join(",", cronJobs))
        .build();
  }

  private static List<String> keys(List<WorkloadRecord> targets) {
    return targets.stream().map(WorkloadRecord::key).toList();
  }

  private static Map<String, Integer> replicas(List<WorkloadRecord> targets) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    targets.forEach(t -> replicas.put(t.key(), t.replicas()));
    return replicas;
  }
}
