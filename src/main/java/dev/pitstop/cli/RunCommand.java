package dev.pitstop.cli;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.FlywaySettings;
import dev.pitstop.procedure.Procedure;
import dev.pitstop.procedure.ProcedureRunner;
import dev.pitstop.procedure.ProcedureRunner.Action;
import dev.pitstop.procedure.ProcedureRunner.Outcome;
import dev.pitstop.procedure.ProcedureRunner.StepOutcome;
import dev.pitstop.step.DatabaseUndo;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.LockStep;
import dev.pitstop.step.MaintenanceStep;
import dev.pitstop.step.MaintenanceTarget;
import dev.pitstop.step.MigrateRequest;
import dev.pitstop.step.MigrateStep;
import dev.pitstop.step.RollbackStep;
import dev.pitstop.step.ScaleDownStep;
import dev.pitstop.step.ScaleUpStep;
import dev.pitstop.step.SmokeCheck;
import dev.pitstop.step.SmokeTestStep;
import dev.pitstop.step.SnapshotRequest;
import dev.pitstop.step.SnapshotStep;
import dev.pitstop.step.StepContext;
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
      "%nOn any failure after lock: rollback; always last: maintenance-off, then unlock (not when"
          + " the rollback failed). Exit 0 migrated and up, 1 failed and rolled back, 3 locked by"
          + " another run, 4 rollback failed. --timeout applies to each step.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop run --app shop -n shop --run-id 7f3a9c \\",
      "    --workload deployment/web --mode service --service shop-web \\",
      "    --maintenance-selector app=maintenance-page --jdbc-url jdbc:postgresql://db:5432/shop \\",
      "    --db-user shop --locations filesystem:/migrations --image web=shop:2.4.0 --snapshot \\",
      "    --url http://shop-web.shop.svc/healthz"
    })
final class RunCommand extends StepCommand {
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

  @Override
  String runId() {
    return run.runId;
  }

  @Override
  boolean dryRun() {
    return run.dryRun;
  }

  /** Everything is checked before the lock is taken: bad input never leaves a half-done run. */
  @Override
  void validate() {
    chosen = workloads.parseRequired();
    keepDownOptions = keepDown.validated();
    target = maintenance.target();
    flywayOptions = flyway.toOptions(environment().env());
    db = database.connection(environment(), FlywaySettings.load(flywayOptions).connection());
    newImages = images.parse();
    checks = smoke.checks();
    keep.validated();
    if (retries < 0) {
      throw PitstopException.usage("--retries must be 0 or more");
    }
  }

  @Override
  StepResult execute(StepContext context) {
    if (run.dryRun) {
      return plan(context);
    }
    Duration budget = common.timeout;
    Map<String, Action> actions = new LinkedHashMap<>();
    actions.put(
        "lock",
        () -> new LockStep(context.withDeadline(budget)).lock(holder.holder(environment().env())));
    actions.put(
        "maintenance-on", () -> new MaintenanceStep(context.withDeadline(budget)).on(target));
    actions.put(
        "scale-down",
        () ->
            new ScaleDownStep(context.withDeadline(budget))
                .scaleDown(chosen.named(), chosen.selector(), keepDownOptions));
    actions.put(
        "snapshot",
        () ->
            new SnapshotStep(context.progress())
                .run(
                    new SnapshotRequest(
                        db,
                        run.runId,
                        maintenanceDatabase.name,
                        keep.keep,
                        database.sessions(),
                        false,
                        budget),
                    context.withDeadline(budget).ledger().undoLog(run.runId)));
    actions.put(
        "migrate",
        () ->
            new MigrateStep(context.progress())
                .run(
                    MigrateRequest.of(db, flywayOptions)
                        .withAtomic(atomic.atomic)
                        .withSession(database.session())
                        .withSessions(database.sessions())
                        .withTimeout(budget),
                    context.withDeadline(budget).ledger().undoLog(run.runId)));
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
                        budget)));
    actions.put(
        "scale-up",
        () -> new ScaleUpStep(context.withDeadline(budget)).scaleUp(List.of(), newImages));
    actions.put(
        "smoke-test",
        () ->
            checks.isEmpty()
                ? StepResult.of("no --url given: the workloads' readiness was checked by scale-up")
                : new SmokeTestStep(
                        smoke.probe(),
                        context.withDeadline(budget).cluster().deadline(),
                        smoke.interval,
                        context.progress())
                    .check(checks));
    actions.put(
        "rollback",
        () ->
            new RollbackStep(context.withDeadline(budget))
                .rollback(
                    new DatabaseUndo(
                        db,
                        flywayOptions,
                        maintenanceDatabase.name,
                        database.sessionsTimeout,
                        budget,
                        context.progress()),
                    backwardCompatible));
    actions.put(
        "maintenance-off",
        () -> new MaintenanceStep(context.withDeadline(budget)).off(releaseOnRollbackFailure));
    actions.put(
        "unlock",
        () -> new UnlockStep(context.withDeadline(budget)).unlock(releaseOnRollbackFailure));

    context.progress().info("run " + run.runId + " of app " + common.app + ":");
    Outcome outcome =
        new ProcedureRunner(
                actions,
                new ProcedureRunner.Settings(
                    snapshot, retries, Duration.ofSeconds(2), !releaseOnRollbackFailure),
                context.progress(),
                context.clock(),
                duration -> Thread.sleep(duration.toMillis()))
            .run();
    return summary(outcome);
  }

  private StepResult summary(Outcome outcome) {
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
    return StepResult.builder(text.toString())
        .field("outcome", outcome.summary())
        .field("steps", steps)
        .exitCode(outcome.exitCode())
        .build();
  }

  /** A dry run checks the inputs and the lock, and prints the plan; it changes nothing. */
  private StepResult plan(StepContext context) {
    StepResult lock = new LockStep(context).lock(holder.holder(environment().env()));
    StringBuilder text = new StringBuilder(lock.summary()).append("\ndry run: the plan is");
    for (Procedure.Step step : Procedure.forward(snapshot)) {
      text.append("\n  ").append(step.command());
    }
    text.append("\n  on failure after lock: rollback")
        .append("\n  always: maintenance-off, unlock")
        .append(releaseOnRollbackFailure ? "" : " (not when the rollback failed)");
    return StepResult.builder(text.toString())
        .field("plan", Procedure.forward(snapshot).stream().map(Procedure.Step::command).toList())
        .build();
  }
}
