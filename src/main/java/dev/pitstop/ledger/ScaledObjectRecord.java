package dev.pitstop.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A KEDA ScaledObject the run paused with {@code autoscaling.keda.sh/paused-replicas: "0"}.
 *
 * @param name the ScaledObject's name
 * @param target the workload it scales, as {@code kind/name}
 * @param pausedReplicas the annotation's value before the run, {@code null} when it was absent
 */
public record ScaledObjectRecord(
    String name, String target, @JsonInclude(JsonInclude.Include.ALWAYS) String pausedReplicas) {

  public String key() {
    return "scaledobject/" + name;
  }
}
