package dev.pitstop.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

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
}
