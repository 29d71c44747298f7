package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.Locale;

/**
 * The kinds of workload Pitstop stops: Deployments and StatefulSets are scaled to 0, CronJobs are
 * suspended.
 */
public enum WorkloadKind {
  DEPLOYMENT("Deployment", "apps"),
  STATEFULSET("StatefulSet", "apps"),
  CRONJOB("CronJob", "batch");

  private final String kubernetesName;
  private final String group;

  WorkloadKind(String kubernetesName, String group) {
    this.kubernetesName = kubernetesName;
    this.group = group;
  }

  public String kubernetesName() {
    return kubernetesName;
  }

  /** The API group of this kind; Pitstop reads and writes every kind at version {@code v1}. */
  public String group() {
    return group;
  }

  /** {@code group/v1}, as objects of this kind carry it. */
  public String apiVersion() {
    return group + "/v1";
  }

  /** The resource's name in API paths: {@code deployments}, {@code statefulsets}, ... */
  public String plural() {
    return kubernetesName.toLowerCase(Locale.ROOT) + "s";
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
                  + "': Pitstop scales deployment/NAME and statefulset/NAME and suspends"
                  + " cronjob/NAME");
    };
  }
}
