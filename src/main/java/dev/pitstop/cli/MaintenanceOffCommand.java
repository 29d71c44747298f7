package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.MaintenanceStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintenance-off",
    description = "Switch maintenance mode off: restore exactly what the run record holds.",
    footer = {
      "%nReads only the run record; nothing recorded (or already off): exit 0.",
      "%nExample:%n  pitstop maintenance-off --app shop -n shop --run-id 7f3a9c"
    })
final class MaintenanceOffCommand extends StepCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--force",
      description =
          "Switch off even though the last rollback failed (only once the app is known healthy).")
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
    return new MaintenanceStep(context).off(force);
  }
}
