package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.ScaleUpStep;
import dev.pitstop.step.StepContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  @Option(
      names = "--image",
      paramLabel = "CONTAINER=IMAGE",
      description = "Set the image of every container with this name while scaling up. Repeatable.")
  List<String> images = new ArrayList<>();

  private List<WorkloadRef> refs;
  private final Map<String, String> parsedImages = new LinkedHashMap<>();

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
    for (String image : images) {
      int eq = image.indexOf('=');
      if (eq <= 0
          || eq == image.length() - 1
          || image.substring(eq + 1).isBlank()
          || image.substring(eq + 1).chars().anyMatch(Character::isWhitespace)) {
        throw PitstopException.usage(
            "--image '"
                + image
                + "' is malformed: write it as CONTAINER=IMAGE, e.g. web=shop:2.4.0");
      }
      if (parsedImages.put(image.substring(0, eq), image.substring(eq + 1)) != null) {
        throw PitstopException.usage(
            "--image gives container '" + image.substring(0, eq) + "' twice");
      }
    }
  }

  @Override
  StepResult execute(StepContext context) {
    return new ScaleUpStep(context).scaleUp(refs, parsedImages);
  }
}
