package dev.pitstop.db;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Another client session on a database, as pg_stat_activity shows it. Fields other than the pid,
 * user and application name are {@code null} when the Pitstop user may not see them (PostgreSQL
 * hides them from roles without {@code pg_read_all_stats}).
 */
public record SessionInfo(
    int pid,
    String database,
    String user,
    String applicationName,
    String clientAddress,
    String state,
    OffsetDateTime since) {

  /** One line for a human: who is connected, from where, doing what, since when. */
  public String describe() {
    return "pid "
        + pid
        + " user "
        + orDash(user)
        + " application "
        + (applicationName == null || applicationName.isEmpty() ? "-" : applicationName)
        + " from "
        + orDash(clientAddress)
        + " state "
        + orDash(state)
        + " since "
        + (since == null ? "-" : since.toString());
  }

  /** The same facts as ordered kebab-case fields, for JSON output. */
  public Map<String, Object> toFields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("pid", pid);
    fields.put("database", database);
    fields.put("user", user);
    fields.put("application-name", applicationName);
    fields.put("client-address", clientAddress);
    fields.put("state", state);
    fields.put("since", since == null ? null : since.toString());
    return fields;
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
