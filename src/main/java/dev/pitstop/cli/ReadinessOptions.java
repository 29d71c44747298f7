package dev.pitstop.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The workloads {@code smoke-test} waits for before its checks: it changes none of them. */
public final class ReadinessOptions {
  @Option(
      names = "--workload",
      paramLabel = "KIND/NAME",
      split = ",",
      description =
          "Wait until this Deployment or StatefulSet is ready before the checks (needs --app),"
              + " e.g. deployment/web. Repeatable, or comma-separated.")
  List<String> workloads = new ArrayList<>();

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "K=V[,K=V...]",
      description =
          "Also wait for every Deployment and StatefulSet whose labels match, e.g. app=shop.")
  String selector;

  WorkloadOptions.Chosen parse() {
    return WorkloadOptions.choose(workloads, selector);
  }
}
