package dev.pitstop.cli;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.FlywaySettings;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.ProcedureRunner;
import dev.pitstop.procedure.ProcedureRunner.Action;
import dev.pitstop.procedure.ProcedureRunner.Outcome;
import dev.pitstop.procedure.ProcedureRunner.StepOutcome;
import dev.pitstop.step.DatabaseUndo;
import dev.pitstop.step.EarlierSteps;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.LockStep;
import dev.pitstop.step.MaintenanceStep;
import dev.pitstop.step.MaintenanceTarget;
import dev.pitstop.step.MigrateRequest;
import dev.pitstop.step.MigrateStep;
import dev.pitstop.step.Preflight;
import dev.pitstop.step.RollbackStep;
import dev.pitstop.step.ScaleDownStep;
import dev.pitstop.step.ScaleUpStep;
import dev.pitstop.step.SmokeCheck;
import dev.pitstop.step.SmokeTestStep;
import dev.pitstop.step.SnapshotRequest;
import dev.pitstop.step.SnapshotStep;
import dev.pitstop.step.StepContext;
import dev.pitstop.step.StepJournal;
import dev.pitstop.step.UnlockStep;
import dev.pitstop.step.VerifyRequest;
import dev.pitstop.step.VerifyStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    description =
        "The whole procedure in one process: lock, maintenance, scale-down, migrate, verify, scale-up, smoke-test.",
    footer = {
      "%nEvery input is checked before the lock. On any failure after lock: rollback; always"
          + " last: maintenance-off, then unlock (not when the rollback failed). Exit 0 migrated"
          + " and up, 1 failed and rolled back, 2 bad input (nothing touched), 3 locked by another"
          + " run, 4 rollback failed (in maintenance, locked), 75 the lock could not be taken (API"
          + " unreachable until --timeout; nothing touched). --timeout applies to each step.",
      "%nIn a pipeline's one pod for the maintenance window: --from maintenance-on --no-unlock"
          + " checks the inputs, then runs maintenance-on to maintenance-off (with the rollback)"
          + " for a run whose lock the pipeline took; its `pitstop finish` unlocks.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop run --app shop -n shop --run-id 7f3a9c \\",
      "    --workload deployment/web --mode service --service shop-web \\",
      "    --maintenance-selector app=maintenance-page \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:/migrations --image web=shop:2.4.0 --snapshot \\",
      "    --url http://shop-web.shop.svc/healthz"
    })
final class RunCommand extends StepCommand {
  @Mixin SessionsOptions sessions;

  @Mixin RunOptions run;

  @Mixin HolderOption holder;

  @Mixin WorkloadOptions workloads;

  @Mixin KeepDownOptions keepDown;

  @Mixin MaintenanceOptions maintenance;

  @Mixin DatabaseOptions database;

  @Mixin FlywayMixin flyway;

  @Mixin AtomicOption atomic;

  @Mixin VerifyOptions verify;

  @Mixin ImageOptions images;

  @Mixin SmokeOptions smoke;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Mixin KeepOption keep;

  @Option(
      names = "--snapshot",
      description =
          "Copy the database before migrating, so rollback can put the data back exactly (needs"
              + " CREATEDB and disk for a full copy).")
  boolean snapshot;

  @Option(
      names = "--backward-compatible",
      description =
          "The previous app version works on the new schema: without a snapshot, rollback starts it"
              + " anyway.")
  boolean backwardCompatible;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Retries of a step that exits 75 (transient), with backoff. Default: ${DEFAULT-VALUE}.")
  int retries;

  @Option(
      names = "--from",
      paramLabel = "STEP",
      description =
          "Start at this step: the steps before it must be recorded as done for this --run-id (a"
              + " pipeline ran them in pods of their own), e.g. --from maintenance-on after the"
              + " pipeline's lock. One of lock (the default), maintenance-on,"
              + " scale-down, snapshot, migrate, verify, scale-up, smoke-test.")
  String from;

  @Option(
      names = "--unlock",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Release the lock at the end (default). --no-unlock stops after maintenance-off and"
              + " leaves the lock to the pipeline's `pitstop finish`, which unlocks from the run"
              + " record.")
  boolean unlock;

  @Option(
      names = "--step-timeout",
      paramLabel = "STEP=DURATION",
      description = "A step's own deadline instead of --timeout, e.g. migrate=55m. Repeatable.")
  List<String> stepTimeoutOptions = new ArrayList<>();

  @Option(
      names = "--release-on-rollback-failure",
      description =
          "When the rollback fails, still switch maintenance off and unlock. Default: stay in"
              + " maintenance and keep the lock, so a broken app is never shown.")
  boolean releaseOnRollbackFailure;

  private WorkloadOptions.Chosen chosen;
  private KeepDown.Options keepDownOptions;
  private MaintenanceTarget target;
  private DbConnection db;
  private FlywayOptions flywayOptions;
  private Map<String, String> newImages;
  private List<SmokeCheck> checks;
  private Procedure.Step fromStep;
  private Map<String, Duration> stepTimeouts;

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  /** Each step of the procedure is noted on its own. */
  @Override
  boolean journalled() {
    return false;
  }

  /** Everything is checked before the lock is taken: bad input never leaves a half-done run. */
  @Override
  void validate() {
    fromStep = fromStep();
    stepTimeouts = stepTimeouts();
    // a run that starts after scale-down finds the workloads in the record (scale-up and rollback
    // read nothing else), one that starts after maintenance-on the maintenance switch
    chosen = startsBefore(Procedure.SCALE_DOWN) ? workloads.parseRequired() : workloads.parse();
    keepDownOptions = keepDown.validated();
    target = startsBefore(Procedure.MAINTENANCE_ON) ? maintenance.target() : null;
    flywayOptions = flyway.toOptions(environment().env());
    db = database.connection(environment(), FlywaySettings.load(flywayOptions).connection());
    newImages = images.parse();
    checks = smoke.checks();
    keep.validated();
    if (retries < 0) {
      throw PitstopException.usage("--retries must be 0 or more");
    }
  }

  private Procedure.Step fromStep() {
    if (from == null || from.isEmpty()) {
      return Procedure.LOCK;
    }
    Procedure.Step step =
        Procedure.FORWARD.stream()
            .filter(s -> s.command().equals(from))
            .findFirst()
            .orElseThrow(
                () ->
                    PitstopException.usage(
                        "--from "
                            + from
                            + " is no step of run: give one of "
                            + String.join(
                                ", ",
                                Procedure.FORWARD.stream().map(Procedure.Step::command).toList())));
    if (step == Procedure.SNAPSHOT && !snapshot) {
      throw PitstopException.usage("--from snapshot needs --snapshot: without it there is none");
    }
    return step;
  }

  /** Whether this run executes {@code step} itself (it starts at it or before it). */
  private boolean startsBefore(Procedure.Step step) {
    return Procedure.FORWARD.indexOf(fromStep) <= Procedure.FORWARD.indexOf(step);
  }

  private Map<String, Duration> stepTimeouts() {
    List<String> steps = new ArrayList<>();
    Procedure.FORWARD.forEach(s -> steps.add(s.command()));
    steps.add(Procedure.ROLLBACK.command());
    Procedure.CLOSING.forEach(s -> steps.add(s.command()));
    Map<String, Duration> timeouts = new LinkedHashMap<>();
    for (String entry : stepTimeoutOptions) {
      int at = entry.indexOf('=');
      String step = at < 0 ? entry : entry.substring(0, at);
      if (at < 0 || !steps.contains(step)) {
        throw PitstopException.usage(
            "--step-timeout '"
                + entry
                + "' is not STEP=DURATION with a step of run, e.g. migrate=55m; steps: "
                + String.join(", ", steps));
      }
      Duration timeout = Durations.parse(entry.substring(at + 1));
      if (timeout.isZero()) {
        throw PitstopException.usage("--step-timeout " + step + " must be more than 0s");
      }
      // given twice, the last one wins, as for every other option
      timeouts.put(step, timeout);
    }
    return timeouts;
  }

  /** A step's deadline: its --step-timeout, else --timeout. */
  private Duration budget(String step) {
    return stepTimeouts.getOrDefault(step, common.timeout);
  }

  private SnapshotRequest snapshotRequest(Duration budget) {
    return new SnapshotRequest(
        db, run.runId, maintenanceDatabase.name, keep.keep, sessions.policy(), false, budget);
  }

  private MigrateRequest migrateRequest(Duration budget) {
    return MigrateRequest.of(db, flywayOptions)
        .withAtomic(atomic.atomic)
        .withSession(database.session())
        .withSessions(sessions.policy())
        .withTimeout(budget);
  }

  /**
   * What can be checked before the lock (or, with --from, before the first step): nothing is taken
   * down on a typo. What the run does not do itself is not checked: the maintenance switch after
   * maintenance-on, the workloads after scale-down.
   */
  private Preflight preflight() {
    return new Preflight(
        target,
        startsBefore(Procedure.SCALE_DOWN) ? chosen.named() : List.of(),
        startsBefore(Procedure.SCALE_DOWN) ? chosen.selector() : Map.of(),
        migrateRequest(common.timeout),
        flywayOptions.locations(),
        snapshot ? snapshotRequest(common.timeout) : null);
  }

  /** The steps before {@link #fromStep}: a pipeline ran them, the record must say so. */
  private List<String> earlierSteps() {
    List<String> earlier = new ArrayList<>();
    for (Procedure.Step step : Procedure.forward(snapshot)) {
      if (step == fromStep) {
        break;
      }
      earlier.add(step.command());
    }
    return earlier;
  }

  /** What this run executes itself: its forward steps, the rollback and maintenance-off. */
  private List<String> ownSteps() {
    List<String> own = new ArrayList<>();
    Procedure.forwardFrom(fromStep, snapshot).forEach(s -> own.add(s.command()));
    own.add(Procedure.ROLLBACK.command());
    own.add(Procedure.MAINTENANCE_OFF.command());
    return own;
  }

  /**
   * A run that starts part-way holds the lock already, taken by the pipeline: the record must be
   * this run's with every earlier step done. On its first start the inputs are checked before
   * anything changes; started again (a pod that vanished, retried by the orchestrator), it goes on
   * from its record whatever the inputs look like now, as a whole run does.
   */
  private void checkPartWay(StepContext context) {
    Ledger ledger =
        new EarlierSteps(context.withDeadline(common.timeout))
            .require(earlierSteps(), fromStep.command());
    if (EarlierSteps.startedAny(ledger, ownSteps())) {
      context
          .progress()
          .info(
              "run "
                  + run.runId
                  + " went past "
                  + String.join(", ", earlierSteps())
                  + " and started "
                  + fromStep.command()
                  + " before: going on from its record");
      return;
    }
    context
        .progress()
        .info(
            "run "
                + run.runId
                + " has done "
                + String.join(", ", earlierSteps())
                + ": checking the inputs before "
                + fromStep.command());
    preflight().check(context.withDeadline(common.timeout), Progress.silent());
  }

  @Override
  StepResult execute(StepContext context) {
    if (run.dryRun) {
      return plan(context);
    }
    if (fromStep != Procedure.LOCK) {
      checkPartWay(context);
    } else if (context.ledger().read().map(l -> l.runId().equals(run.runId)).orElse(false)) {
      // the same run started before and was cut off: its record must get its rollback or its
      // end whatever the inputs look like now, so nothing may stop it here
      context
          .progress()
          .info("run " + run.runId + " holds the lock already: going on from its record");
    } else {
      context.progress().info("checking the inputs before taking the lock");
      preflight().check(context.withDeadline(common.timeout), Progress.silent());
    }
    Map<String, String> databaseFacts = Ledger.databaseFacts(db.url(), db.user());
    // maintenance-off measures the window users paid for; the record is gone after unlock
    java.util.concurrent.atomic.AtomicReference<StepResult> window =
        new java.util.concurrent.atomic.AtomicReference<>();
    Map<String, Action> actions = new LinkedHashMap<>();
    actions.put(
        "lock",
        () ->
            new LockStep(context.withDeadline(budget("lock")))
                .lock(holder.holder(environment().env())));
    actions.put(
        "maintenance-on",
        () -> new MaintenanceStep(context.withDeadline(budget("maintenance-on"))).on(target));
    actions.put(
        "scale-down",
        () ->
            new ScaleDownStep(context.withDeadline(budget("scale-down")))
                .scaleDown(chosen.named(), chosen.selector(), keepDownOptions));
    actions.put(
        "snapshot",
        () ->
            new SnapshotStep(context.progress())
                .run(
                    snapshotRequest(budget("snapshot")),
                    context
                        .withDeadline(budget("snapshot"))
                        .ledger()
                        .undoLog(run.runId, databaseFacts)));
    actions.put(
        "migrate",
        () ->
            new MigrateStep(context.progress())
                .run(
                    migrateRequest(budget("migrate")),
                    context
                        .withDeadline(budget("migrate"))
                        .ledger()
                        .undoLog(run.runId, databaseFacts)));
    actions.put(
        "verify",
        () ->
            new VerifyStep(context.progress())
                .run(
                    new VerifyRequest(
                        db,
                        flywayOptions,
                        verify.expectVersion,
                        verify.checks,
                        verify.allowPending,
                        database.session(),
                        budget("verify"))));
    actions.put(
        "scale-up",
        () ->
            new ScaleUpStep(context.withDeadline(budget("scale-up")))
                .scaleUp(List.of(), newImages));
    actions.put(
        "smoke-test",
        () ->
            checks.isEmpty()
                ? StepResult.of("no --url given: the workloads' readiness was checked by scale-up")
                : new SmokeTestStep(
                        smoke.probe(),
                        context.withDeadline(budget("smoke-test")).cluster().deadline(),
                        smoke.interval,
                        context.progress())
                    .check(checks));
    actions.put(
        "rollback",
        () ->
            new RollbackStep(context.withDeadline(budget("rollback")))
                .rollback(
                    new DatabaseUndo(
                        db,
                        flywayOptions,
                        maintenanceDatabase.name,
                        sessions.sessionsTimeout,
                        budget("rollback"),
                        context.progress()),
                    backwardCompatible));
    actions.put(
        "maintenance-off",
        () -> {
          StepResult off =
              new MaintenanceStep(context.withDeadline(budget("maintenance-off")))
                  .off(releaseOnRollbackFailure);
          window.set(off);
          return off;
        });
    actions.put(
        "unlock",
        () ->
            new UnlockStep(context.withDeadline(budget("unlock")))
                .unlock(releaseOnRollbackFailure));

    // every step's start and end go to the run record, as when a pipeline runs the steps
    Map<String, Action> journalled = new LinkedHashMap<>();
    actions.forEach(
        (step, action) ->
            journalled.put(
                step,
                () ->
                    new StepJournal(context.withDeadline(budget(step)))
                        .around(step, false, action::run)));
    context.progress().info("run " + run.runId + " of app " + common.app + ":");
    Outcome outcome =
        new ProcedureRunner(
                journalled,
                new ProcedureRunner.Settings(
                        snapshot,
                        retries,
                        Duration.ofSeconds(2),
                        !releaseOnRollbackFailure,
                        common.timeout)
                    .withStepTimeouts(stepTimeouts)
                    .from(fromStep, unlock),
                context.progress(),
                context.clock(),
                duration -> Thread.sleep(duration.toMillis()))
            .run();
    return summary(outcome, window.get());
  }

  private StepResult summary(Outcome outcome, StepResult off) {
    StringBuilder text =
        new StringBuilder(
            "run " + run.runId + ": " + outcome.summary() + " (exit " + outcome.exitCode() + ")");
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepOutcome step : outcome.steps()) {
      text.append(
          String.format(
              "%n  %-16s %-10s %7s  %s",
              step.step(),
              step.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
              step.duration().isZero() ? "" : Durations.format(step.duration()),
              step.state() == ProcedureRunner.State.NOT_RUN ? "" : step.message()));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("step", step.step());
      row.put("state", step.state().name().toLowerCase(java.util.Locale.ROOT));
      row.put("duration-ms", step.duration().toMillis());
      row.put("exit-code", step.exitCode());
      row.put("message", step.message());
      steps.add(row);
    }
    Object windowSeconds = off == null ? null : off.fields().get("window-seconds");
    if (windowSeconds != null) {
      text.append(String.format("%n  maintenance window %.1fs", (Double) windowSeconds));
    }
    StepResult.Builder result =
        StepResult.builder(text.toString())
            .field("outcome", outcome.summary())
            .field("states", outcome.states())
            .field("steps", steps)
            .exitCode(outcome.exitCode());
    if (windowSeconds != null) {
      result.field("window-seconds", windowSeconds).field("window", off.fields().get("window"));
    }
    return result.build();
  }

  /** A dry run checks the inputs and the lock, and prints the plan; it changes nothing. */
  private StepResult plan(StepContext context) {
    List<String> checked = new ArrayList<>();
    String lockLine;
    if (fromStep == Procedure.LOCK) {
      checked.addAll(preflight().check(context, context.progress()));
      lockLine = new LockStep(context).lock(holder.holder(environment().env())).summary();
    } else {
      new EarlierSteps(context).require(earlierSteps(), fromStep.command());
      checked.addAll(preflight().check(context, context.progress()));
      lockLine =
          "dry run: run "
              + run.runId
              + " holds the lock and has done "
              + String.join(", ", earlierSteps());
    }
    StringBuilder text = new StringBuilder("dry run: checked");
    checked.forEach(line -> text.append("\n  ").append(line));
    text.append("\n").append(lockLine).append("\ndry run: the plan is");
    List<Procedure.Step> forward = Procedure.forwardFrom(fromStep, snapshot);
    for (Procedure.Step step : forward) {
      text.append("\n  ").append(step.command());
    }
    text.append("\n  on failure: rollback")
        .append(unlock ? "\n  always: maintenance-off, unlock" : "\n  always: maintenance-off")
        .append(releaseOnRollbackFailure ? "" : " (not when the rollback failed)");
    if (!unlock) {
      text.append("\n  the lock is left for `pitstop finish`");
    }
    return StepResult.builder(text.toString())
        .field("plan", forward.stream().map(Procedure.Step::command).toList())
        .build();
  }
}
