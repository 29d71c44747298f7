package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.Locale;

/**
 * The kinds of workload Pitstop stops: Deployments and StatefulSets are scaled to 0, CronJobs are
 * suspended.
 */
public enum WorkloadKind {
  DEPLOYMENT("Deployment"),
  STATEFULSET("StatefulSet"),
  CRONJOB("CronJob");

  private final String kubernetesName;

  WorkloadKind(String kubernetesName) {
    this.kubernetesName = kubernetesName;
  }

  public String kubernetesName() {
    return kubernetesName;
  }

  /** True for kinds with replicas and pods of their own; a CronJob is suspended instead. */
  public boolean scalable() {
    return this != CRONJOB;
  }

  public static WorkloadKind parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "deployment", "deployments", "deploy" -> DEPLOYMENT;
      case "statefulset", "statefulsets", "sts" -> STATEFULSET;
      case "cronjob", "cronjobs", "cj" -> CRONJOB;
      default ->
          throw PitstopException.usage(
              "unknown workload kind '"
                  + text
                  + "': Pitstop scales deployment/NAME and statefulset/NAME");
    };
  }
}
