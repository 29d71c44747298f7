package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.StepContext;
import dev.pitstop.step.UnlockStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "unlock",
    description = "Release the run lock: delete the run record, if this run holds it.",
    footer = {
      "%nNot locked: exit 0. Held by another run: exit 3, unless --force.",
      "%nExample:%n  pitstop unlock --app shop -n shop --run-id 7f3a9c"
    })
final class UnlockCommand extends StepCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--force",
      description =
          "Release the lock even if another run holds it (its run record is lost), or after a"
              + " failed rollback. Only when that run is known to be dead and the app healthy.")
  boolean force;

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
    return new UnlockStep(context).unlock(force);
  }
}
