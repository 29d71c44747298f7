package dev.pitstop.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which workloads a step acts on. */
public final class WorkloadOptions {
  @Option(
      names = "--workload",
      paramLabel = "KIND/NAME",
      description =
          "A Deployment or StatefulSet, e.g. deployment/web or statefulset/worker. Repeatable.")
  List<String> workloads = new ArrayList<>();

  @Option(
      names = "--selector",
      paramLabel = "K=V[,K=V...]",
      description = "Also every Deployment and StatefulSet whose labels match, e.g. app=shop.")
  String selector;
}
