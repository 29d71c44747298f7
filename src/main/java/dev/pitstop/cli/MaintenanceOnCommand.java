package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.MaintenanceStep;
import dev.pitstop.step.MaintenanceTarget;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "maintenance-on",
    description = "Switch user-visible maintenance mode on, recording the original first.",
    footer = {
      "%nModes:",
      "  configmap  --configmap NAME --key KEY --value VALUE   set a key the app reads",
      "  service    --service NAME --maintenance-selector K=V  send a Service to maintenance pods",
      "  ingress    --ingress NAME --maintenance-backend SVC:PORT  point every Ingress backend at"
          + " a maintenance Service",
      "  httproute  --httproute NAME --maintenance-backend SVC:PORT  point every backendRef of a"
          + " Gateway API HTTPRoute at a maintenance Service (PORT: the Service's port number)",
      "%nExample:%n  pitstop maintenance-on --app shop -n shop --run-id 7f3a9c \\",
      "    --mode service --service shop-web \\",
      "    --maintenance-selector app=maintenance-page"
    })
final class MaintenanceOnCommand extends StepCommand {
  @Mixin RunOptions run;

  @Mixin MaintenanceOptions maintenance;

  private MaintenanceTarget target;

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
    target = maintenance.target();
  }

  @Override
  StepResult execute(StepContext context) {
    return new MaintenanceStep(context).on(target);
  }
}
