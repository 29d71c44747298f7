package dev.pitstop.operator;

import dev.pitstop.core.Durations;
import dev.pitstop.core.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plan as the operator needs it, small enough for a pod's termination message (the kubelet
 * keeps 4096 bytes): the verdict, the blockers, the workloads, the pending migrations, the downtime
 * of a {@code run}, and a digest of what the run would do, which changes whenever the plan does.
 *
 * <p>The plan's own blocker "the app is locked by another run" is kept apart as {@code lockedBy}:
 * for the operator a lock is a reason to wait, not a reason to refuse.
 *
 * @param exitCode plan's exit code (0 runnable, 5 blockers, 2 bad input, 75 unreachable)
 * @param error plan's one-line error when it did not plan at all
 */
public record PlanSummary(
    int exitCode,
    String error,
    String digest,
    String summary,
    List<String> blockers,
    List<String> warnings,
    List<String> workloads,
    List<String> pending,
    String downtime,
    String lockedBy) {

  /** The kubelet's limit on a termination message. */
  static final int LIMIT = 4096;

  private static final String LOCK_BLOCKER = " is locked by run ";

  /** A plan that did not come, with plan's error. */
  static PlanSummary failed(int exitCode, String error) {
    return new PlanSummary(
        exitCode, error, null, null, List.of(), List.of(), List.of(), List.of(), null, null);
  }

  /** From {@code pitstop plan -o json}'s object. */
  @SuppressWarnings("unchecked")
  public static PlanSummary fromPlan(Map<String, Object> plan) {
    int exitCode = ((Number) plan.getOrDefault("exit-code", 1)).intValue();
    if (!plan.containsKey("schema")) {
      return failed(exitCode, String.valueOf(plan.getOrDefault("error", "plan failed")));
    }
    List<String> blockers = new ArrayList<>();
    String lockedBy = null;
    for (Object blocker : list(plan.get("blockers"))) {
      String text = String.valueOf(blocker);
      if (text.contains(LOCK_BLOCKER)) {
        lockedBy = text;
      } else {
        blockers.add(text);
      }
    }
    if (exitCode == 5 && blockers.isEmpty()) {
      // the lock was the only blocker: the plan is runnable once the other run has ended
      exitCode = 0;
    }
    Map<String, Object> workloadFields = map(plan.get("workloads"));
    List<String> workloads = strings(workloadFields.get("proposed"));
    Map<String, Object> database = map(plan.get("database"));
    List<String> pending = new ArrayList<>();
    for (Object item : list(database.get("pending"))) {
      Map<String, Object> migration = map(item);
      pending.add(
          migration.isEmpty()
              ? String.valueOf(item)
              : "V" + migration.get("version") + " " + migration.get("description"));
    }
    Map<String, Object> digested = new TreeMap<>();
    digested.put("workloads", workloads);
    digested.put("changes", plan.get("changes"));
    digested.put("blockers", blockers);
    digested.put("schema-version", database.get("schema-version"));
    digested.put("pending", pending);
    String summary = String.valueOf(plan.getOrDefault("summary", ""));
    int newline = summary.lastIndexOf('\n');
    return new PlanSummary(
        exitCode,
        null,
        Rendered.sha256(Json.write(digested)).substring(0, 16),
        newline < 0 ? summary : summary.substring(newline + 1),
        blockers,
        strings(plan.get("warnings")),
        workloads,
        pending,
        downtime(map(map(map(plan.get("downtime")).get("orchestrators")).get("run"))),
        lockedBy);
  }

  private static String downtime(Map<String, Object> run) {
    if (!(run.get("low-seconds") instanceof Number low)) {
      return null;
    }
    String from = Durations.format(Duration.ofSeconds(low.longValue()));
    return run.get("high-seconds") instanceof Number high
        ? from + "–" + Durations.format(Duration.ofSeconds(high.longValue()))
        : "at least " + from;
  }

  public boolean planned() {
    return error == null && digest != null;
  }

  public boolean runnable() {
    return planned() && blockers.isEmpty();
  }

  /** The termination message: JSON within {@link #LIMIT} bytes, dropping detail until it fits. */
  public String toMessage() {
    List<String> keptWarnings = new ArrayList<>(warnings);
    List<String> keptPending = new ArrayList<>(pending);
    List<String> keptBlockers = new ArrayList<>(blockers);
    while (true) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("exit-code", exitCode);
      json.put("error", cut(error));
      json.put("digest", digest);
      json.put("summary", cut(summary));
      json.put("blockers", keptBlockers.stream().map(PlanSummary::cut).toList());
      json.put("warnings", keptWarnings.stream().map(PlanSummary::cut).toList());
      json.put("workloads", workloads);
      json.put("pending", keptPending);
      json.put("downtime", downtime);
      json.put("locked-by", cut(lockedBy));
      String text = Json.write(json);
      if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= LIMIT) {
        return text;
      }
      if (!keptWarnings.isEmpty()) {
        keptWarnings.remove(keptWarnings.size() - 1);
      } else if (keptPending.size() > 1) {
        keptPending.remove(keptPending.size() - 1);
      } else if (keptBlockers.size() > 1) {
        keptBlockers.remove(keptBlockers.size() - 1);
      } else {
        return Json.write(Map.of("exit-code", exitCode, "digest", String.valueOf(digest)));
      }
    }
  }

  /** Reads a termination message written by {@link #toMessage()}. */
  public static PlanSummary fromMessage(String message) {
    Map<String, Object> json = map(Json.read(message));
    return new PlanSummary(
        ((Number) json.getOrDefault("exit-code", 1)).intValue(),
        (String) json.get("error"),
        (String) json.get("digest"),
        (String) json.get("summary"),
        strings(json.get("blockers")),
        strings(json.get("warnings")),
        strings(json.get("workloads")),
        strings(json.get("pending")),
        (String) json.get("downtime"),
        (String) json.get("locked-by"));
  }

  private static String cut(String text) {
    return text == null || text.length() <= 300 ? text : text.substring(0, 299) + "…";
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> list ? list : List.of();
  }

  private static List<String> strings(Object value) {
    return list(value).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }
}
