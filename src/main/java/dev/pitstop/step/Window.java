package dev.pitstop.step;

import dev.pitstop.core.Durations;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The maintenance window: what users pay for, from the moment maintenance went on to the moment it
 * went off, split into the time spent inside Pitstop's steps and the time between them (pods
 * starting, an orchestrator scheduling the next step). Measured from the run record, so a pipeline
 * of one pod per step and {@code run} in one process are measured the same way.
 *
 * @param on when maintenance was switched on
 * @param off when it was switched off, or now while it is still on
 * @param steps each step's time inside the window, in the order they started
 */
public record Window(Instant on, Instant off, List<StepTime> steps) {
  /** One step's share of the window. */
  public record StepTime(String step, Duration inside, int attempts) {}

  /** The fact that holds when maintenance was switched on. */
  public static final String ON_AT = "maintenance-on-at";

  /** The fact that holds when maintenance was switched off again. */
  public static final String OFF_AT = "maintenance-off-at";

  /** The window as the record holds it: closed when maintenance is off again, else up to now. */
  public static Optional<Window> recorded(Ledger ledger, Instant now) {
    return of(ledger, ledger.fact(OFF_AT).map(Instant::parse).orElse(now));
  }

  /** The window of {@code ledger}'s run up to {@code off}; empty when maintenance never went on. */
  public static Optional<Window> of(Ledger ledger, Instant off) {
    Optional<Instant> on = ledger.fact(ON_AT).map(Instant::parse);
    if (on.isEmpty() || off.isBefore(on.get())) {
      return Optional.empty();
    }
    List<StepTime> steps = new ArrayList<>();
    ledger.steps().values().stream()
        .sorted(java.util.Comparator.comparing(StepRecord::started))
        .forEach(
            step -> {
              Duration inside = inside(step, on.get(), off);
              if (!inside.isZero()) {
                steps.add(new StepTime(step.step(), inside, step.attempts()));
              }
            });
    return Optional.of(new Window(on.get(), off, steps));
  }

  /**
   * A step's time inside Pitstop that falls in the window. An ended step counts its time in Pitstop
   * over every attempt, cut to the window; a running one (maintenance-off itself, as it switches
   * off) counts from its start.
   */
  private static Duration inside(StepRecord step, Instant on, Instant off) {
    Duration window = Duration.between(on, off);
    if (step.ended() == null && !step.started().isBefore(off)) {
      // started again once the window had closed (finish, switching off what a one-pod run
      // switched off already): only its earlier attempts can have been inside
      return step.busy().compareTo(window) > 0 ? window : step.busy();
    }
    Instant end = step.ended() == null ? off : step.ended();
    Instant from = step.started().isBefore(on) ? on : step.started();
    Instant to = end.isAfter(off) ? off : end;
    if (!to.isAfter(from)) {
      return Duration.ZERO;
    }
    Duration overlap = Duration.between(from, to);
    if (step.ended() == null) {
      return overlap;
    }
    // earlier attempts (a pipeline's retries) were inside Pitstop too, but not in [from, to]
    Duration earlier = step.busy().minus(Duration.between(step.started(), step.ended()));
    Duration total = earlier.isNegative() ? overlap : overlap.plus(earlier);
    return total.compareTo(window) > 0 ? window : total;
  }

  public Duration total() {
    return Duration.between(on, off);
  }

  /** Time spent inside Pitstop's steps. */
  public Duration inPitstop() {
    Duration sum = steps.stream().map(StepTime::inside).reduce(Duration.ZERO, Duration::plus);
    return sum.compareTo(total()) > 0 ? total() : sum;
  }

  /** The rest: pods starting and orchestrators between steps. */
  public Duration betweenSteps() {
    return total().minus(inPitstop());
  }

  public double seconds() {
    return total().toMillis() / 1000.0;
  }

  /** {@code 42.1s: 3.2s in Pitstop's steps (migrate 2.1s, ...), 38.9s between steps}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    steps.forEach(s -> parts.add(s.step() + " " + Durations.format(s.inside())));
    return Durations.format(total())
        + ": "
        + Durations.format(inPitstop())
        + " in Pitstop's steps ("
        + String.join(", ", parts)
        + "), "
        + Durations.format(betweenSteps())
        + " between steps (pod starts, the orchestrator)";
  }

  /** The JSON breakdown of the {@code window} result. */
  public Map<String, Object> toFields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("on", on.toString());
    fields.put("off", off.toString());
    long total = total().toMillis();
    long inPitstop = inPitstop().toMillis();
    fields.put("total-ms", total);
    fields.put("in-pitstop-ms", inPitstop);
    fields.put("between-steps-ms", total - inPitstop);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (StepTime step : steps) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("step", step.step());
      row.put("in-pitstop-ms", step.inside().toMillis());
      row.put("attempts", step.attempts());
      rows.add(row);
    }
    fields.put("steps", rows);
    return fields;
  }
}
