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
          "A Deployment or StatefulSet (scaled to 0) or a CronJob (suspended), e.g. deployment/web,"
              + " statefulset/worker, cronjob/report. Repeatable.")
  List<String> workloads = new ArrayList<>();

  @Option(
      names = "--selector",
      paramLabel = "K=V[,K=V...]",
      description =
          "Also every Deployment, StatefulSet and CronJob whose labels match, e.g. app=shop.")
  String selector;
}
