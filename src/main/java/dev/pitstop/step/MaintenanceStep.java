package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.MaintenanceRecord;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * Switches user-visible maintenance mode on and off. The original is written to the run record
 * before the switch; off puts back exactly what was recorded and nothing else.
 */
public final class MaintenanceStep {
  private final StepContext context;

  public MaintenanceStep(StepContext context) {
    this.context = context;
  }

  public StepResult on(MaintenanceTarget target) {
    Ledger ledger =
        context.ledger().heldOrPreview(context.runId(), context.dryRun(), context.progress());
    Optional<MaintenanceRecord> recorded = ledger.maintenance().filter(MaintenanceRecord::active);
    MaintenanceRecord captured = target.capture(context.cluster());
    List<String> concerns = target.concerns(context.cluster());
    concerns.forEach(context.progress()::warn);
    if (recorded.isPresent()) {
      MaintenanceRecord active = recorded.get();
      if (!active.mode().equals(captured.mode())
          || !active.target().equals(captured.target())
          || (active.key() != null && !active.key().equals(captured.key()))) {
        throw PitstopException.usage(
            "maintenance is already on through "
                + active.describeTarget()
                + " in this run: run maintenance-off before switching it on another way");
      }
    }
    if (context.dryRun()) {
      return result(
          "dry run: would "
              + (recorded.isPresent() ? "re-apply " : "switch on ")
              + target.describe(),
          captured,
          concerns);
    }
    if (recorded.isEmpty()) {
      String now = context.clock().instant().toString();
      context
          .ledger()
          .update(
              context.runId(),
              l -> {
                l.setMaintenance(captured);
                // the window users pay for starts here; a switch after an earlier off starts anew
                l.putFact(Window.ON_AT, now);
                l.putFact(Window.OFF_AT, null);
              });
    }
    HasMetadata changed = target.switchOn(context.cluster());
    context.events().changed(changed, "MaintenanceOn", "maintenance on: " + target.describe());
    return result(
        (recorded.isPresent() ? "maintenance was already on; re-applied " : "maintenance on: ")
            + target.describe(),
        recorded.orElse(captured),
        concerns);
  }

  /**
   * @param force switch off even though the last rollback failed (the app may be broken)
   */
  public StepResult off(boolean force) {
    Optional<Ledger> found = context.ledger().read();
    if (found.isEmpty()) {
      return StepResult.builder(
              "app " + context.app() + " is not locked: no maintenance recorded, nothing to do")
          .field("maintenance", "off")
          .build();
    }
    context.ledger().requireOwner(found.get(), context.runId());
    RollbackGuard.check(found.get(), force, "switch maintenance off", context);
    Optional<MaintenanceRecord> recorded =
        found.get().maintenance().filter(MaintenanceRecord::active);
    if (recorded.isEmpty()) {
      StepResult.Builder result =
          StepResult.builder("maintenance is not on for this run: nothing to do")
              .field("maintenance", "off");
      // switched off earlier in this run (a one-pod run does it before the pipeline's finish):
      // the window it closed is still the run's to report
      found
          .get()
          .fact(Window.OFF_AT)
          .flatMap(at -> Window.of(found.get(), java.time.Instant.parse(at)))
          .ifPresent(
              window ->
                  result
                      .field("window-seconds", window.seconds())
                      .field("window", window.toFields()));
      return result.build();
    }
    MaintenanceRecord record = recorded.get();
    if (context.dryRun()) {
      return StepResult.builder(
              "dry run: would restore " + record.describeTarget() + " to " + record.original())
          .field("maintenance", "on")
          .build();
    }
    HasMetadata changed = MaintenanceTarget.restore(context.cluster(), record);
    java.time.Instant offAt = context.clock().instant();
    ConfigMap written =
        context
            .ledger()
            .updateConfigMap(
                context.runId(),
                l -> {
                  l.setMaintenance(record.withActive(false));
                  l.putFact(Window.OFF_AT, offAt.toString());
                });
    Ledger updated = context.ledger().ledgerOf(written);
    context
        .events()
        .changed(changed, "MaintenanceOff", "maintenance off: restored " + record.describeTarget());
    StepResult.Builder result =
        StepResult.builder("maintenance off: restored " + record.describeTarget())
            .field("maintenance", "off")
            .field("restored", record.describeTarget());
    Window.of(updated, offAt)
        .ifPresent(
            window -> {
              context.progress().info("maintenance window " + window.describe());
              context
                  .events()
                  .changed(
                      written,
                      "MaintenanceWindow",
                      "users saw maintenance for " + window.describe());
              result.field("window-seconds", window.seconds()).field("window", window.toFields());
            });
    return result.build();
  }

  private StepResult result(String summary, MaintenanceRecord record, List<String> concerns) {
    return StepResult.builder(summary)
        .field("maintenance", context.dryRun() ? "off" : "on")
        .field("target", record.describeTarget())
        .field("warnings", concerns)
        .build();
  }
}
