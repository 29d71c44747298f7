package dev.pitstop.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A CronJob the run suspended, and its {@code spec.suspend} before: {@code null} when the field was
 * not set, so it is put back exactly as it was, absent included.
 *
 * @param name the CronJob's name
 * @param suspend {@code spec.suspend} before the run touched it
 */
public record CronJobRecord(String name, @JsonInclude(JsonInclude.Include.ALWAYS) Boolean suspend) {

  public String key() {
    return "cronjob/" + name;
  }

  /** True when the CronJob was suspended before the run, so it stays suspended afterwards. */
  public boolean wasSuspended() {
    return Boolean.TRUE.equals(suspend);
  }
}
