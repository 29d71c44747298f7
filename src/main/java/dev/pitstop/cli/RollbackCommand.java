package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.RollbackStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "rollback",
    description =
        "Undo what the run record says was done: original images and replicas, then wait ready.",
    footer = {
      "%nRollback failure: exit 4; maintenance stays on and the lock stays held.",
      "%nExample:%n  pitstop rollback --app shop -n shop --run-id 7f3a9c"
    })
final class RollbackCommand extends StepCommand {
  @Mixin RunOptions run;

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
    return new RollbackStep(context).rollback();
  }
}
