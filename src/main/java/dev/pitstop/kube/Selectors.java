package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Label selectors evaluated in memory, as the API server evaluates them. */
public final class Selectors {
  private Selectors() {}

  /** True when the labels satisfy every matchLabels entry and every matchExpressions entry. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
        if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!matches(requirement, have)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> true; // an operator the API server would have rejected: do not narrow
    };
  }

  /**
   * The matchLabels entries every selector has: a pod any of them selects carries all of them, so
   * they narrow a list or watch on the server without missing any pod.
   */
  static Map<String, String> commonLabels(List<LabelSelector> selectors) {
    Map<String, String> common = null;
    for (LabelSelector selector : selectors) {
      Map<String, String> labels =
          selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
      if (common == null) {
        common = new LinkedHashMap<>(labels);
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(labels.get(e.getKey())));
      }
    }
    return common == null ? Map.of() : common;
  }
}
