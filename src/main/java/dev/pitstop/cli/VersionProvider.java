package dev.pitstop.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, written there by the build. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = PitstopCli.class.getPackage().getImplementationVersion();
    return new String[] {
      "pitstop " + (version == null ? "(development build)" : version),
      "Java " + System.getProperty("java.version")
    };
  }
}
