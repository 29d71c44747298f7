package dev.pitstop.cli;

import picocli.CommandLine.Option;

/** Whether pending migrations commit together. */
final class AtomicOption {
  @Option(
      names = "--atomic",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Apply all pending migrations in one transaction: all commit or none do (default)."
              + " --no-atomic commits each on its own: needed for CREATE INDEX CONCURRENTLY and"
              + " for an enum value a later migration uses.")
  boolean atomic;
}
