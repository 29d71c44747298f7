package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Names;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.ScaleDownStep;
import dev.pitstop.step.StepContext;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "scale-down",
    description =
        "Record replicas and images, scale workloads to 0, wait until their pods are gone.",
    footer = {
      "%nPods still there at the deadline: exit 1 naming them.",
      "%nExample:%n  pitstop scale-down --app shop -n shop --run-id 7f3a9c \\",
      "    --workload deployment/web --workload statefulset/worker"
    })
final class ScaleDownCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin WorkloadOptions workloads;

  private List<WorkloadRef> refs;
  private Map<String, String> selector;

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
  }

  @Override
  StepResult execute(StepContext context) {
    return new ScaleDownStep(context).scaleDown(refs, selector);
  }
}
