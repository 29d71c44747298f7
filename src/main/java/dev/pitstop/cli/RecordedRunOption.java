package dev.pitstop.cli;

import picocli.CommandLine.Option;

/**
 * The run a read-only step belongs to, so its start and end are noted in that run's record: {@code
 * finish} counts a run as complete only when its last step is recorded as done.
 */
public final class RecordedRunOption {
  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Optional: the run this check is a step of. With --app, its start and end are noted in"
              + " that run's record (read by status and finish); nothing else is written.")
  String runId;
}
