package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import picocli.CommandLine.Option;

/** How many snapshots of the database to keep. */
final class KeepOption {
  @Option(
      names = "--keep",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Keep only the N newest Pitstop snapshots of this database, dropping older ones;"
              + " 0 keeps all. Default: ${DEFAULT-VALUE}.")
  int keep;

  int validated() {
    if (keep < 0) {
      throw PitstopException.usage("--keep must be 0 (keep all) or more");
    }
    return keep;
  }
}
