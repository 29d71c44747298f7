package dev.pitstop.cli;

import picocli.CommandLine.Option;

/** Where snapshots are created, renamed and listed from. */
final class MaintenanceDatabaseOption {
  @Option(
      names = "--maintenance-database",
      paramLabel = "NAME",
      defaultValue = "postgres",
      description =
          "Database to connect to for CREATE/ALTER/DROP DATABASE (never the app's own)."
              + " Default: ${DEFAULT-VALUE}.")
  String name;
}
