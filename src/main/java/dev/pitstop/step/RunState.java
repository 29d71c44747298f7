package dev.pitstop.step;

import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.MaintenanceRecord;
import dev.pitstop.ledger.StepRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a run stands, read from its record alone: which steps are done, whether the release is
 * complete or was rolled back, and whether the app is still down. {@code finish}, {@code status}
 * and {@code unlock} decide from this, never from what an orchestrator believes.
 *
 * @param ledger the run record
 * @param lastStep the step whose success completes the release ({@code smoke-test} for the shipped
 *     pipelines and {@code run})
 */
public record RunState(Ledger ledger, String lastStep) {
  /** The last forward step of the shipped procedure. */
  public static final String DEFAULT_LAST_STEP = "smoke-test";

  /** The forward steps, in order; the record may hold any subset. */
  public static final List<String> FORWARD =
      List.of(
          LockStep.STEP,
          "maintenance-on",
          "scale-down",
          "snapshot",
          "migrate",
          "verify",
          "scale-up",
          "smoke-test");

  public static RunState of(Ledger ledger) {
    return new RunState(ledger, DEFAULT_LAST_STEP);
  }

  /** True when the record holds the steps' progress (records of older versions do not). */
  public boolean knowsSteps() {
    return !ledger.steps().isEmpty();
  }

  public boolean rollbackFailed() {
    return ledger.fact(Ledger.ROLLBACK_FAILED).isPresent();
  }

  /** When a rollback of this run last succeeded. */
  public Optional<Instant> rolledBackAt() {
    return ledger.fact(Ledger.ROLLED_BACK_AT).map(Instant::parse);
  }

  /** A rollback succeeded, and no forward step started after it. */
  public boolean rolledBack() {
    return rolledBackAt().filter(at -> !forwardAfter(at)).isPresent();
  }

  /** The release is done: its last step succeeded and no rollback came after it. */
  public boolean complete() {
    Optional<StepRecord> last = ledger.step(lastStep).filter(StepRecord::succeeded);
    if (last.isEmpty()) {
      return false;
    }
    return rolledBackAt().filter(at -> at.isAfter(last.get().ended())).isEmpty();
  }

  /** Steps that started and have not ended: still running, or cut off (a killed pod). */
  public List<StepRecord> unfinished() {
    return ledger.steps().values().stream()
        .filter(s -> s.state() == StepRecord.State.RUNNING)
        .toList();
  }

  /** The steps whose last attempt failed. */
  public List<StepRecord> failed() {
    return ledger.steps().values().stream()
        .filter(s -> s.state() == StepRecord.State.FAILED)
        .toList();
  }

  public boolean maintenanceOn() {
    return ledger.maintenance().filter(MaintenanceRecord::active).isPresent();
  }

  /**
   * The app is down or held down by this run: maintenance is on, or workloads or controllers were
   * stopped and neither scale-up nor a rollback has put them back.
   */
  public boolean appDown() {
    if (maintenanceOn()) {
      return true;
    }
    if (ledger.workloads().isEmpty() && !ledger.holdsPauses()) {
      return false;
    }
    boolean scaledUp =
        ledger
            .step("scale-up")
            .filter(StepRecord::succeeded)
            .filter(
                up ->
                    ledger
                        .step("scale-down")
                        .map(d -> !d.started().isAfter(up.ended()))
                        .orElse(true))
            .isPresent();
    return !scaledUp && !rolledBack() && !complete();
  }

  /** The record holds a change of the app or its data that a rollback would undo. */
  public boolean changedAnything() {
    return !ledger.workloads().isEmpty()
        || ledger.holdsPauses()
        || ledger.fact(SnapshotStep.UNDO_SNAPSHOT).isPresent()
        || ledger.fact(MigrateStep.UNDO_SCHEMA_VERSION_BEFORE).isPresent();
  }

  private boolean forwardAfter(Instant moment) {
    return ledger.steps().values().stream()
        .filter(s -> FORWARD.contains(s.step()) && !s.step().equals(LockStep.STEP))
        .anyMatch(s -> s.started().isAfter(moment));
  }
}
