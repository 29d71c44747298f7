package dev.pitstop.plan;

import dev.pitstop.plan.Consumer.SecretKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options a run of the plan takes, by option name without the dashes ({@code workload}, {@code
 * mode}, {@code jdbc-url}, …) as the config file writes them: the one source of the config file,
 * the {@code argo submit} command and the Tekton PipelineRun that {@code --emit} prints.
 */
final class Proposal {
  private final Map<String, Object> options = new LinkedHashMap<>();
  private final Map<String, String> reasons = new LinkedHashMap<>();
  private SecretKey password;

  /**
   * Sets an option.
   *
   * @param value a String, a Boolean, or a List of Strings for a repeatable option; null removes
   * @param why why the plan proposes it, or null when it was given
   */
  Proposal put(String option, Object value, String why) {
    if (value == null || value instanceof List<?> list && list.isEmpty()) {
      options.remove(option);
      reasons.remove(option);
      return this;
    }
    options.put(option, value instanceof List<?> list ? List.copyOf(list) : value);
    if (why != null) {
      reasons.put(option, why);
    }
    return this;
  }

  Object get(String option) {
    return options.get(option);
  }

  boolean has(String option) {
    return options.containsKey(option);
  }

  boolean isTrue(String option) {
    return Boolean.TRUE.equals(options.get(option));
  }

  /** Every option, in the order set. */
  Map<String, Object> options() {
    return Collections.unmodifiableMap(options);
  }

  /** Why each proposed (not given) option is there. */
  Map<String, String> reasons() {
    return Collections.unmodifiableMap(reasons);
  }

  /** Where the database password comes from, when a Secret of a consumer holds it. */
  SecretKey password() {
    return password;
  }

  void password(SecretKey key) {
    this.password = key;
  }

  /** The value as the flags and pipeline parameters take it: one value per entry. */
  static List<String> values(Object value) {
    List<String> values = new ArrayList<>();
    if (value instanceof List<?> list) {
      list.forEach(v -> values.add(String.valueOf(v)));
    } else {
      values.add(String.valueOf(value));
    }
    return values;
  }
}
