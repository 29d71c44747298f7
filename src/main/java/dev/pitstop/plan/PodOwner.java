package dev.pitstop.plan;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An object that starts pods from a template: what a plan scans for database settings, and what
 * Pitstop can do about it during a migration.
 */
record PodOwner(PodOwner.Kind kind, GenericKubernetesResource object) {

  /** What Pitstop does with an owner of this kind while the app is down. */
  enum Handling {
    /** Scaled to 0 and back ({@code --workload deployment/…}, {@code statefulset/…}). */
    SCALED,
    /** Suspended and resumed ({@code --workload cronjob/…}). */
    SUSPENDED,
    /** Runs to its end; Pitstop neither stops nor starts it. */
    RUNS_ON,
    /** Pitstop cannot stop it: a run that leaves it up migrates under its feet. */
    CANNOT_STOP
  }

  /** The kinds scanned, with where each keeps its pod template. */
  enum Kind {
    DEPLOYMENT("Deployment", Handling.SCALED, "spec", "template"),
    STATEFULSET("StatefulSet", Handling.SCALED, "spec", "template"),
    CRONJOB("CronJob", Handling.SUSPENDED, "spec", "jobTemplate", "spec", "template"),
    JOB("Job", Handling.RUNS_ON, "spec", "template"),
    DAEMONSET("DaemonSet", Handling.CANNOT_STOP, "spec", "template"),
    ROLLOUT("Rollout", Handling.CANNOT_STOP, "spec", "template"),
    SCALEDJOB("ScaledJob", Handling.CANNOT_STOP, "spec", "jobTargetRef", "template");

    private final String kubernetesName;
    private final Handling handling;
    private final String[] template;

    Kind(String kubernetesName, Handling handling, String... template) {
      this.kubernetesName = kubernetesName;
      this.handling = handling;
      this.template = template;
    }

    String kubernetesName() {
      return kubernetesName;
    }

    Handling handling() {
      return handling;
    }
  }

  String name() {
    return object.getMetadata().getName();
  }

  /** {@code deployment/web}: as {@code --workload} and the run record write it. */
  String key() {
    return kind.kubernetesName.toLowerCase(Locale.ROOT) + "/" + name();
  }

  /** The pod template's {@code metadata} and {@code spec}, as read. */
  @SuppressWarnings("unchecked")
  Map<String, Object> template() {
    Object template = object.get((Object[]) kind.template);
    return template instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> podSpec() {
    return template().get("spec") instanceof Map<?, ?> spec ? (Map<String, Object>) spec : Map.of();
  }

  /** The labels the pods get. */
  @SuppressWarnings("unchecked")
  Map<String, String> podLabels() {
    if (template().get("metadata") instanceof Map<?, ?> metadata
        && metadata.get("labels") instanceof Map<?, ?> labels) {
      return (Map<String, String>) labels;
    }
    return Map.of();
  }

  /** Init containers first, then the containers, as the kubelet starts them. */
  List<Map<String, Object>> containers() {
    List<Map<String, Object>> all = new ArrayList<>(list(podSpec().get("initContainers")));
    all.addAll(list(podSpec().get("containers")));
    return all;
  }

  /** The pod's volumes by name. */
  Map<String, Map<String, Object>> volumes() {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Map<String, Object> volume : list(podSpec().get("volumes"))) {
      if (volume.get("name") instanceof String name) {
        volumes.put(name, volume);
      }
    }
    return volumes;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object value) {
    List<Map<String, Object>> items = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> map) {
          items.add((Map<String, Object>) map);
        }
      }
    }
    return items;
  }
}
