package dev.pitstop.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A HorizontalPodAutoscaler that targets a workload the run scaled down.
 *
 * <p>Kubernetes stops an HPA by itself while its target is at 0 replicas, unless the HPA's {@code
 * minReplicas} is 0: such an HPA may scale the target up from zero. Pitstop raises that {@code
 * minReplicas} to 1 for the run ({@code raised}), which makes Kubernetes stop it too, and puts the
 * original back afterwards. HPAs with {@code minReplicas >= 1} are recorded untouched, so {@code
 * status} can say why they stay still.
 *
 * @param name the HPA's name
 * @param target the workload it scales, as {@code kind/name}
 * @param minReplicas {@code spec.minReplicas} before the run ({@code null}: not set, meaning 1)
 * @param raised true when the run raised {@code minReplicas} to 1
 */
public record AutoscalerRecord(String name, String target, Integer minReplicas, boolean raised) {

  /** The value Pitstop holds a scale-from-zero HPA at while the run needs the app down. */
  public static final int HELD_MIN_REPLICAS = 1;

  public String key() {
    return "hpa/" + name;
  }

  /** The run record's JSON form; {@code minReplicas} is written as null when it was not set. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("target", target);
    json.put("minReplicas", minReplicas);
    json.put("raised", raised);
    return json;
  }

  static AutoscalerRecord fromJson(RecordFields json) {
    return new AutoscalerRecord(
        json.requiredString("name"),
        json.string("target"),
        json.integer("minReplicas"),
        json.requiredBool("raised"));
  }
}
