package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.DatabaseUndo;
import dev.pitstop.step.FinishStep;
import dev.pitstop.step.RunState;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "finish",
    description =
        "End a run from its record: roll back unless the release completed, then maintenance-off"
            + " and unlock.",
    footer = {
      "%nFor an Argo exit hook, a Tekton finally Task, a shell trap or a human. Decides from the run"
          + " record alone: the release is complete when its last step (--last-step) is recorded as"
          + " done; anything else (a failed, stopped or skipped step) is rolled back. A failed"
          + " rollback keeps the app in maintenance and locked (exit 4). Running it again does only"
          + " what is left. Exit 0 once the app is released, migrated or rolled back (result"
          + " 'outcome').",
      "%nExample:%n  pitstop finish --app shop -n shop --run-id 7f3a9c \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop"
    })
final class FinishCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin UndoOptions undo;

  @Option(
      names = "--last-step",
      paramLabel = "STEP",
      defaultValue = RunState.DEFAULT_LAST_STEP,
      description =
          "The step whose recorded success means the release is complete; use your pipeline's last"
              + " forward step. Default: ${DEFAULT-VALUE}.")
  String lastStep;

  @Option(
      names = "--backward-compatible",
      description =
          "The previous app version works on the new schema: without a snapshot, a rollback starts"
              + " it anyway.")
  boolean backwardCompatible;

  @Option(
      names = "--release-on-rollback-failure",
      description =
          "When the rollback fails (or failed before), still switch maintenance off and unlock."
              + " Default: stay in maintenance and keep the lock, so a broken app is never shown.")
  boolean releaseOnRollbackFailure;

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  /** Its parts (rollback, maintenance-off, unlock) are noted one by one. */
  @Override
  boolean journalled() {
    return false;
  }

  @Override
  void validate() {
    if (!RunState.FORWARD.contains(lastStep)) {
      throw dev.pitstop.core.PitstopException.usage(
          "--last-step '"
              + lastStep
              + "' is not a forward step; use one of "
              + String.join(", ", RunState.FORWARD));
    }
  }

  @Override
  StepResult execute(StepContext context) {
    DatabaseUndo database = undo.undo(environment(), common.timeout, context.progress());
    return new FinishStep(context)
        .finish(
            database,
            new FinishStep.Options(lastStep, backwardCompatible, releaseOnRollbackFailure));
  }
}
