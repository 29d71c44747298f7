package dev.pitstop.cli;

import dev.pitstop.core.StepResult;
import dev.pitstop.step.LockStep;
import dev.pitstop.step.StepContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "lock",
    description = "Take the run lock for an app: create its run record configmap/pitstop-APP.",
    footer = {
      "%nSame --run-id again: exit 0, nothing changes. Held by another run: exit 3.",
      "%nExample:%n  pitstop lock --app shop -n shop --run-id 7f3a9c"
    })
final class LockCommand extends StepCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--holder",
      paramLabel = "TEXT",
      description =
          "Who holds the lock, shown to other runs. Default: the pod's hostname, or user@host.")
  String holder;

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
    return new LockStep(context).lock(holder != null ? holder : defaultHolder());
  }

  private String defaultHolder() {
    String host = environment().env().getOrDefault("HOSTNAME", "");
    if (host.isEmpty()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "unknown-host";
      }
    }
    String user = environment().env().get("USER");
    return user == null || user.isEmpty() ? host : user + "@" + host;
  }
}
