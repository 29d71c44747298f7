package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.ledger.StepRecord;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Writes how far each step of a run got into the run record: an attempt's start before the step
 * changes anything, and its end with the outcome. Whatever runs the steps — a pipeline's pods, one
 * {@code run} process, a human in a shell — the record then says which steps are done, which one
 * was cut off, and where the time went; {@code status} and {@code finish} decide from it.
 *
 * <p>Read-only steps ({@code verify}, {@code smoke-test}) record themselves only when they are told
 * the run id and the run holds the lock; they never need the lock to do their work.
 */
public final class StepJournal {
  private final StepContext context;

  public StepJournal(StepContext context) {
    this.context = context;
  }

  /** Whether a step of this invocation is recorded at all: never by a dry run of a change. */
  private boolean records(boolean optional) {
    return context.runId() != null && context.app() != null && (optional || !context.dryRun());
  }

  /**
   * Runs {@code work} as one attempt of {@code step}, recorded before and after.
   *
   * @param optional true for a read-only step, which notes itself even when it was asked for a dry
   *     run (it changes nothing anyway)
   */
  public StepResult around(String step, boolean optional, Supplier<StepResult> work) {
    if (!records(optional) || step.equals(LockStep.STEP)) {
      // lock records itself in the record it creates
      return work.get();
    }
    Instant start = context.clock().instant();
    Before before = begin(step, start);
    if (before == null) {
      return work.get();
    }
    StepResult result;
    try {
      result = work.get();
    } catch (PitstopException e) {
      if (e.exitCode() == ExitCode.USAGE || e.exitCode() == ExitCode.LOCKED) {
        // refused before it changed anything: the record is left as the step found it
        revert(step, before);
      } else {
        end(step, start, false, e.exitCode(), e.getMessage());
      }
      throw e;
    } catch (RuntimeException e) {
      end(step, start, false, ExitCode.FAILED, e.getClass().getSimpleName());
      throw e;
    }
    end(step, start, true, result.exitCode(), firstLine(result.summary()));
    return result;
  }

  /** What the record held before an attempt noted its start. */
  private record Before(StepRecord step, Instant updatedAt) {}

  private Before begin(String step, Instant start) {
    Before[] before = new Before[1];
    try {
      context
          .ledger()
          .update(
              context.runId(),
              l -> {
                before[0] = new Before(l.step(step).orElse(null), l.updatedAt());
                l.stepStarted(step, start);
              });
      return before[0];
    } catch (PitstopException e) {
      if (notHeld(e)) {
        // a read-only step needs no lock; a changing one reports the missing lock itself, after
        // its own checks of the input
        context
            .progress()
            .debug(
                "not noted in the run record: app "
                    + context.app()
                    + " is not locked by run "
                    + context.runId());
        return null;
      }
      throw e;
    }
  }

  private void revert(String step, Before before) {
    try {
      context
          .ledger()
          .revert(context.runId(), l -> l.restoreStep(step, before.step(), before.updatedAt()));
    } catch (PitstopException e) {
      if (!notHeld(e)) {
        context.progress().warn("could not take back the start of " + step + ": " + e.getMessage());
      }
    }
  }

  /**
   * Records the attempt's end. A step that removed the record ({@code unlock}) leaves nothing to
   * write. A failure to write the end of a step that failed must not hide the step's own error, so
   * it is only reported.
   */
  private void end(String step, Instant start, boolean succeeded, int exitCode, String message) {
    if (!succeeded && dev.pitstop.core.Signals.stopping().isPresent()) {
      // the signal interrupted this thread to end the step; the record must still hear of it
      Thread.interrupted();
      exitCode = dev.pitstop.core.Signals.exitCode();
      message = "stopped by " + dev.pitstop.core.Signals.stopping().get();
    }
    int code = exitCode;
    String outcome = message;
    try {
      context
          .ledger()
          .update(
              context.runId(),
              l ->
                  l.stepEnded(
                      step, start, context.clock().instant(), succeeded, code, firstLine(outcome)));
    } catch (PitstopException e) {
      if (notHeld(e)) {
        return;
      }
      if (succeeded) {
        // finish and status trust a step's recorded success: without it the step is not done
        throw e;
      }
      context.progress().warn("could not record the end of " + step + ": " + e.getMessage());
    }
  }

  /** The record is gone or belongs to another run: nothing of this run to write. */
  private static boolean notHeld(PitstopException e) {
    return e.exitCode() == ExitCode.USAGE || e.exitCode() == ExitCode.LOCKED;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return null;
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
