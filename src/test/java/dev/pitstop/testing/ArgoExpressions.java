package dev.pitstop.testing;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expression tags ({@code {{=...}}}) the shipped YAML uses, evaluated as Argo's controller does
 * for the forms it writes: comparisons of a lowered workflow parameter with a quoted literal,
 * joined by {@code &&}. Argo evaluates a tag with expr-lang and writes the result into the string
 * as JSON, so a boolean becomes {@code true} or {@code false} (util/template/expression_template.go
 * expressionReplace); a DAG task's {@code when} is then read by govaluate (workflow/controller/
 * steps.go shouldExecute), where the lowercase words are booleans. Any other form is refused, so
 * the tests cannot pass on an expression they do not understand.
 */
public final class ArgoExpressions {
  private static final Pattern TAG = Pattern.compile("\\{\\{=(.*?)}}");
  private static final Pattern COMPARISON =
      Pattern.compile("lower\\(workflow\\.parameters\\.([\\w-]+)\\) (==|!=) '([^']*)'");

  private ArgoExpressions() {}

  /**
   * {@code text} with every expression tag replaced by its value, given the workflow's parameters
   * by name.
   */
  public static String substitute(String text, Map<String, String> workflowParameters) {
    Matcher m = TAG.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          out, String.valueOf(evaluate(m.group(1).replaceAll("\\s+", " "), workflowParameters)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Whether a task with this {@code when} runs; an empty one always does. */
  public static boolean runs(String when, Map<String, String> workflowParameters) {
    if (when.isEmpty()) {
      return true;
    }
    String value = substitute(when, workflowParameters).strip();
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new AssertionError("a `when` this test cannot evaluate: " + when);
    };
  }

  private static boolean evaluate(String expression, Map<String, String> workflowParameters) {
    boolean result = true;
    for (String clause : expression.split("&&")) {
      Matcher c = COMPARISON.matcher(clause.strip());
      if (!c.matches()) {
        throw new AssertionError("an expression this test cannot evaluate: " + expression);
      }
      String value = workflowParameters.get(c.group(1));
      if (value == null) {
        throw new AssertionError("no workflow parameter " + c.group(1) + " in " + expression);
      }
      boolean equal = value.toLowerCase(Locale.ROOT).equals(c.group(3));
      result &= c.group(2).equals("==") == equal;
    }
    return result;
  }
}
