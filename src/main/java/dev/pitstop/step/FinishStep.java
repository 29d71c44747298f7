package dev.pitstop.step;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.StepRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The always-run end of a run, for an Argo exit hook, a Tekton {@code finally} Task, a shell {@code
 * trap} or a human: it decides from the run record alone, never from what an orchestrator reports
 * (a stopped or timed-out pipeline calls skipped steps neither failed nor done).
 *
 * <ul>
 *   <li>The release is complete (its last step recorded as done): maintenance off, unlock.
 *   <li>Anything else — a step failed, was cut off, or never ran: roll back what the record says
 *       was changed, then maintenance off, unlock.
 *   <li>A rollback failed, now or before: the app stays in maintenance and locked for a human (exit
 *       4), unless the run asked to be released anyway.
 * </ul>
 *
 * Each part is noted in the record like a step of its own, so running it again only does what is
 * left.
 */
public final class FinishStep {
  /** What the run ended as, the {@code outcome} result. */
  public static final String MIGRATED = "migrated";

  public static final String ROLLED_BACK = "rolled-back";
  public static final String ROLLBACK_FAILED = "rollback-failed";
  public static final String NOTHING = "nothing-to-do";
  public static final String NOT_THIS_RUN = "not-this-run";

  /** How to finish. */
  public record Options(
      String lastStep, boolean backwardCompatible, boolean releaseOnRollbackFailure) {}

  private final StepContext context;

  public FinishStep(StepContext context) {
    this.context = context;
  }

  /**
   * @param database the database half of a rollback, or null when no database options were given
   */
  public StepResult finish(DatabaseUndo database, Options options) {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      return outcome("app " + context.app() + " is not locked: nothing to finish", NOTHING, false)
          .build();
    }
    Ledger ledger = found.get();
    if (!ledger.runId().equals(context.runId())) {
      return outcome(
              "app "
                  + context.app()
                  + " is held by run "
                  + ledger.runId()
                  + ", not by run "
                  + context.runId()
                  + ": nothing of this run to finish",
              NOT_THIS_RUN,
              false)
          .build();
    }
    RunState state = new RunState(ledger, options.lastStep());
    if (!state.knowsSteps() && state.changedAnything()) {
      throw PitstopException.usage(
          "the run record of run "
              + ledger.runId()
              + " holds no step progress (it was written by an older Pitstop), so it does not say"
              + " whether the release completed: run `pitstop status` and finish by hand");
    }
    warnAboutUnfinished(state);
    if (context.dryRun()) {
      return dryRun(state);
    }
    if (state.rollbackFailed()) {
      return afterFailedRollback(ledger, options, database);
    }
    List<String> undone = new ArrayList<>();
    String ended = MIGRATED;
    if (!state.complete()) {
      ended = ROLLED_BACK;
      if (!state.rolledBack() && state.changedAnything()) {
        context
            .progress()
            .info(
                "the release of run "
                    + ledger.runId()
                    + " did not complete ("
                    + whereItStopped(state)
                    + "): rolling back");
        try {
          StepResult rollback =
              journal(
                  "rollback",
                  () -> new RollbackStep(context).rollback(database, options.backwardCompatible()));
          Object what = rollback.fields().get("rolled-back");
          if (what != null && !what.toString().isEmpty()) {
            undone.add(what.toString());
          }
        } catch (PitstopException e) {
          if (e.exitCode() != ExitCode.ROLLBACK_FAILED || !options.releaseOnRollbackFailure()) {
            throw e;
          }
          return afterFailedRollback(
              context.ledger().requireHeldBy(context.runId()), options, database);
        }
      } else if (!state.changedAnything()) {
        ended = NOTHING;
      }
    }
    StepResult off = release(false);
    String summary =
        switch (ended) {
          case MIGRATED -> "release of run " + ledger.runId() + " complete";
          case NOTHING -> "run " + ledger.runId() + " changed nothing";
          default -> "run " + ledger.runId() + " rolled back";
        };
    return withWindow(
            outcome(summary + "; maintenance off, lock released", ended, true)
                .field("rolled-back", String.join(",", undone))
                .field("schema-version", versionNow(database)),
            off)
        .build();
  }

  private StepResult afterFailedRollback(Ledger ledger, Options options, DatabaseUndo database) {
    String why = ledger.fact(Ledger.ROLLBACK_FAILED).orElse("the rollback failed");
    if (!options.releaseOnRollbackFailure()) {
      throw new PitstopException(
          ExitCode.ROLLBACK_FAILED,
          "the rollback of run "
              + ledger.runId()
              + " failed ("
              + why
              + "): the app stays in maintenance and locked; `pitstop status --app "
              + context.app()
              + " -n "
              + context.cluster().namespace()
              + "` says what is left");
    }
    context
        .progress()
        .warn("the rollback failed; switching maintenance off and unlocking anyway, as asked");
    StepResult off = release(true);
    return withWindow(
            outcome(
                    "the rollback of run "
                        + ledger.runId()
                        + " failed ("
                        + why
                        + "); maintenance off and lock released as asked",
                    ROLLBACK_FAILED,
                    true)
                .field("schema-version", versionNow(database)),
            off)
        .exitCode(ExitCode.ROLLBACK_FAILED)
        .build();
  }

  /**
   * The schema version the database holds once the run has ended, for a pipeline's result (after a
   * rollback it is no longer what migrate reached). Empty without database options; a database that
   * cannot be read now is only a warning: the run has already ended.
   */
  private String versionNow(DatabaseUndo database) {
    if (database == null) {
      return "";
    }
    try {
      return database.currentVersion();
    } catch (PitstopException e) {
      context.progress().warn("cannot read the schema version now: " + e.getMessage());
      return "";
    }
  }

  /** Switches maintenance off and unlocks; returns maintenance-off's result (the window). */
  private StepResult release(boolean force) {
    StepResult off = journal("maintenance-off", () -> new MaintenanceStep(context).off(force));
    journal("unlock", () -> new UnlockStep(context).unlock(force));
    return off;
  }

  private static StepResult.Builder withWindow(StepResult.Builder builder, StepResult off) {
    for (String field : java.util.List.of("window-seconds", "window")) {
      if (off.fields().containsKey(field)) {
        builder.field(field, off.fields().get(field));
      }
    }
    return builder;
  }

  private StepResult journal(String step, java.util.function.Supplier<StepResult> work) {
    return new StepJournal(context).around(step, false, work);
  }

  private StepResult dryRun(RunState state) {
    String plan;
    if (state.rollbackFailed()) {
      plan = "the rollback failed: would keep the app in maintenance and locked";
    } else if (state.complete()) {
      plan = "the release is complete: would switch maintenance off and unlock";
    } else if (state.rolledBack() || !state.changedAnything()) {
      plan = "nothing to undo: would switch maintenance off and unlock";
    } else {
      plan =
          "the release did not complete ("
              + whereItStopped(state)
              + "): would roll back, then switch maintenance off and unlock";
    }
    return outcome("dry run: " + plan, "", false).build();
  }

  /** The first step that failed or was cut off, or the last one done. */
  static String whereItStopped(RunState state) {
    List<StepRecord> failed = state.failed();
    if (!failed.isEmpty()) {
      StepRecord step = failed.get(0);
      return step.step()
          + " failed"
          + (step.exitCode() == null ? "" : " (exit " + step.exitCode() + ")");
    }
    List<StepRecord> cut = state.unfinished();
    if (!cut.isEmpty()) {
      return cut.get(0).step() + " started and never ended";
    }
    return state.ledger().steps().values().stream()
        .reduce((a, b) -> b)
        .map(s -> "the last step done was " + s.step() + "; " + state.lastStep() + " never ran")
        .orElse("no step recorded");
  }

  private void warnAboutUnfinished(RunState state) {
    for (StepRecord step : state.unfinished()) {
      Duration ago = Duration.between(step.started(), context.clock().instant());
      context
          .progress()
          .warn(
              step.step()
                  + " started "
                  + dev.pitstop.core.Durations.format(ago)
                  + " ago and never ended: if it is still running somewhere, stop it first");
    }
  }

  private StepResult.Builder outcome(String summary, String outcome, boolean released) {
    return StepResult.builder(summary).field("outcome", outcome).field("released", released);
  }
}
