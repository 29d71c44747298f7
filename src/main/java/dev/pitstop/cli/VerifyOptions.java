package dev.pitstop.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What {@code verify} checks beyond Flyway's own validation. */
final class VerifyOptions {
  @Option(
      names = "--expect-version",
      paramLabel = "VERSION",
      description = "The schema version the database must be at.")
  String expectVersion;

  @Option(
      names = "--check",
      paramLabel = "FILE",
      description = "An SQL assertion file (one row, first column true). Repeatable.")
  List<Path> checks = new ArrayList<>();

  @Option(names = "--allow-pending", description = "Do not fail when migrations are pending.")
  boolean allowPending;
}
