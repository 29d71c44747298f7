package dev.pitstop.cli;

import picocli.CommandLine.Option;

/** The run a mutating step belongs to. */
public final class RunOptions {
  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Id of this run (required); the same id re-runs a step safely. In Argo:"
              + " {{workflow.uid}}; in Tekton: $(context.pipelineRun.uid).")
  String runId;

  @Option(
      names = "--dry-run",
      description = "Print what would change and change nothing; no write reaches the cluster.")
  boolean dryRun;
}
