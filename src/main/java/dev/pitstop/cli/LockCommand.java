package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.LockStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "lock",
    description = "Take the run lock for an app: create its run record configmap/pitstop-APP.",
    footer = {
      "%nSame --run-id again: exit 0, nothing changes. Held by another run: exit 3.",
      "%nExample:%n  pitstop lock --app shop -n shop --run-id 7f3a9c"
    })
final class LockCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin HolderOption holder;

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  @Override
  StepResult execute(StepContext context) {
    return new LockStep(context).lock(holder.holder(environment().env()));
  }
}
