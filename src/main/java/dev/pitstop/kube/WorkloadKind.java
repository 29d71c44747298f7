package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.Locale;

/**
 * The kinds of workload Pitstop stops: Deployments and StatefulSets are scaled to 0, CronJobs are
 * suspended.
 */
public enum WorkloadKind {
  DEPLOYMENT("Deployment", "apps/v1"),
  STATEFULSET("StatefulSet", "apps/v1"),
  CRONJOB("CronJob", "batch/v1");

  private final String kubernetesName;
  private final String apiVersion;

  WorkloadKind(String kubernetesName, String apiVersion) {
    this.kubernetesName = kubernetesName;
    this.apiVersion = apiVersion;
  }

  public String kubernetesName() {
    return kubernetesName;
  }

  /** The API group and version Pitstop reads and writes this kind at. */
  public String apiVersion() {
    return apiVersion;
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
                  + "': Pitstop scales deployment/NAME and statefulset/NAME");
    };
  }
}
