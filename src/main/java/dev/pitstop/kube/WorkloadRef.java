package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.Locale;

/** A workload named as {@code kind/name}, e.g. {@code deployment/web}. */
public record WorkloadRef(WorkloadKind kind, String name) {

  public static WorkloadRef parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
      throw PitstopException.usage(
          "--workload '" + text + "' is malformed: write it as kind/name, e.g. deployment/web");
    }
    WorkloadKind kind = WorkloadKind.parse(text.substring(0, slash));
    String name = Names.objectName("--workload name", text.substring(slash + 1));
    return new WorkloadRef(kind, name);
  }

  public static WorkloadRef of(String kubernetesKind, String name) {
    return new WorkloadRef(WorkloadKind.parse(kubernetesKind), name);
  }

  /** The ledger key and display form: {@code deployment/web}. */
  @Override
  public String toString() {
    return kind.kubernetesName().toLowerCase(Locale.ROOT) + "/" + name;
  }
}
