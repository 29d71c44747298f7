package dev.pitstop.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A KEDA ScaledObject the run paused with {@code autoscaling.keda.sh/paused-replicas: "0"}.
 *
 * @param name the ScaledObject's name
 * @param target the workload it scales, as {@code kind/name}
 * @param pausedReplicas the annotation's value before the run, {@code null} when it was absent
 */
public record ScaledObjectRecord(String name, String target, String pausedReplicas) {

  public String key() {
    return "scaledobject/" + name;
  }

  /** The run record's JSON form; {@code pausedReplicas} is written as null when it was absent. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("target", target);
    json.put("pausedReplicas", pausedReplicas);
    return json;
  }

  static ScaledObjectRecord fromJson(RecordFields json) {
    return new ScaledObjectRecord(
        json.requiredString("name"), json.string("target"), json.string("pausedReplicas"));
  }
}
