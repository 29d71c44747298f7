package dev.pitstop.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The user-visible object maintenance mode changed and what it held before.
 *
 * @param mode {@code configmap}, {@code service}, {@code ingress} or {@code httproute}
 * @param target the name of the ConfigMap, Service, Ingress or HTTPRoute
 * @param key the ConfigMap key (configmap mode only)
 * @param original what the object held before: the key's value (JSON null when the key was absent),
 *     the Service selector, the Ingress backends, or each HTTPRoute rule's backendRefs
 * @param active true while maintenance is on; maintenance-off restores {@code original} and clears
 *     it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MaintenanceRecord(
    String mode, String target, String key, JsonNode original, boolean active) {

  public MaintenanceRecord withActive(boolean nowActive) {
    return new MaintenanceRecord(mode, target, key, original, nowActive);
  }

  public String describeTarget() {
    return switch (mode) {
      case "configmap" -> "configmap/" + target + " key " + key;
      case "service" -> "service/" + target;
      case "httproute" -> "httproute/" + target;
      default -> "ingress/" + target;
    };
  }
}
