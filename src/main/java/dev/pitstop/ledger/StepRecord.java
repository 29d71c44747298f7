package dev.pitstop.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far one step of the run got, written before the step starts and again when it ends. A step
 * that was killed stays {@code running}: the record then says where the run stopped, which is what
 * {@code status} and {@code finish} decide from.
 *
 * @param step the subcommand ({@code scale-down}, {@code migrate}, ...)
 * @param state {@link State}
 * @param started when the latest attempt started
 * @param ended when the last attempt ended; null while running
 * @param attempts how many times the step was started in this run (a pipeline's retries included)
 * @param busy time spent inside Pitstop over every ended attempt (a pod's start is not in it)
 * @param exitCode the last attempt's exit code; null while running
 * @param message the last attempt's one-line outcome; null while running
 */
public record StepRecord(
    String step,
    State state,
    Instant started,
    Instant ended,
    int attempts,
    Duration busy,
    Integer exitCode,
    String message) {

  /** Where a step is. */
  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED;

    String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static State ofJson(String text) {
      for (State state : values()) {
        if (state.json().equals(text)) {
          return state;
        }
      }
      throw new IllegalArgumentException("state is not running, succeeded or failed");
    }
  }

  /** The longest message kept: the record is read by humans and must stay small. */
  static final int MESSAGE_LIMIT = 300;

  public StepRecord {
    busy = busy == null ? Duration.ZERO : busy;
    if (message != null && message.length() > MESSAGE_LIMIT) {
      message = message.substring(0, MESSAGE_LIMIT - 1) + "…";
    }
  }

  /** A step that starts now: its first attempt, or the next one after an earlier attempt ended. */
  public static StepRecord start(StepRecord earlier, String step, Instant now) {
    if (earlier == null) {
      return new StepRecord(step, State.RUNNING, now, null, 1, Duration.ZERO, null, null);
    }
    return new StepRecord(
        step, State.RUNNING, now, null, earlier.attempts + 1, earlier.busy, null, null);
  }

  /**
   * The attempt that started at {@code attemptStart} ended now.
   *
   * @param attemptStart when this process started the attempt, so a pod's start does not count
   * @param succeeded whether the step did its work; {@code rollback --fail-after-rollback} succeeds
   *     with exit code 1
   */
  public StepRecord end(
      Instant attemptStart, Instant now, boolean succeeded, int exitCode, String outcome) {
    Duration took = Duration.between(attemptStart, now);
    return new StepRecord(
        step,
        succeeded ? State.SUCCEEDED : State.FAILED,
        started,
        now,
        attempts,
        busy.plus(took.isNegative() ? Duration.ZERO : took),
        exitCode,
        outcome);
  }

  public boolean succeeded() {
    return state == State.SUCCEEDED;
  }

  /** The run record's JSON form. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("step", step);
    json.put("state", state.json());
    json.put("started", started.toString());
    json.put("ended", ended == null ? null : ended.toString());
    json.put("attempts", attempts);
    json.put("busy-ms", busy.toMillis());
    json.put("exit-code", exitCode);
    json.put("message", message);
    return json;
  }

  static StepRecord fromJson(RecordFields json) {
    String ended = json.string("ended");
    Object busy = json.raw("busy-ms");
    if (busy != null && !(busy instanceof Integer || busy instanceof Long)) {
      throw new IllegalArgumentException("busy-ms is not an integer");
    }
    return new StepRecord(
        json.requiredString("step"),
        State.ofJson(json.requiredString("state")),
        instant(json.requiredString("started")),
        ended == null ? null : instant(ended),
        json.requiredInt("attempts"),
        Duration.ofMillis(busy == null ? 0 : ((Number) busy).longValue()),
        json.integer("exit-code"),
        json.string("message"));
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time");
    }
  }
}
