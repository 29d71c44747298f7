package dev.pitstop.cli;

import dev.pitstop.db.SessionPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What a step that changes the database, or copies or swaps it, does about other sessions on it.
 * Steps that only read ({@code verify}, {@code status}, {@code plan}) do not take these options.
 */
public final class SessionsOptions {
  @Option(
      names = "--terminate-sessions",
      description =
          "End other sessions on the database before changing it, and wait until they are gone."
              + " Without it the step waits for them up to --sessions-timeout, then exits 75.")
  boolean terminateSessions;

  @Option(
      names = "--sessions-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = CommonOptions.DurationConverter.class,
      description = "How long to wait for other sessions to leave. Default: ${DEFAULT-VALUE}.")
  Duration sessionsTimeout;

  public SessionPolicy policy() {
    return terminateSessions
        ? SessionPolicy.terminateWithin(sessionsTimeout)
        : SessionPolicy.waitFor(sessionsTimeout);
  }
}
