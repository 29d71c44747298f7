package dev.pitstop.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
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
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkloadRecord(String kind, String name, int replicas, Map<String, String> images) {
  public WorkloadRecord {
    images = images == null ? Map.of() : new LinkedHashMap<>(images);
  }

  public String key() {
    return kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }
}
