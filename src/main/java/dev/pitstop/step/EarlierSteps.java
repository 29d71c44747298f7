package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.StepRecord;
import java.util.List;
import java.util.Optional;

/**
 * What a run that starts part-way ({@code pitstop run --from maintenance-on}) needs from the run
 * record before it changes anything: the record is this run's, and every step before the first one
 * it runs is recorded as done. A pipeline runs those steps in pods of their own under the same run
 * id; a step that failed, was cut off or never ran must not be taken for done, or the run would
 * scale an app down without maintenance on, or migrate without the lock.
 */
public final class EarlierSteps {
  private final StepContext context;

  public EarlierSteps(StepContext context) {
    this.context = context;
  }

  /**
   * The run record, once it says {@code earlier} are done for this run.
   *
   * @param from the first step of this invocation, for the messages
   * @throws PitstopException exit 2 when the record is missing or a step before {@code from} is not
   *     done; exit 3 when another run holds the app; exit 4 when a rollback of this run failed
   *     (nothing may go on until a human has looked)
   */
  public Ledger require(List<String> earlier, String from) {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      throw PitstopException.usage(
          "run --from "
              + from
              + ": app "
              + context.app()
              + " is not locked (no run record "
              + context.ledger().name()
              + "): run "
              + String.join(", ", earlier)
              + " first with --run-id "
              + context.runId()
              + ", or run without --from");
    }
    Ledger ledger = found.get();
    context.ledger().requireOwner(ledger, context.runId());
    RunState state = RunState.of(ledger);
    if (state.rollbackFailed()) {
      throw new PitstopException(
          ExitCode.ROLLBACK_FAILED,
          "run --from "
              + from
              + ": the rollback of run "
              + context.runId()
              + " failed ("
              + ledger.fact(Ledger.ROLLBACK_FAILED).orElse("")
              + "); nothing goes on until it is resolved: `pitstop status --app "
              + context.app()
              + " -n "
              + context.cluster().namespace()
              + "` says what is left");
    }
    for (String step : earlier) {
      Optional<StepRecord> recorded = ledger.step(step);
      if (recorded.isEmpty() || !recorded.get().succeeded()) {
        throw PitstopException.usage(
            "run --from "
                + from
                + ": "
                + step
                + " is not recorded as done for run "
                + context.runId()
                + " ("
                + recorded.map(EarlierSteps::why).orElse("it never ran")
                + "); run it first, or run without --from");
      }
    }
    return ledger;
  }

  /**
   * Whether an earlier invocation already started one of {@code steps}: then this one goes on from
   * the record (the steps are idempotent by run id) instead of checking the inputs anew.
   */
  public static boolean startedAny(Ledger ledger, List<String> steps) {
    return steps.stream().anyMatch(step -> ledger.step(step).isPresent());
  }

  private static String why(StepRecord step) {
    return switch (step.state()) {
      case FAILED -> "it failed" + (step.exitCode() == null ? "" : " with exit " + step.exitCode());
      case RUNNING -> "it started and never ended";
      case SUCCEEDED -> "it succeeded";
    };
  }
}
