package dev.pitstop.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a workload looked like before the run scaled it down: enough to put it back exactly.
 *
 * @param kind {@code Deployment} or {@code StatefulSet}
 * @param name the workload's name
 * @param replicas {@code spec.replicas} before the run touched it
 * @param images container name to image, before the run touched it
 */
public record WorkloadRecord(String kind, String name, int replicas, Map<String, String> images) {
  public WorkloadRecord {
    images = images == null ? Map.of() : new LinkedHashMap<>(images);
  }

  public String key() {
    return kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }

  /** The run record's JSON form; an entry without {@code images} reads as no images. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("kind", kind);
    json.put("name", name);
    json.put("replicas", replicas);
    json.put("images", images);
    return json;
  }

  static WorkloadRecord fromJson(RecordFields json) {
    return new WorkloadRecord(
        json.requiredString("kind"),
        json.requiredString("name"),
        json.requiredInt("replicas"),
        json.strings("images"));
  }
}
