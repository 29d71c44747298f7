package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.ScaleUpStep;
import dev.pitstop.step.StepContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "scale-up",
    description =
        "Restore the recorded replicas (optionally with new images) and wait for the rollouts.",
    footer = {
      "%nNot ready by the deadline: exit 1 saying why per workload (e.g. CrashLoopBackOff).",
      "%nExample:%n  pitstop scale-up --app shop -n shop --run-id 7f3a9c \\",
      "    --image web=registry.example.com/shop:2.4.0"
    })
final class ScaleUpCommand extends StepCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--workload",
      paramLabel = "KIND/NAME",
      description = "Only these recorded workloads. Default: every workload this run scaled down.")
  List<String> workloads = new ArrayList<>();

  @Mixin ImageOptions images;

  private List<WorkloadRef> refs;
  private Map<String, String> parsedImages;

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
    refs = workloads.stream().map(WorkloadRef::parse).toList();
    parsedImages = images.parse();
  }

  @Override
  StepResult execute(StepContext context) {
    return new ScaleUpStep(context).scaleUp(refs, parsedImages);
  }
}
