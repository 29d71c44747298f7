package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Names;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.ScaleDownStep;
import dev.pitstop.step.StepContext;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "scale-down",
    description =
        "Record, then scale workloads to 0, suspend CronJobs, pause autoscalers; wait for the pods.",
    footer = {
      "%nHPAs and KEDA ScaledObjects that target the workloads are found and paused so they cannot"
          + " scale them up from zero; Argo CD Applications that manage them are warned about, or"
          + " paused with --pause-argocd. scale-up and rollback put everything back as recorded.",
      "%nPods or Jobs still there at the deadline: exit 1 naming them.",
      "%nExample:%n  pitstop scale-down --app shop -n shop --run-id 7f3a9c \\",
      "    --workload deployment/web --workload statefulset/worker"
    })
final class ScaleDownCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin WorkloadOptions workloads;

  @Mixin KeepDownOptions keepDown;

  private List<WorkloadRef> refs;
  private Map<String, String> selector;
  private KeepDown.Options options;

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  @Override
  void validate() {
    refs = workloads.workloads.stream().map(WorkloadRef::parse).toList();
    selector =
        workloads.selector == null ? Map.of() : Names.selector("--selector", workloads.selector);
    if (refs.isEmpty() && selector.isEmpty()) {
      throw PitstopException.usage(
          "name the workloads: --workload kind/name and/or --selector k=v");
    }
    options = keepDown.validated();
  }

  @Override
  StepResult execute(StepContext context) {
    return new ScaleDownStep(context).scaleDown(refs, selector, options);
  }
}
