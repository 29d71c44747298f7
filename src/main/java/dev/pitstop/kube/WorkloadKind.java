package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.Locale;

/** The kinds of workload Pitstop scales. */
public enum WorkloadKind {
  DEPLOYMENT("Deployment"),
  STATEFULSET("StatefulSet");

  private final String kubernetesName;

  WorkloadKind(String kubernetesName) {
    this.kubernetesName = kubernetesName;
  }

  public String kubernetesName() {
    return kubernetesName;
  }

  public static WorkloadKind parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "deployment", "deployments", "deploy" -> DEPLOYMENT;
      case "statefulset", "statefulsets", "sts" -> STATEFULSET;
      default ->
          throw PitstopException.usage(
              "unknown workload kind '"
                  + text
                  + "': Pitstop scales deployment/NAME and statefulset/NAME");
    };
  }
}
