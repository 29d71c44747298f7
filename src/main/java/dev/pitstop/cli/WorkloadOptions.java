package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.Names;
import dev.pitstop.kube.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which workloads a step acts on. */
public final class WorkloadOptions {
  @Option(
      names = "--workload",
      paramLabel = "KIND/NAME",
      split = ",",
      description =
          "A Deployment or StatefulSet (scaled to 0) or a CronJob (suspended), e.g. deployment/web,"
              + " statefulset/worker, cronjob/report. Repeatable, or comma-separated.")
  List<String> workloads = new ArrayList<>();

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "K=V[,K=V...]",
      description =
          "Also every Deployment, StatefulSet and CronJob whose labels match, e.g. app=shop"
              + " (kubectl's app==shop and app in (shop) work too).")
  String selector;

  /** The workloads as given: named ones and a label selector, either may be empty. */
  record Chosen(List<WorkloadRef> named, Map<String, String> selector) {
    boolean any() {
      return !named.isEmpty() || !selector.isEmpty();
    }
  }

  /** Parses the options; malformed names, kinds or selectors are usage errors. */
  Chosen parse() {
    return choose(workloads, selector);
  }

  static Chosen choose(List<String> workloads, String selector) {
    return new Chosen(
        workloads.stream().map(WorkloadRef::parse).toList(),
        selector == null ? Map.of() : Names.selector("--selector", selector));
  }

  /** Like {@link #parse()}, for steps that need at least one workload. */
  Chosen parseRequired() {
    Chosen chosen = parse();
    if (!chosen.any()) {
      throw PitstopException.usage(
          "name the workloads: --workload kind/name and/or --selector k=v");
    }
    return chosen;
  }
}
