package dev.pitstop.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.core.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Argo CD Application whose automated sync the run paused, so self-heal cannot undo the
 * scale-down.
 *
 * @param namespace the Application's namespace
 * @param name the Application's name
 * @param syncPolicy its whole {@code spec.syncPolicy} before the run; the run removed only {@code
 *     automated} and puts back only that
 * @param objects the objects of the run it manages, as {@code kind/name}
 */
public record ArgoCdRecord(
    String namespace, String name, JsonNode syncPolicy, List<String> objects) {
  public ArgoCdRecord {
    objects = objects == null ? List.of() : List.copyOf(objects);
  }

  public String key() {
    return "application/" + namespace + "/" + name;
  }

  /** The {@code automated} block the run removed. */
  public JsonNode automated() {
    return syncPolicy == null ? null : syncPolicy.get("automated");
  }

  /** The run record's JSON form. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("namespace", namespace);
    json.put("name", name);
    json.put("syncPolicy", syncPolicy);
    json.put("objects", objects);
    return json;
  }

  static ArgoCdRecord fromJson(RecordFields json) {
    return new ArgoCdRecord(
        json.requiredString("namespace"),
        json.requiredString("name"),
        json.has("syncPolicy") ? Json.toNode(json.raw("syncPolicy")) : null,
        json.stringList("objects"));
  }
}
