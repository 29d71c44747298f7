package dev.pitstop.procedure;

import dev.pitstop.core.Durations;
import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.Retry;
import dev.pitstop.core.Signals;
import dev.pitstop.core.StepResult;
import dev.pitstop.procedure.Procedure.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes {@link Procedure} in one process: the forward steps in order, the rollback when one of
 * them fails, and always the closing steps — except after a failed rollback, when the app stays in
 * maintenance and locked. When unlock fails after maintenance-off, maintenance goes back on, so a
 * run never ends with users back on an app that is still locked. A step that exits 75 is retried
 * with backoff.
 */
public final class ProcedureRunner {
  /** One step's work: the same code the step's subcommand calls. */
  @FunctionalInterface
  public interface Action {
    StepResult run();
  }

  /** How a step ended. */
  public enum State {
    SUCCEEDED,
    FAILED,
    SKIPPED,
    NOT_RUN
  }

  /** One line of the summary. */
  public record StepOutcome(
      String step, State state, Duration duration, int exitCode, String message) {}

  /** The run's end: its exit code and every step's outcome, in the order they were considered. */
  public record Outcome(int exitCode, String summary, List<StepOutcome> steps) {
    /**
     * Every step's state in one short line, {@code scale-down=succeeded,migrate=failed(1),...}: a
     * pipeline's result that shows each step of a one-pod run, far below Tekton's 4096 bytes.
     */
    public String states() {
      List<String> states = new ArrayList<>();
      for (StepOutcome step : steps) {
        String state = step.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        if (step.state() == State.FAILED) {
          state += "(" + step.exitCode() + ")";
        }
        states.add(step.step() + "=" + state);
      }
      return String.join(",", states);
    }
  }

  /**
   * How the runner behaves.
   *
   * @param stepTimeout each step's {@code --timeout}: a step retries transient failures itself
   *     until then, so one that exits 75 after using all of it is not started again (a dead cluster
   *     would otherwise cost every retry its own wait); one that exits 75 quickly (a lock timeout,
   *     sessions still connected) is
   * @param stepTimeouts the steps whose deadline is not {@code stepTimeout} (a long migration)
   * @param from the first step to run; the steps before it were done by earlier processes of the
   *     same run (a pipeline's pods), and the caller has checked the run record says so
   * @param unlock false to stop after maintenance-off and leave the lock to whatever ends the run
   *     (a pipeline's finish)
   */
  public record Settings(
      boolean snapshot,
      int retries,
      Duration firstBackoff,
      boolean keepLockOnRollbackFailure,
      Duration stepTimeout,
      Map<String, Duration> stepTimeouts,
      Step from,
      boolean unlock) {
    public Settings {
      stepTimeouts = Map.copyOf(stepTimeouts);
    }

    /** The whole procedure, every step with the same deadline. */
    public Settings(
        boolean snapshot,
        int retries,
        Duration firstBackoff,
        boolean keepLockOnRollbackFailure,
        Duration stepTimeout) {
      this(
          snapshot,
          retries,
          firstBackoff,
          keepLockOnRollbackFailure,
          stepTimeout,
          Map.of(),
          Procedure.LOCK,
          true);
    }

    /** The deadline of one step. */
    public Duration timeoutOf(String step) {
      return stepTimeouts.getOrDefault(step, stepTimeout);
    }

    public Settings from(Step first, boolean unlockAtTheEnd) {
      return new Settings(
          snapshot,
          retries,
          firstBackoff,
          keepLockOnRollbackFailure,
          stepTimeout,
          stepTimeouts,
          first,
          unlockAtTheEnd);
    }

    public Settings withStepTimeouts(Map<String, Duration> timeouts) {
      return new Settings(
          snapshot,
          retries,
          firstBackoff,
          keepLockOnRollbackFailure,
          stepTimeout,
          timeouts,
          from,
          unlock);
    }
  }

  private final Map<String, Action> actions;
  private final Settings settings;
  private final Progress progress;
  private final Clock clock;
  private final Retry.Sleeper sleeper;
  private final List<StepOutcome> outcomes = new ArrayList<>();

  public ProcedureRunner(
      Map<String, Action> actions,
      Settings settings,
      Progress progress,
      Clock clock,
      Retry.Sleeper sleeper) {
    this.actions = new LinkedHashMap<>(actions);
    this.settings = settings;
    this.progress = progress;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  public Outcome run() {
    List<Step> forward = Procedure.forwardFrom(settings.from(), settings.snapshot());
    if (settings.from() == Procedure.LOCK) {
      StepOutcome lock = attempt(Procedure.LOCK);
      if (lock.state() != State.SUCCEEDED) {
        forward.subList(1, forward.size()).forEach(this::notRun);
        notRun(Procedure.ROLLBACK);
        Procedure.CLOSING.forEach(this::notRun);
        return finish(lock.exitCode(), "not started: " + lock.message());
      }
      forward = forward.subList(1, forward.size());
    }
    StepOutcome failed = null;
    for (Step step : forward) {
      if (failed != null) {
        notRun(step);
        continue;
      }
      StepOutcome outcome = attempt(step);
      if (Signals.stopping().isPresent()) {
        return stopped(step, forward);
      }
      if (outcome.state() == State.FAILED) {
        failed = outcome;
      }
    }
    if (!settings.snapshot()
        && Procedure.FORWARD.indexOf(settings.from())
            <= Procedure.FORWARD.indexOf(Procedure.SNAPSHOT)) {
      skipped(Procedure.SNAPSHOT, "snapshot off");
    }
    boolean rollbackFailed = false;
    if (failed == null) {
      skipped(Procedure.ROLLBACK, "nothing failed");
    } else {
      rollbackFailed = attempt(Procedure.ROLLBACK).state() == State.FAILED;
    }
    if (rollbackFailed && settings.keepLockOnRollbackFailure()) {
      Procedure.CLOSING.forEach(
          step -> skipped(step, "rollback failed: the app stays in maintenance and locked"));
      return finish(
          ExitCode.ROLLBACK_FAILED,
          failed.step()
              + " failed and the rollback failed too: the app stays in maintenance and locked;"
              + " run `pitstop status` for what is left");
    }
    StepOutcome off = attempt(Procedure.MAINTENANCE_OFF);
    if (!settings.unlock()) {
      return withoutUnlock(failed, off, rollbackFailed);
    }
    StepOutcome unlock;
    if (off.state() == State.SUCCEEDED) {
      unlock = attempt(Procedure.UNLOCK);
    } else {
      unlock = skipped(Procedure.UNLOCK, "maintenance-off failed: the lock stays held");
    }
    if (rollbackFailed) {
      return finish(
          ExitCode.ROLLBACK_FAILED,
          failed.step()
              + " failed and the rollback failed; maintenance and the lock were released as asked");
    }
    boolean closed = off.state() == State.SUCCEEDED && unlock.state() == State.SUCCEEDED;
    StepOutcome backOn = null;
    if (off.state() == State.SUCCEEDED && unlock.state() == State.FAILED) {
      // Maintenance off with the lock still held is no state a run may end in: the run is not
      // finished, yet users are back and nothing tells the app apart from a released one. Back
      // into maintenance, so the app is stopped for a human, whom `status` tells what is left.
      backOn = attempt(Procedure.MAINTENANCE_ON);
    }
    String closing = closed ? "" : ", but " + closingProblem(off, backOn);
    if (failed != null) {
      return finish(ExitCode.FAILED, failed.step() + " failed; rolled back" + closing);
    }
    if (!closed) {
      return finish(ExitCode.FAILED, "migrated" + closing);
    }
    return finish(ExitCode.OK, "migrated and up");
  }

  /**
   * The end of a run that leaves the lock to whatever ends it (a pipeline's finish, which unlocks
   * from the run record): maintenance is off, so users are back, and nothing tells them the lock is
   * still held. Exit codes as for the whole procedure.
   */
  private Outcome withoutUnlock(StepOutcome failed, StepOutcome off, boolean rollbackFailed) {
    skipped(Procedure.UNLOCK, "--no-unlock: left to the pipeline's finish");
    String lockLeft = "; the lock is left for finish";
    if (rollbackFailed) {
      return finish(
          ExitCode.ROLLBACK_FAILED,
          failed.step()
              + " failed and the rollback failed; maintenance was switched off as asked"
              + lockLeft);
    }
    String closing =
        off.state() == State.SUCCEEDED
            ? ""
            : ", but maintenance-off failed; finish switches it off from the run record";
    if (failed != null) {
      return finish(ExitCode.FAILED, failed.step() + " failed; rolled back" + closing + lockLeft);
    }
    if (off.state() != State.SUCCEEDED) {
      return finish(ExitCode.FAILED, "migrated" + closing + lockLeft);
    }
    return finish(ExitCode.OK, "migrated and up; maintenance off" + lockLeft);
  }

  /**
   * A signal stopped the run during {@code during}: nothing more is started, not even the rollback
   * (a pod being evicted has seconds left, a rollback may need minutes). The record says where the
   * run is; running it again with the same run id goes on from there.
   */
  private Outcome stopped(Step during, List<Step> forward) {
    boolean after = false;
    for (Step step : forward) {
      if (after) {
        notRun(step);
      }
      after |= step == during;
    }
    notRun(Procedure.ROLLBACK);
    Procedure.CLOSING.forEach(this::notRun);
    return finish(
        Signals.exitCode(),
        "stopped by "
            + Signals.stopping().orElseThrow()
            + " during "
            + during.command()
            + ": the app is left as the run record says (maintenance on, locked); run again with"
            + " the same --run-id to go on, or `pitstop finish` to roll back and release");
  }

  private static String closingProblem(StepOutcome off, StepOutcome backOn) {
    if (off.state() != State.SUCCEEDED) {
      return "maintenance-off failed; run `pitstop status` for what is left";
    }
    if (backOn.state() == State.SUCCEEDED) {
      return "unlock failed: maintenance is back on and the lock held; run `pitstop status` for"
          + " what is left";
    }
    return "unlock failed and maintenance could not be switched back on; run `pitstop status` for"
        + " what is left";
  }

  private StepOutcome attempt(Step step) {
    Action action = actions.get(step.command());
    if (action == null) {
      throw new IllegalStateException("no action for step " + step.command());
    }
    Instant start = clock.instant();
    progress.info(String.format("%-16s running", step.command()));
    Duration backoff = settings.firstBackoff();
    for (int attempt = 1; ; attempt++) {
      Instant attemptStart = clock.instant();
      try {
        StepResult result = action.run();
        return record(step, State.SUCCEEDED, start, ExitCode.OK, firstLine(result.summary()));
      } catch (PitstopException e) {
        boolean waitedItsFullTimeout =
            Duration.between(attemptStart, clock.instant())
                    .compareTo(settings.timeoutOf(step.command()))
                >= 0;
        if (e.isTransient() && attempt <= settings.retries() && !waitedItsFullTimeout) {
          progress.info(
              String.format(
                  "%-16s transient failure, retry %d/%d in %s: %s",
                  step.command(),
                  attempt,
                  settings.retries(),
                  Durations.format(backoff),
                  e.getMessage()));
          pause(backoff);
          backoff = backoff.multipliedBy(2);
          continue;
        }
        return record(step, State.FAILED, start, e.exitCode(), e.getMessage());
      } catch (RuntimeException e) {
        // Not foreseen by the step (a library's own exception): the step failed all the same, and
        // the run goes on to its rollback and closing steps instead of stopping half-way.
        return record(
            step,
            State.FAILED,
            start,
            ExitCode.FAILED,
            e.getClass().getSimpleName() + ": " + firstLine(String.valueOf(e.getMessage())));
      }
    }
  }

  private void pause(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PitstopException.transientFailure("interrupted", e);
    }
  }

  private StepOutcome record(Step step, State state, Instant start, int exitCode, String message) {
    Duration took = Duration.between(start, clock.instant());
    StepOutcome outcome = new StepOutcome(step.command(), state, took, exitCode, message);
    outcomes.add(outcome);
    progress.info(
        String.format(
            "%-16s %-9s %7s  %s",
            step.command(),
            state == State.SUCCEEDED ? "ok" : "FAILED(" + exitCode + ")",
            Durations.format(took),
            message));
    return outcome;
  }

  private void notRun(Step step) {
    outcomes.add(new StepOutcome(step.command(), State.NOT_RUN, Duration.ZERO, -1, "not run"));
  }

  private StepOutcome skipped(Step step, String why) {
    StepOutcome outcome = new StepOutcome(step.command(), State.SKIPPED, Duration.ZERO, -1, why);
    outcomes.add(outcome);
    progress.info(String.format("%-16s skipped   %7s  %s", step.command(), "", why));
    return outcome;
  }

  private Outcome finish(int exitCode, String summary) {
    return new Outcome(exitCode, summary, List.copyOf(outcomes));
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
