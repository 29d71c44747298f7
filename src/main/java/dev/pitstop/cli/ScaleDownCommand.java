package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.ScaleDownStep;
import dev.pitstop.step.StepContext;
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

  private WorkloadOptions.Chosen chosen;
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
    chosen = workloads.parseRequired();
    options = keepDown.validated();
  }

  @Override
  StepResult execute(StepContext context) {
    return new ScaleDownStep(context).scaleDown(chosen.named(), chosen.selector(), options);
  }
}
