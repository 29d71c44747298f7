package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.DatabaseUndo;
import dev.pitstop.step.RollbackStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "rollback",
    description =
        "Undo what the run record says was done: restore the snapshot, original images and replicas.",
    footer = {
      "%nWithout a snapshot, a changed schema only gets the previous app version back with"
          + " --backward-compatible. Rollback failure: exit 4; maintenance stays on and the lock"
          + " stays held.",
      "%nExample:%n  pitstop rollback --app shop -n shop --run-id 7f3a9c \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop"
    })
final class RollbackCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin UndoOptions undo;

  @Option(
      names = "--backward-compatible",
      description =
          "The previous app version works on the new schema: without a snapshot, start it anyway.")
  boolean backwardCompatible;

  @Option(
      names = "--fail-after-rollback",
      description =
          "Exit 1 once the rollback has succeeded, so a pipeline whose failure this rollback"
              + " handled still ends Failed (Argo counts a handled failure as success).")
  boolean failAfterRollback;

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
    DatabaseUndo database = undo.undo(environment(), common.timeout, context.progress());
    StepResult result = new RollbackStep(context).rollback(database, backwardCompatible);
    if (!failAfterRollback || run.dryRun) {
      return result;
    }
    StepResult.Builder failed =
        StepResult.builder(
                result.summary()
                    + "; ending with exit 1 (--fail-after-rollback): the run that needed this"
                    + " rollback failed")
            .exitCode(dev.pitstop.core.ExitCode.FAILED);
    result.fields().forEach(failed::field);
    return failed.build();
  }
}
