package dev.pitstop.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Which cluster a command that is no step talks to ({@code operator}, {@code approve}): the
 * kubeconfig and its context, as kubectl takes them. The steps have the same two in {@link
 * CommonOptions}.
 */
final class KubeconfigOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "The kubeconfig to use. Default: in a pod its ServiceAccount, else kubectl's.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context. Default: its current one.")
  String context;

  /** How to build the client, each request given at most {@code requestTimeout}. */
  CliEnvironment.KubeAccess access(Duration requestTimeout) {
    return new CliEnvironment.KubeAccess(requestTimeout, kubeconfig, context);
  }
}
