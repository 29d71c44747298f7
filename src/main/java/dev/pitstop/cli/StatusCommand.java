package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.StatusStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    description =
        "One screen: lock holder and age, maintenance, recorded vs current workloads, next step.",
    footer = {"%nRead-only.", "%nExample:%n  pitstop status --app shop -n shop"})
final class StatusCommand extends StepCommand {
  @Override
  String runId() {
    return null;
  }

  @Override
  boolean dryRun() {
    return true;
  }

  @Override
  boolean requiresRunId() {
    return false;
  }

  @Override
  StepResult execute(StepContext context) {
    return new StatusStep(context).status();
  }
}
