package dev.pitstop.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CronJob the run suspended, and its {@code spec.suspend} before: {@code null} when the field was
 * not set, so it is put back exactly as it was, absent included.
 *
 * @param name the CronJob's name
 * @param suspend {@code spec.suspend} before the run touched it
 */
public record CronJobRecord(String name, Boolean suspend) {

  public String key() {
    return "cronjob/" + name;
  }

  /** True when the CronJob was suspended before the run, so it stays suspended afterwards. */
  public boolean wasSuspended() {
    return Boolean.TRUE.equals(suspend);
  }

  /** The run record's JSON form; {@code suspend} is written as null when it was not set. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("suspend", suspend);
    return json;
  }

  static CronJobRecord fromJson(RecordFields json) {
    return new CronJobRecord(json.requiredString("name"), json.bool("suspend"));
  }
}
