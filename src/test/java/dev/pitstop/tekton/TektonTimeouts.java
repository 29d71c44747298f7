package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.core.Durations;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations and sizes as the shipped YAML writes them, and the rules that tie them together. */
final class TektonTimeouts {
  /**
   * What a TaskRun needs beyond its step's own deadline: scheduling the pod, pulling the image,
   * Tekton's init containers and the JVM's start. A Task timeout closer to the step's deadline
   * could cut the CLI off while it still retries, e.g. after lock has taken the lock.
   */
  static final Duration START_MARGIN = Duration.ofMinutes(3);

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(h|m|s)");
  private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Mi|Gi)");

  private TektonTimeouts() {}

  /** A Tekton (Go) duration such as {@code 1h30m}. */
  static Duration tekton(String text) {
    assertThat(text).as("a Tekton duration").matches("(\\d+[hms])+");
    Duration total = Duration.ZERO;
    Matcher m = GO_DURATION.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
    }
    return total;
  }

  static long bytes(String quantity) {
    Matcher m = QUANTITY.matcher(quantity);
    assertThat(m.matches()).as("a memory quantity in Mi or Gi: %s", quantity).isTrue();
    return Long.parseLong(m.group(1)) << (m.group(2).equals("Gi") ? 30 : 20);
  }

  /** The step's {@code --timeout} and the start margin fit in the Task's timeout. */
  static void assertStepFitsTask(String where, String stepTimeout, String taskTimeout) {
    assertThat(stepTimeout).as("%s gives its step a timeout", where).isNotBlank();
    assertThat(taskTimeout).as("%s has a Tekton timeout", where).isNotBlank();
    Duration step = Durations.parse(stepTimeout);
    assertThat(tekton(taskTimeout))
        .as(
            "%s: Tekton timeout %s leaves the step's %s and %s",
            where, taskTimeout, step, START_MARGIN)
        .isGreaterThanOrEqualTo(step.plus(START_MARGIN));
  }
}
