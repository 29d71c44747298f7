package dev.pitstop.plan;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The namespace's pods by IP address, each with the workload that owns it: how a session in {@code
 * pg_stat_activity} is traced back to a workload. A Deployment's pods are owned by a ReplicaSet
 * named after the Deployment and the pod's {@code pod-template-hash} label (so no ReplicaSet needs
 * to be read), a CronJob's by a Job the CronJob owns.
 */
final class PodIndex {
  /** A pod and the workload key ({@code deployment/web}) it belongs to, or {@code pod/NAME}. */
  record PodAt(String pod, String owner) {}

  private final Map<String, PodAt> byIp = new HashMap<>();

  PodIndex(List<GenericKubernetesResource> pods, List<GenericKubernetesResource> jobs) {
    Map<String, String> jobOwners = new HashMap<>();
    for (GenericKubernetesResource job : jobs) {
      controller(job)
          .filter(o -> "CronJob".equals(o.getKind()))
          .ifPresent(o -> jobOwners.put(job.getMetadata().getName(), "cronjob/" + o.getName()));
    }
    for (GenericKubernetesResource pod : pods) {
      String name = pod.getMetadata().getName();
      String owner = ownerOf(pod, jobOwners).orElse("pod/" + name);
      PodAt at = new PodAt(name, owner);
      if (pod.get("status", "podIP") instanceof String ip && !ip.isEmpty()) {
        byIp.put(ip, at);
      }
      if (pod.get("status", "podIPs") instanceof List<?> ips) {
        for (Object item : ips) {
          if (item instanceof Map<?, ?> entry && entry.get("ip") instanceof String ip) {
            byIp.put(ip, at);
          }
        }
      }
    }
  }

  Optional<PodAt> byIp(String ip) {
    return Optional.ofNullable(ip == null ? null : byIp.get(ip));
  }

  private static Optional<String> ownerOf(
      GenericKubernetesResource pod, Map<String, String> jobOwners) {
    Optional<OwnerReference> controller = controller(pod);
    if (controller.isEmpty()) {
      return Optional.empty();
    }
    OwnerReference owner = controller.get();
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return switch (owner.getKind()) {
      case "ReplicaSet" -> {
        for (String[] hash :
            new String[][] {
              {"pod-template-hash", "deployment/"}, {"rollouts-pod-template-hash", "rollout/"}
            }) {
          String value = labels.get(hash[0]);
          if (value != null && owner.getName().endsWith("-" + value)) {
            yield Optional.of(
                hash[1]
                    + owner.getName().substring(0, owner.getName().length() - value.length() - 1));
          }
        }
        yield Optional.of("replicaset/" + owner.getName());
      }
      case "Job" -> Optional.of(jobOwners.getOrDefault(owner.getName(), "job/" + owner.getName()));
      default -> Optional.of(owner.getKind().toLowerCase(Locale.ROOT) + "/" + owner.getName());
    };
  }

  private static Optional<OwnerReference> controller(GenericKubernetesResource object) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    if (owners == null) {
      return Optional.empty();
    }
    return owners.stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst()
        .or(() -> owners.stream().findFirst());
  }
}
