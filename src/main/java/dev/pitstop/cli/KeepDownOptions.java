package dev.pitstop.cli;

import dev.pitstop.kube.ArgoCd;
import dev.pitstop.kube.Names;
import dev.pitstop.step.KeepDown;
import picocli.CommandLine.Option;

/** How scale-down keeps the app down against the controllers that would bring it back. */
public final class KeepDownOptions {
  @Option(
      names = "--delete-running-jobs",
      description =
          "Delete the Jobs the suspended CronJobs are running (and, in the foreground, their pods)"
              + " instead of waiting for them to finish.")
  boolean deleteRunningJobs;

  @Option(
      names = "--pause-argocd",
      description =
          "Pause the automated sync (and so self-heal) of the Argo CD Applications that manage the"
              + " workloads until scale-up or rollback, recording their syncPolicy first. Needs the"
              + " opt-in Argo CD Role. Default: only warn.")
  boolean pauseArgoCd;

  @Option(
      names = "--argocd-namespace",
      paramLabel = "NAMESPACE",
      defaultValue = ArgoCd.DEFAULT_NAMESPACE,
      description =
          "Namespace of the Argo CD Applications, unless the tracking id names one"
              + " (namespace_app). Default: ${DEFAULT-VALUE}.")
  String argoCdNamespace;

  /** The options, checked; a bad namespace is a usage error. */
  KeepDown.Options validated() {
    Names.label("--argocd-namespace", argoCdNamespace);
    return new KeepDown.Options(deleteRunningJobs, pauseArgoCd, argoCdNamespace);
  }
}
