package dev.pitstop.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.core.Json;
import java.util.LinkedHashMap;
import java.util.Map;

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

  /**
   * The run record's JSON form: absent fields are left out ({@code key} outside configmap mode).
   */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    putIfSet(json, "mode", mode);
    putIfSet(json, "target", target);
    putIfSet(json, "key", key);
    putIfSet(json, "original", original);
    json.put("active", active);
    return json;
  }

  private static void putIfSet(Map<String, Object> json, String name, Object value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  static MaintenanceRecord fromJson(RecordFields json) {
    return new MaintenanceRecord(
        json.requiredString("mode"),
        json.requiredString("target"),
        json.string("key"),
        json.has("original") ? Json.toNode(json.raw("original")) : null,
        json.requiredBool("active"));
  }
}
